pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Durable queues: depth by state, rates, dead letters. The server has no durable queues yet
// (SPEC §4 is its own issue), so QueuesModel is empty and the page says so plainly; the
// layout is the one the queue issue fills in.
ScrollView {
    id: page

    contentWidth: availableWidth
    clip: true

    QueuesModel { id: queues }

    ColumnLayout {
        width: page.availableWidth
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Queues")
            subtitle: qsTr("Durable job queues: depth by state, rates, dead letters")
            Layout.fillWidth: true
            Layout.margins: Theme.spacingLarge
            Layout.bottomMargin: 0
            Pill {
                objectName: "queuesAvailability"
                text: queues.available ? qsTr("enabled") : qsTr("not available yet")
                tint: queues.available ? Theme.ok : Theme.warn
            }
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            columns: 4
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            KpiTile { Layout.fillWidth: true; objectName: "queueReady"; title: qsTr("Ready"); value: queues.available ? "0" : "—"; accent: Theme.series1 }
            KpiTile { Layout.fillWidth: true; objectName: "queueInFlight"; title: qsTr("In flight"); value: queues.available ? "0" : "—"; accent: Theme.series2 }
            KpiTile { Layout.fillWidth: true; objectName: "queueDelayed"; title: qsTr("Delayed"); value: queues.available ? "0" : "—"; accent: Theme.series3 }
            KpiTile { Layout.fillWidth: true; objectName: "queueDead"; title: qsTr("Dead letters"); value: queues.available ? "0" : "—"; accent: Theme.series5 }
        }

        Card {
            objectName: "queuesCard"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            title: qsTr("Queues")
            subtitle: qsTr("Per queue: ready, in flight, delayed, dead; enqueue and ack rates; consumers")

            ColumnLayout {
                anchors { left: parent.left; right: parent.right }
                spacing: 0
                // Column header, as the queue table will show it.
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 30
                    color: Theme.surfaceAlt
                    RowLayout {
                        anchors { fill: parent; leftMargin: 10; rightMargin: 10 }
                        Repeater {
                            model: [qsTr("Queue"), qsTr("Ready"), qsTr("In flight"), qsTr("Delayed"), qsTr("Dead"),
                                    qsTr("Enqueued/s"), qsTr("Acked/s"), qsTr("Consumers")]
                            delegate: Label {
                                required property string modelData
                                required property int index
                                text: modelData
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                                font.weight: Font.DemiBold
                                Layout.fillWidth: true
                                Layout.preferredWidth: index === 0 ? 200 : 90
                            }
                        }
                    }
                }
                EmptyState {
                    objectName: "queuesEmptyState"
                    Layout.fillWidth: true
                    Layout.topMargin: 36
                    Layout.bottomMargin: 36
                    glyph: "☰"
                    title: qsTr("Durable queues are not part of this server version yet")
                    text: qsTr("They arrive with the durable queue issue: named queues stored in SQLite, consumers that ack or nack, retries with backoff and a dead-letter list. This page will then show each queue's depth by state and rates, a chart, and a dead-letter browser with retry, purge and a test enqueue. Today the server exposes no queue statistics, so there is nothing to show.")
                }
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            Layout.bottomMargin: Theme.spacingLarge
            title: qsTr("Dead letters")
            subtitle: qsTr("Messages that used up their attempts: payload, attempts, last error")
            actions: [
                Button { objectName: "dlqRetryAll"; text: qsTr("Retry all"); enabled: false },
                Button { objectName: "dlqPurge"; text: qsTr("Purge"); enabled: false },
                Button { objectName: "queueEnqueueTest"; text: qsTr("Enqueue test message"); enabled: false }
            ]
            Label {
                anchors { left: parent.left; right: parent.right }
                text: qsTr("No dead letters: no queues.")
                color: Theme.textMuted
                horizontalAlignment: Text.AlignHCenter
                topPadding: 16
                bottomPadding: 16
            }
        }
    }
}
