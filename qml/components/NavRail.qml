pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// The left navigation rail: product name, one button per page, server state at the bottom.
Rectangle {
    id: rail

    required property int currentIndex
    signal pageRequested(int index)
    signal connectRequested()

    color: Theme.rail
    implicitWidth: Theme.railWidth

    Rectangle {
        anchors { right: parent.right; top: parent.top; bottom: parent.bottom }
        width: 1
        color: Theme.border
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 2

        RowLayout {
            spacing: 10
            Layout.bottomMargin: 18
            Layout.topMargin: 4
            Rectangle {
                implicitWidth: 28
                implicitHeight: 28
                radius: 6
                color: Theme.accent
                Label {
                    anchors.centerIn: parent
                    text: "⇆"
                    color: "white"
                    font.pixelSize: 16
                    font.bold: true
                }
            }
            ColumnLayout {
                spacing: 0
                Label {
                    text: qsTr("Switchboard")
                    color: Theme.textStrong
                    font.pixelSize: Theme.fontMedium
                    font.weight: Font.DemiBold
                }
                Label {
                    text: qsTr("Operator console")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                }
            }
        }

        Repeater {
            model: [
                { name: "overview", glyph: "▦", label: qsTr("Overview") },
                { name: "connections", glyph: "⇄", label: qsTr("Connections") },
                { name: "rooms", glyph: "⌂", label: qsTr("Rooms") },
                { name: "queues", glyph: "☰", label: qsTr("Queues") },
                { name: "events", glyph: "≣", label: qsTr("Events") },
                { name: "emit", glyph: "➤", label: qsTr("Emit") },
                { name: "settings", glyph: "⚙", label: qsTr("Settings") }
            ]
            delegate: NavButton {
                required property var modelData
                required property int index
                objectName: "nav_" + modelData.name
                text: modelData.label
                glyph: modelData.glyph
                current: rail.currentIndex === index
                badge: modelData.name === "connections" ? ServerStatus.connections
                     : modelData.name === "rooms" ? ServerStatus.rooms : -1
                Layout.fillWidth: true
                onClicked: rail.pageRequested(index)
            }
        }

        Item { Layout.fillHeight: true }

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: statusColumn.implicitHeight + 16
            radius: Theme.radius
            color: Theme.surfaceAlt
            border.color: Theme.border
            ColumnLayout {
                id: statusColumn
                anchors { fill: parent; margins: 8 }
                spacing: 2
                RowLayout {
                    spacing: 6
                    Rectangle {
                        implicitWidth: 8
                        implicitHeight: 8
                        radius: 4
                        color: ServerStatus.stale ? Theme.warn : (ServerStatus.running ? Theme.ok : Theme.danger)
                    }
                    Label {
                        objectName: "railServerState"
                        // A remote node's link state is always in view: connected, reconnecting, refused.
                        text: !ServerStatus.remote ? (ServerStatus.running ? qsTr("Server running") : qsTr("Server stopped"))
                            : ServerStatus.link === "connected" ? qsTr("Remote: connected")
                            : ServerStatus.link === "refused" ? qsTr("Remote: refused")
                            : ServerStatus.link === "connecting" ? qsTr("Remote: connecting…")
                            : qsTr("Remote: reconnecting…")
                        color: Theme.text
                        font.pixelSize: Theme.fontSmall
                        font.weight: Font.DemiBold
                    }
                }
                Label {
                    text: ServerStatus.remote ? ServerStatus.displayName : (ServerStatus.running ? ServerStatus.url : "—")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                    font.family: Theme.monoFamily
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Button {
                    objectName: "backToLocal"
                    visible: ServerStatus.canReturnToLocal
                    text: qsTr("Back to the embedded server")
                    flat: true
                    font.pixelSize: Theme.fontSmall
                    onClicked: ServerStatus.returnToLocal()
                    Layout.fillWidth: true
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Leave the remote node and show the server running in this console again")
                }
                Button {
                    objectName: "connectToServer"
                    text: qsTr("Connect to server…")
                    flat: true
                    font.pixelSize: Theme.fontSmall
                    onClicked: rail.connectRequested()
                    Layout.fillWidth: true
                }
                Label {
                    text: qsTr("v%1").arg(ConsoleSettings.version)
                    color: Theme.textFaint
                    font.pixelSize: Theme.fontSmall
                }
            }
        }
    }
}
