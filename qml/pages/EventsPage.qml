pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// The live event log: in (from clients), out (to clients) and system (connects, disconnects,
// auth failures, rate limiting). Bounded to 10,000 rows; under load the server samples.
Item {
    id: page

    readonly property EventsModel model: events

    EventsModel {
        id: events
        active: page.visible
        nameFilter: nameFilter.filterText
        roomFilter: roomFilter.filterText
        userFilter: userFilter.filterText
        directionFilter: ["", "in", "out", "system"][directionSelector.currentIndex]
    }

    ColumnLayout {
        anchors { fill: parent; margins: Theme.spacingLarge }
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Events")
            subtitle: qsTr("Live log of events in, out and system events, newest first")
            Layout.fillWidth: true

            Button {
                objectName: "pauseButton"
                text: events.paused ? qsTr("▶ Resume") : qsTr("❚❚ Pause")
                highlighted: events.paused
                onClicked: events.paused = !events.paused
            }
            Button {
                objectName: "clearEventsButton"
                text: qsTr("Clear")
                onClicked: events.clear()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            SegmentedControl {
                id: directionSelector
                objectName: "directionFilter"
                options: [qsTr("All"), qsTr("In"), qsTr("Out"), qsTr("System")]
            }
            FilterField {
                id: nameFilter
                objectName: "eventNameFilter"
                placeholderText: qsTr("Event name")
                Layout.preferredWidth: 180
            }
            FilterField {
                id: roomFilter
                objectName: "eventRoomFilter"
                placeholderText: qsTr("Room")
                Layout.preferredWidth: 160
            }
            FilterField {
                id: userFilter
                objectName: "eventUserFilter"
                placeholderText: qsTr("User")
                Layout.preferredWidth: 160
            }
            Item { Layout.fillWidth: true }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                objectName: "eventsStatus"
                text: qsTr("Showing %1 of %2 buffered rows (max %3)").arg(events.count).arg(events.bufferedCount).arg(events.capacity)
                color: Theme.textMuted
            }
            Pill {
                objectName: "skippedPill"
                visible: events.skipped > 0
                text: qsTr("%1 sampled out").arg(events.skipped)
                tint: Theme.warn
                ToolTip.visible: skippedArea.containsMouse
                ToolTip.text: qsTr("Under heavy load the server keeps at most 2,000 log rows a second and only counts the rest")
                MouseArea { id: skippedArea; anchors.fill: parent; hoverEnabled: true }
            }
            Pill {
                visible: events.paused
                text: qsTr("paused")
                tint: Theme.accent
            }
            Item { Layout.fillWidth: true }
            TextField {
                id: exportPath
                objectName: "exportPath"
                text: events.defaultExportPath()
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                Layout.preferredWidth: 340
                selectByMouse: true
            }
            Button {
                objectName: "exportButton"
                text: qsTr("Export JSON lines")
                onClicked: {
                    const n = events.exportTo(exportPath.text);
                    exportResult.text = n < 0 ? events.lastError() : qsTr("%n row(s) written", "", n);
                    exportResult.color = n < 0 ? Theme.danger : Theme.ok;
                }
            }
            Label {
                id: exportResult
                objectName: "exportResult"
                font.pixelSize: Theme.fontSmall
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: Theme.surface
            border.color: Theme.border
            radius: Theme.radius
            clip: true

            ColumnLayout {
                anchors { fill: parent; margins: 1 }
                spacing: 0

                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 30
                    color: Theme.surfaceAlt
                    RowLayout {
                        anchors { fill: parent; leftMargin: 10; rightMargin: 10 }
                        spacing: 10
                        Repeater {
                            model: [
                                { label: qsTr("Time"), width: 96 },
                                { label: qsTr("Dir"), width: 72 },
                                { label: qsTr("Name"), width: 150 },
                                { label: qsTr("Room / target"), width: 150 },
                                { label: qsTr("User"), width: 100 },
                                { label: qsTr("Conn"), width: 56 },
                                { label: qsTr("Detail"), width: -1 }
                            ]
                            delegate: Label {
                                required property var modelData
                                text: modelData.label
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                                font.weight: Font.DemiBold
                                Layout.preferredWidth: modelData.width
                                Layout.fillWidth: modelData.width < 0
                            }
                        }
                    }
                }

                ListView {
                    id: list
                    objectName: "eventsList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: events
                    boundsBehavior: Flickable.StopAtBounds
                    reuseItems: true
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: row
                        required property int index
                        required property string time
                        required property string direction
                        required property string name
                        required property string room
                        required property string userId
                        required property real connectionId
                        required property string detail
                        width: ListView.view.width
                        height: 26
                        color: index % 2 ? Theme.surfaceAlt : Theme.surface
                        RowLayout {
                            anchors { fill: parent; leftMargin: 10; rightMargin: 10 }
                            spacing: 10
                            Label { text: row.time; color: Theme.textMuted; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 96 }
                            Item {
                                Layout.preferredWidth: 72
                                implicitHeight: 18
                                Pill {
                                    anchors.verticalCenter: parent.verticalCenter
                                    text: row.direction === "in" ? qsTr("in") : row.direction === "out" ? qsTr("out") : qsTr("system")
                                    tint: row.direction === "in" ? Theme.inbound : row.direction === "out" ? Theme.outbound : Theme.system
                                }
                            }
                            Label { text: row.name; color: Theme.textStrong; elide: Text.ElideRight; Layout.preferredWidth: 150 }
                            Label { text: row.room; color: Theme.text; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight; Layout.preferredWidth: 150 }
                            Label { text: row.userId; color: Theme.text; elide: Text.ElideRight; Layout.preferredWidth: 100 }
                            Label { text: row.connectionId > 0 ? "#" + row.connectionId : ""; color: Theme.textMuted; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: Math.max(56, implicitWidth) }
                            Label { text: row.detail; color: Theme.textMuted; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight; Layout.fillWidth: true; textFormat: Text.PlainText }
                        }
                    }

                    EmptyState {
                        anchors.centerIn: parent
                        width: parent.width - 40
                        visible: events.count === 0
                        glyph: "≣"
                        title: events.bufferedCount > 0 ? qsTr("No event matches the filters") : qsTr("No events yet")
                        text: events.bufferedCount > 0 ? "" : qsTr("Connects, disconnects and every emitted event show up here as they happen.")
                    }
                }
            }
        }
    }
}
