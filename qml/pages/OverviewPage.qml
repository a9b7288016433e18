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
            subtitle: qsTr("Live state of the embedded server")
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
                Button {
                    objectName: "startStopButton"
                    text: ServerStatus.running ? qsTr("Stop server") : qsTr("Start server")
                    onClicked: ServerStatus.running ? ServerStatus.stop() : ServerStatus.start()
                    ToolTip.visible: hovered
                    ToolTip.text: ServerStatus.running ? qsTr("Closes every client with 1001 (going away) and stops listening")
                                                       : qsTr("Listens again on the configured address")
                }
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
