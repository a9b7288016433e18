pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Status banner, headline figures and live charts.
ScrollView {
    id: page

    property int windowSeconds: [60, 300, 900][windowSelector.currentIndex]

    // For the screenshot hook: the shortest window, so a young server fills its charts.
    function demo() {
        windowSelector.currentIndex = 0;
    }

    function formatUptime(s: int): string {
        const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
        if (d > 0)
            return qsTr("%1 d %2 h %3 min").arg(d).arg(h).arg(m);
        if (h > 0)
            return qsTr("%1 h %2 min").arg(h).arg(m);
        if (m > 0)
            return qsTr("%1 min %2 s").arg(m).arg(sec);
        return qsTr("%1 s").arg(sec);
    }
    function rate(v: real): string {
        return v >= 10000 ? Number(v / 1000).toLocaleString(Qt.locale(), "f", 1) + "k"
                          : Number(v).toLocaleString(Qt.locale(), "f", v < 10 && v > 0 ? 1 : 0);
    }

    contentWidth: availableWidth
    clip: true

    ColumnLayout {
        width: page.availableWidth
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Overview")
            subtitle: ServerStatus.remote ? qsTr("Live state of the remote node") : qsTr("Live state of the embedded server")
            Layout.fillWidth: true
            Layout.margins: Theme.spacingLarge
            Layout.bottomMargin: 0

            Label {
                text: qsTr("Window")
                color: Theme.textMuted
            }
            SegmentedControl {
                id: windowSelector
                objectName: "chartWindow"
                options: [qsTr("1 min"), qsTr("5 min"), qsTr("15 min")]
                currentIndex: 1
            }
        }

        // Status banner.
        Rectangle {
            objectName: "statusBanner"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            implicitHeight: 72
            radius: Theme.radius
            color: ServerStatus.running ? Theme.okSoft : Theme.dangerSoft
            border.color: ServerStatus.running ? Qt.darker(Theme.ok, Theme.dark ? 1.8 : 0.9) : Theme.danger

            RowLayout {
                anchors { fill: parent; leftMargin: 18; rightMargin: 14 }
                spacing: 28

                RowLayout {
                    spacing: 10
                    Rectangle {
                        implicitWidth: 12
                        implicitHeight: 12
                        radius: 6
                        color: ServerStatus.running ? Theme.ok : Theme.danger
                    }
                    Label {
                        objectName: "serverStateLabel"
                        text: ServerStatus.running ? qsTr("Running") : qsTr("Stopped")
                        color: Theme.textStrong
                        font.pixelSize: Theme.fontMedium
                        font.weight: Font.DemiBold
                    }
                }
                ColumnLayout {
                    spacing: 2
                    Label { text: qsTr("Listening on"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                    Label {
                        objectName: "urlLabel"
                        text: ServerStatus.running ? ServerStatus.url : "—"
                        color: Theme.textStrong
                        font.family: Theme.monoFamily
                    }
                }
                ColumnLayout {
                    spacing: 2
                    Label { text: qsTr("WebSocket endpoint"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                    Label {
                        objectName: "wsUrlLabel"
                        text: ServerStatus.running ? ServerStatus.wsUrl : "—"
                        color: Theme.textStrong
                        font.family: Theme.monoFamily
                    }
                }
                ColumnLayout {
                    spacing: 2
                    Label { text: qsTr("Uptime"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                    Label {
                        objectName: "uptimeLabel"
                        text: ServerStatus.running ? page.formatUptime(ServerStatus.uptime) : "—"
                        color: Theme.textStrong
                    }
                }
                ColumnLayout {
                    spacing: 2
                    Label { text: qsTr("I/O threads"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                    Label {
                        objectName: "threadsLabel"
                        text: ServerStatus.threads
                        color: Theme.textStrong
                    }
                }
                Item { Layout.fillWidth: true }
                Label {
                    visible: ServerStatus.lastError.length > 0 && !ServerStatus.running
                    text: ServerStatus.lastError
                    color: Theme.danger
                    elide: Text.ElideRight
                    Layout.maximumWidth: 300
                }
                NodeActionsBar {}
                Button {
                    objectName: "startStopButton"
                    // Only the embedded server is started and stopped here.
                    visible: ServerStatus.canStartStop
                    text: ServerStatus.running ? qsTr("Stop server") : qsTr("Start server")
                    onClicked: ServerStatus.running ? ServerStatus.stop() : ServerStatus.start()
                    ToolTip.visible: hovered
                    ToolTip.text: ServerStatus.running ? qsTr("Closes every client with 1001 (going away) and stops listening")
                                                       : qsTr("Listens again on the configured address")
                }
            }
        }

        // Degraded (cluster mode without Redis): local delivery goes on, other nodes miss out.
        Rectangle {
            objectName: "degradedBanner"
            visible: ServerStatus.degradedReason.length > 0
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            implicitHeight: degradedText.implicitHeight + 20
            radius: Theme.radius
            color: Theme.warnSoft
            border.color: Theme.warn

            Label {
                id: degradedText
                objectName: "degradedText"
                anchors { fill: parent; leftMargin: 18; rightMargin: 14 }
                verticalAlignment: Text.AlignVCenter
                wrapMode: Text.Wrap
                text: qsTr("Degraded: %1. Clients of this node are served; emits do not reach the other nodes until it is back.").arg(ServerStatus.degradedReason)
                color: Theme.textStrong
            }
        }

        // KPI tiles.
        GridLayout {
            objectName: "kpiGrid"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            columns: Math.max(2, Math.min(4, Math.floor(width / 220)))
            rowSpacing: Theme.spacing
            columnSpacing: Theme.spacing

            KpiTile {
                objectName: "kpiConnections"
                Layout.fillWidth: true
                title: qsTr("Connections")
                value: Number(ServerStatus.connections).toLocaleString(Qt.locale(), "f", 0)
                note: qsTr("%1 total since start · limit %2").arg(ServerStatus.totalConnections).arg(ServerStatus.maxConnections)
                level: ServerStatus.connections >= ServerStatus.maxConnections ? 2
                     : ServerStatus.connections >= ServerStatus.maxConnections * 0.9 ? 1 : 0
                accent: Theme.series1
            }
            KpiTile {
                objectName: "kpiUsers"
                Layout.fillWidth: true
                title: qsTr("Users")
                value: Number(ServerStatus.users).toLocaleString(Qt.locale(), "f", 0)
                note: qsTr("distinct user ids online")
                accent: Theme.series2
            }
            KpiTile {
                objectName: "kpiRooms"
                Layout.fillWidth: true
                title: qsTr("Rooms")
                value: Number(ServerStatus.rooms).toLocaleString(Qt.locale(), "f", 0)
                note: qsTr("with at least one member")
                accent: Theme.series4
            }
            KpiTile {
                objectName: "kpiQueueDepth"
                Layout.fillWidth: true
                title: qsTr("Queue depth")
                value: Number(ServerStatus.queueDepth).toLocaleString(Qt.locale(), "f", 0)
                note: qsTr("ready + in flight + delayed")
                accent: Theme.series3
            }
            KpiTile {
                objectName: "kpiEventsIn"
                Layout.fillWidth: true
                title: qsTr("Events in")
                value: page.rate(ServerStatus.eventsInPerSec)
                unit: qsTr("/s")
                note: qsTr("messages from clients")
                accent: Theme.series2
            }
            KpiTile {
                objectName: "kpiEventsOut"
                Layout.fillWidth: true
                title: qsTr("Events out")
                value: page.rate(ServerStatus.eventsOutPerSec)
                unit: qsTr("/s")
                note: qsTr("messages written to sockets")
                accent: Theme.series1
            }
            KpiTile {
                objectName: "kpiErrorRate"
                Layout.fillWidth: true
                title: qsTr("Error rate")
                value: Number(ServerStatus.errorsPerSec).toLocaleString(Qt.locale(), "f", ServerStatus.errorsPerSec > 0 && ServerStatus.errorsPerSec < 10 ? 1 : 0)
                unit: qsTr("/s")
                note: qsTr("%1 auth failures · %2 rate limited").arg(ServerStatus.authFailures).arg(ServerStatus.rateLimited)
                level: ServerStatus.errorsPerSec >= 10 ? 2 : (ServerStatus.errorsPerSec > 0 ? 1 : 0)
                accent: Theme.series5
            }
            KpiTile {
                objectName: "kpiP99"
                Layout.fillWidth: true
                title: qsTr("p99 latency")
                value: Number(ServerStatus.p99Ms).toLocaleString(Qt.locale(), "f", ServerStatus.p99Ms < 10 ? 2 : 0)
                unit: qsTr("ms")
                note: qsTr("emit → socket write · p50 %1 ms").arg(Number(ServerStatus.p50Ms).toLocaleString(Qt.locale(), "f", 2))
                level: ServerStatus.p99Ms >= 250 ? 2 : (ServerStatus.p99Ms >= 50 ? 1 : 0)
                accent: Theme.series3
            }
        }

        // The cluster: this node and the others it sees through Redis.
        Card {
            objectName: "clusterPanel"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            title: qsTr("Cluster")
            subtitle: ServerStatus.clustered
                      ? qsTr("This node: %1 · Redis %2").arg(ServerStatus.nodeName).arg(ServerStatus.redisAddress || "—")
                      : ""

            ColumnLayout {
                anchors { left: parent.left; right: parent.right }
                spacing: 6

                Label {
                    objectName: "singleNodeLabel"
                    visible: !ServerStatus.clustered
                    text: qsTr("Single node (start with --redis to join a cluster)")
                    color: Theme.textMuted
                }
                Label {
                    objectName: "clusterNodeCount"
                    visible: ServerStatus.clustered
                    text: qsTr("%1 of %2 nodes up").arg(ServerStatus.clusterNodesUp).arg(ServerStatus.clusterNodes.length)
                    color: Theme.textStrong
                    font.weight: Font.DemiBold
                }
                GridLayout {
                    objectName: "clusterNodesTable"
                    visible: ServerStatus.clustered
                    Layout.fillWidth: true
                    columns: 7
                    columnSpacing: 18
                    rowSpacing: 4

                    Repeater {
                        model: [qsTr("Node"), qsTr("State"), qsTr("Connections"), qsTr("Users"), qsTr("In /s"), qsTr("Out /s"), qsTr("Uptime")]
                        Label {
                            required property string modelData
                            text: modelData
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    Repeater {
                        objectName: "clusterNodeCells"
                        // Seven cells per node, row by row.
                        model: ServerStatus.clusterNodes.length * 7
                        Item {
                            id: cell
                            required property int index
                            readonly property var node: ServerStatus.clusterNodes[Math.floor(index / 7)] || ({})
                            readonly property int column: index % 7
                            objectName: column === 0 ? "clusterNode_" + (node.name || "") : ""
                            implicitWidth: column === 1 ? statePill.implicitWidth : cellText.implicitWidth
                            implicitHeight: 20
                            Layout.fillWidth: column === 0

                            Pill {
                                id: statePill
                                objectName: cell.column === 1 ? "clusterNodeState_" + (cell.node.name || "") : ""
                                visible: cell.column === 1
                                anchors.verticalCenter: parent.verticalCenter
                                text: cell.node.state || ""
                                tint: cell.node.state === "up" ? Theme.ok : cell.node.state === "degraded" ? Theme.warn : Theme.danger
                            }
                            Label {
                                id: cellText
                                visible: cell.column !== 1
                                anchors.verticalCenter: parent.verticalCenter
                                color: Theme.textStrong
                                font.family: cell.column === 0 ? Theme.monoFamily : font.family
                                text: {
                                    const n = cell.node;
                                    switch (cell.column) {
                                    case 0: return (n.name || "") + (n.self ? qsTr(" (this node)") : "");
                                    case 2: return Number(n.connections || 0).toLocaleString(Qt.locale(), "f", 0);
                                    case 3: return Number(n.users || 0).toLocaleString(Qt.locale(), "f", 0);
                                    case 4: return page.rate(n.messagesInPerSec || 0);
                                    case 5: return page.rate(n.messagesOutPerSec || 0);
                                    case 6: return page.formatUptime(n.uptime || 0);
                                    }
                                    return "";
                                }
                            }
                        }
                    }
                }
            }
        }

        // Charts.
        GridLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            Layout.bottomMargin: Theme.spacingLarge
            columns: width > 1000 ? 2 : 1
            rowSpacing: Theme.spacing
            columnSpacing: Theme.spacing

            MetricChart {
                objectName: "connectionsChart"
                Layout.fillWidth: true
                title: qsTr("Connections")
                windowSeconds: page.windowSeconds
                metric1: SeriesFeeder.Connections
                name1: qsTr("connections")
                metric2: SeriesFeeder.Users
                name2: qsTr("users")
            }
            MetricChart {
                objectName: "throughputChart"
                Layout.fillWidth: true
                title: qsTr("Throughput")
                windowSeconds: page.windowSeconds
                metric1: SeriesFeeder.EventsOut
                name1: qsTr("out")
                metric2: SeriesFeeder.EventsIn
                name2: qsTr("in")
                unit: qsTr("/s")
            }
            MetricChart {
                objectName: "queueChart"
                Layout.fillWidth: true
                title: qsTr("Queue depth")
                windowSeconds: page.windowSeconds
                metric1: SeriesFeeder.QueueDepth
                name1: qsTr("messages")
            }
            MetricChart {
                objectName: "latencyChart"
                Layout.fillWidth: true
                title: qsTr("Latency")
                windowSeconds: page.windowSeconds
                metric1: SeriesFeeder.P50
                name1: qsTr("p50")
                metric2: SeriesFeeder.P95
                name2: qsTr("p95")
                metric3: SeriesFeeder.P99
                name3: qsTr("p99")
                unit: qsTr("ms")
                decimals: 2
                minimumMax: 0.1
            }
        }
    }
}
