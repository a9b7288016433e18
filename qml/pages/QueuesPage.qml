pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Durable queues: depth by state and rates per queue, the depth over time, the dead-letter
// browser (retry one or all, purge) and a test enqueue. Reads come from the stats snapshot;
// everything that touches the store runs on the queue thread (QueueActions, DeadLettersModel).
Item {
    id: page

    // The queue the chart and the dead-letter browser show; empty = all queues (chart only).
    property string selectedQueue
    // Re-read when the role or the link changes (the node's welcome says what the role allows).
    readonly property bool canRetry: ServerStatus.permissions >= 0 && ServerStatus.allows("retry_dead")
    property int windowSeconds: [60, 300, 900][windowSelector.currentIndex]
    readonly property QueuesModel model: queues
    readonly property DeadLettersModel deadLetters: dlq
    readonly property BridgesModel bridgeModel: bridges

    // For the screenshot hook: the short chart window and the queue with the most dead letters.
    function demo() {
        windowSelector.currentIndex = 0;
        let best = "";
        for (let i = 0; i < queues.count; ++i) {
            const name = queues.nameAt(i);
            if (best.length === 0 || queues.deadOf(name) > queues.deadOf(best))
                best = name;
        }
        selectedQueue = best;
    }
    function openEnqueue() {
        if (selectedQueue.length > 0)
            enqueueQueue.text = selectedQueue;
        enqueueDialog.open();
    }

    function priorityText(priority: string): string {
        return priority === "high" ? qsTr("high") : priority === "low" ? qsTr("low") : qsTr("normal");
    }
    function count(v: real): string {
        return Number(v).toLocaleString(Qt.locale(), "f", 0);
    }
    function bridgeStateText(state: string): string {
        return state === "connected" ? qsTr("connected") : state === "connecting" ? qsTr("connecting")
             : state === "disconnected" ? qsTr("disconnected") : state === "stopped" ? qsTr("stopped") : state;
    }
    function bridgeStateTint(state: string): color {
        return state === "connected" ? Theme.ok : state === "connecting" ? Theme.warn : Theme.danger;
    }
    function rate(v: real): string {
        return v >= 10000 ? Number(v / 1000).toLocaleString(Qt.locale(), "f", 1) + "k"
                          : Number(v).toLocaleString(Qt.locale(), "f", v < 10 && v > 0 ? 1 : 0);
    }

    QueuesModel {
        id: queues
        active: page.visible
    }
    BridgesModel { id: bridges }
    DeadLettersModel {
        id: dlq
        active: page.visible && page.selectedQueue.length > 0
        queue: page.selectedQueue
    }
    // Dead-letter actions and the test enqueue report separately, each beside its controls.
    QueueActions { id: dlqActions }
    QueueActions { id: enqueueActions }

    ColumnLayout {
        anchors { fill: parent; margins: Theme.spacingLarge }
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Queues")
            subtitle: qsTr("Durable job queues: depth by state, rates, dead letters")
            Layout.fillWidth: true
            Pill {
                objectName: "queuesAvailability"
                text: !queues.available ? qsTr("unavailable") : queues.durable ? qsTr("durable") : qsTr("in memory")
                tint: !queues.available ? Theme.danger : queues.durable ? Theme.ok : Theme.warn
            }
            Label {
                text: qsTr("Window")
                color: Theme.textMuted
            }
            SegmentedControl {
                id: windowSelector
                objectName: "queueChartWindow"
                options: [qsTr("1 min"), qsTr("5 min"), qsTr("15 min")]
                currentIndex: 1
            }
        }

        // Totals over every queue.
        GridLayout {
            Layout.fillWidth: true
            columns: 6
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            KpiTile {
                objectName: "queueReady"
                Layout.fillWidth: true
                title: qsTr("Ready")
                value: queues.available ? page.count(queues.ready) : "—"
                note: qsTr("waiting for a consumer")
                accent: Theme.series1
            }
            KpiTile {
                objectName: "queueInFlight"
                Layout.fillWidth: true
                title: qsTr("In flight")
                value: queues.available ? page.count(queues.inFlight) : "—"
                note: qsTr("delivered, not yet acked")
                accent: Theme.series2
            }
            KpiTile {
                objectName: "queueDelayed"
                Layout.fillWidth: true
                title: qsTr("Delayed")
                value: queues.available ? page.count(queues.delayed) : "—"
                note: qsTr("backoff or delay pending")
                accent: Theme.series3
            }
            KpiTile {
                objectName: "queueDead"
                Layout.fillWidth: true
                title: qsTr("Dead letters")
                value: queues.available ? page.count(queues.dead) : "—"
                note: qsTr("used up their attempts")
                accent: Theme.series5
                level: queues.dead > 0 ? 1 : 0
            }
            KpiTile {
                objectName: "queueConsumers"
                Layout.fillWidth: true
                title: qsTr("Consumers")
                value: queues.available ? page.count(queues.consumers) : "—"
                note: qsTr("%n queue(s)", "", queues.count)
                accent: Theme.series4
            }
            KpiTile {
                objectName: "queueThroughput"
                Layout.fillWidth: true
                title: qsTr("Enqueued")
                value: queues.available ? page.rate(queues.enqueuedPerSec) : "—"
                unit: qsTr("/s")
                note: qsTr("acked %1/s · nacked %2/s").arg(page.rate(queues.ackedPerSec)).arg(page.rate(queues.nackedPerSec))
                accent: Theme.accent
            }
        }

        // Per queue.
        Card {
            id: tableCard
            objectName: "queuesCard"
            Layout.fillWidth: true
            Layout.preferredHeight: 250
            title: qsTr("Queues")
            subtitle: queues.available ? qsTr("Store: %1 · click a queue for its chart and dead letters").arg(queues.storeDescription)
                                       : qsTr("The durable queue store is not available")
            actions: [
                RoleGate {
                    id: gate_queueEnqueueTest
                    action: "enqueue"
                    Button {
                        objectName: "queueEnqueueTest"
                        text: qsTr("Enqueue test message…")
                        enabled: gate_queueEnqueueTest.allowed && (queues.available)
                        onClicked: page.openEnqueue()
                        anchors.fill: parent
                    }
                }
            ]

            Item {
                id: table
                anchors.fill: parent
                implicitHeight: 160

                // Column widths: the name takes what the nine figures leave.
                readonly property real figureWidth: Math.max(58, Math.min(110, (width - 170) / 9))
                readonly property real nameWidth: width - 9 * figureWidth
                readonly property list<string> titles: [qsTr("Queue"), qsTr("Ready"), qsTr("In flight"), qsTr("Delayed"),
                    qsTr("Dead"), qsTr("Consumers"), qsTr("Enqueued/s"), qsTr("Acked/s"), qsTr("Nacked/s"), qsTr("Dead-lettered/s")]

                component QueueCells: Row {
                    id: cells
                    required property list<string> values
                    property real nameWidth: 200
                    property real figureWidth: 80
                    property bool strong: false
                    property bool header: false
                    Repeater {
                        model: cells.values
                        delegate: Label {
                            id: cell
                            required property string modelData
                            required property int index
                            width: index === 0 ? cells.nameWidth : cells.figureWidth
                            height: cells.height
                            leftPadding: index === 0 ? 10 : 4
                            rightPadding: 10
                            verticalAlignment: Text.AlignVCenter
                            horizontalAlignment: index === 0 ? Text.AlignLeft : Text.AlignRight
                            text: modelData
                            elide: Text.ElideRight
                            color: cells.header ? Theme.textMuted : (index === 4 && modelData !== "0" ? Theme.danger : Theme.text)
                            font.pixelSize: cells.header ? Theme.fontSmall : Theme.fontNormal
                            font.weight: cells.header || cells.strong ? Font.DemiBold : Font.Normal
                            font.family: cells.header || (index === 0 && !cells.strong) ? Qt.application.font.family : Theme.monoFamily
                            ToolTip.visible: cells.header && hover.hovered && truncated
                            ToolTip.text: modelData
                            HoverHandler { id: hover }
                        }
                    }
                }

                Rectangle {
                    id: tableHeader
                    anchors { left: parent.left; right: parent.right; top: parent.top }
                    height: 30
                    color: Theme.surfaceAlt
                    QueueCells {
                        anchors.fill: parent
                        nameWidth: table.nameWidth
                        figureWidth: table.figureWidth
                        header: true
                        values: table.titles
                    }
                }

                ListView {
                    id: queueList
                    objectName: "queuesList"
                    anchors { left: parent.left; right: parent.right; top: tableHeader.bottom; bottom: totalsRow.top }
                    clip: true
                    model: queues
                    boundsBehavior: Flickable.StopAtBounds
                    ScrollBar.vertical: ScrollBar {
                        policy: queueList.contentHeight > queueList.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
                    }
                    delegate: ItemDelegate {
                        id: queueRow
                        required property int index
                        required property string name
                        required property real ready
                        required property real inFlight
                        required property real delayed
                        required property real dead
                        required property real consumers
                        required property real enqueuedPerSec
                        required property real ackedPerSec
                        required property real nackedPerSec
                        required property real deadLetteredPerSec
                        objectName: "queueRow_" + name
                        width: ListView.view.width
                        height: Theme.rowHeight
                        padding: 0
                        highlighted: page.selectedQueue === name
                        background: Rectangle {
                            color: queueRow.highlighted ? Theme.selection
                                 : queueRow.hovered ? Theme.surfaceHover
                                 : (queueRow.index % 2 ? Theme.surfaceAlt : Theme.surface)
                        }
                        contentItem: QueueCells {
                            nameWidth: table.nameWidth
                            figureWidth: table.figureWidth
                            values: [queueRow.name, page.count(queueRow.ready), page.count(queueRow.inFlight),
                                     page.count(queueRow.delayed), page.count(queueRow.dead), page.count(queueRow.consumers),
                                     page.rate(queueRow.enqueuedPerSec), page.rate(queueRow.ackedPerSec),
                                     page.rate(queueRow.nackedPerSec), page.rate(queueRow.deadLetteredPerSec)]
                        }
                        onClicked: page.selectedQueue = name
                    }

                    EmptyState {
                        objectName: "queuesEmptyState"
                        anchors.centerIn: parent
                        width: parent.width - 40
                        visible: queues.count === 0
                        glyph: "☰"
                        title: queues.available ? qsTr("No queues yet") : qsTr("The durable queue store is not available")
                        text: queues.available
                              ? qsTr("A queue is created on first use: an enqueue (POST /api/queues/NAME/messages, or Enqueue test message…) or a consumer's {\"type\":\"consume\"}.")
                              : qsTr("Queues run with the server: start it on the Overview page.")
                    }
                }

                // Totals; clicking it charts every queue together.
                ItemDelegate {
                    id: totalsRow
                    objectName: "queueRow_all"
                    anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
                    height: Theme.rowHeight
                    padding: 0
                    highlighted: page.selectedQueue.length === 0
                    background: Rectangle {
                        color: totalsRow.highlighted ? Theme.selection : totalsRow.hovered ? Theme.surfaceHover : Theme.surfaceAlt
                        Rectangle { anchors { left: parent.left; right: parent.right; top: parent.top } height: 1; color: Theme.border }
                    }
                    contentItem: QueueCells {
                        nameWidth: table.nameWidth
                        figureWidth: table.figureWidth
                        strong: true
                        values: [qsTr("All queues"), page.count(queues.ready), page.count(queues.inFlight),
                                 page.count(queues.delayed), page.count(queues.dead), page.count(queues.consumers),
                                 page.rate(queues.enqueuedPerSec), page.rate(queues.ackedPerSec),
                                 page.rate(queues.nackedPerSec), page.rate(queues.deadLetteredPerSec)]
                    }
                    onClicked: page.selectedQueue = ""
                }
            }
        }

        // The message-broker bridge (docs/bridges.md), only when one is configured: its
        // connection, then per binding the state, rates and counters and the last error.
        Card {
            id: bridgeCard
            objectName: "bridgeCard"
            visible: bridges.count > 0
            Layout.fillWidth: true
            Layout.preferredHeight: 112 + Math.min(bridges.count, 3) * Theme.rowHeight
            title: qsTr("RabbitMQ bridge")
            // Concatenated, not arg()ed: the URL and the error carry % escapes of their own.
            subtitle: bridges.url + " · " + qsTr("%1 · %n connect(s)", "", bridges.connects).arg(page.bridgeStateText(bridges.state))
                      + (bridges.lastError.length > 0 ? " · " + bridges.lastError : "")
            actions: [
                Pill {
                    objectName: "bridgeState"
                    text: page.bridgeStateText(bridges.state)
                    tint: page.bridgeStateTint(bridges.state)
                }
            ]

            Item {
                id: bridgeTable
                anchors.fill: parent
                implicitHeight: 30 + Theme.rowHeight

                readonly property real figureWidth: Math.max(58, Math.min(100, (width - 300) / 5))
                readonly property real textWidth: (width - 5 * figureWidth) / 4
                readonly property list<string> titles: [qsTr("Queue"), qsTr("Exchange"), qsTr("Routing keys"),
                    qsTr("Received/s"), qsTr("Emitted/s"), qsTr("Rejected/s"), qsTr("Rejected"), qsTr("Redelivered"),
                    qsTr("Last error")]

                component BridgeCells: Row {
                    id: bridgeCells
                    required property list<string> values
                    property bool header: false
                    Repeater {
                        model: bridgeCells.values
                        delegate: Label {
                            required property string modelData
                            required property int index
                            readonly property bool figure: index >= 3 && index <= 7
                            width: figure ? bridgeTable.figureWidth : bridgeTable.textWidth
                            height: bridgeCells.height
                            leftPadding: figure ? 4 : 10
                            rightPadding: figure ? 10 : 4
                            verticalAlignment: Text.AlignVCenter
                            horizontalAlignment: figure ? Text.AlignRight : Text.AlignLeft
                            text: modelData
                            elide: Text.ElideRight
                            color: bridgeCells.header ? Theme.textMuted
                                 : ((index === 5 || index === 6) && modelData !== "0") || index === 8 ? Theme.danger : Theme.text
                            font.pixelSize: bridgeCells.header ? Theme.fontSmall : Theme.fontNormal
                            font.weight: bridgeCells.header ? Font.DemiBold : Font.Normal
                            font.family: bridgeCells.header || !figure ? Qt.application.font.family : Theme.monoFamily
                            ToolTip.visible: !bridgeCells.header && cellHover.hovered && truncated
                            ToolTip.text: modelData
                            HoverHandler { id: cellHover }
                        }
                    }
                }

                Rectangle {
                    id: bridgeHeader
                    anchors { left: parent.left; right: parent.right; top: parent.top }
                    height: 30
                    color: Theme.surfaceAlt
                    BridgeCells {
                        anchors.fill: parent
                        header: true
                        values: bridgeTable.titles
                    }
                }

                ListView {
                    id: bridgeList
                    objectName: "bridgeBindings"
                    anchors { left: parent.left; right: parent.right; top: bridgeHeader.bottom; bottom: parent.bottom }
                    clip: true
                    model: bridges
                    boundsBehavior: Flickable.StopAtBounds
                    ScrollBar.vertical: ScrollBar {
                        policy: bridgeList.contentHeight > bridgeList.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
                    }
                    delegate: Rectangle {
                        id: bindingRow
                        required property int index
                        required property string queue
                        required property string exchange
                        required property string routingKeys
                        required property real receivedPerSec
                        required property real emittedPerSec
                        required property real rejectedPerSec
                        required property real received
                        required property real emitted
                        required property real rejected
                        required property real redelivered
                        required property string lastError
                        objectName: "bridgeRow_" + queue
                        width: ListView.view.width
                        height: Theme.rowHeight
                        color: index % 2 ? Theme.surfaceAlt : Theme.surface
                        BridgeCells {
                            anchors.fill: parent
                            values: [bindingRow.queue, bindingRow.exchange, bindingRow.routingKeys,
                                     page.rate(bindingRow.receivedPerSec), page.rate(bindingRow.emittedPerSec),
                                     page.rate(bindingRow.rejectedPerSec), page.count(bindingRow.rejected),
                                     page.count(bindingRow.redelivered), bindingRow.lastError]
                        }
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            MetricChart {
                id: depthChart
                objectName: "queueDepthChart"
                Layout.fillWidth: true
                Layout.fillHeight: true
                // 2 : 3 with the dead letters (a layout grows fill items in proportion).
                Layout.preferredWidth: 400
                Layout.minimumWidth: 260
                title: qsTr("Depth by state")
                legendInBody: true
                subtitle: page.selectedQueue.length > 0 ? page.selectedQueue : qsTr("all queues")
                windowSeconds: page.windowSeconds
                queues: queues
                queue: page.selectedQueue
                metric1: SeriesFeeder.QueueReady
                name1: qsTr("ready")
                metric2: SeriesFeeder.QueueInFlight
                name2: qsTr("in flight")
                metric3: SeriesFeeder.QueueDelayed
                name3: qsTr("delayed")
                metric4: SeriesFeeder.QueueDead
                name4: qsTr("dead")
                color4: Theme.series5
            }

            Card {
                id: dlqCard
                objectName: "deadLettersCard"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 600
                Layout.minimumWidth: 440
                title: page.selectedQueue.length > 0 ? qsTr("Dead letters of %1").arg(page.selectedQueue) : qsTr("Dead letters")
                subtitle: qsTr("Messages that used up their attempts: payload, attempts, last error")
                actions: [
                    RoleGate {
                        id: gate_dlqRetryAll
                        action: "retry_dead"
                        Button {
                            objectName: "dlqRetryAll"
                            text: qsTr("Retry all")
                            enabled: gate_dlqRetryAll.allowed && (page.selectedQueue.length > 0 && dlq.total > 0 && !dlqActions.busy)
                            onClicked: dlqActions.retryAll(page.selectedQueue)
                            anchors.fill: parent
                        }
                    },
                    RoleGate {
                        id: gate_dlqPurge
                        action: "purge_dead"
                        Button {
                            objectName: "dlqPurge"
                            text: qsTr("Purge…")
                            enabled: gate_dlqPurge.allowed && (page.selectedQueue.length > 0 && dlq.total > 0 && !dlqActions.busy)
                            palette.buttonText: Theme.danger
                            onClicked: {
                                purgeDialog.queue = page.selectedQueue;
                                purgeDialog.letters = dlq.total;
                                purgeDialog.open();
                            }
                            anchors.fill: parent
                        }
                    }
                ]

                ColumnLayout {
                    anchors.fill: parent
                    spacing: 6

                    EmptyState {
                        visible: page.selectedQueue.length === 0
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        glyph: "☠"
                        title: qsTr("Select a queue")
                        text: qsTr("Its dead letters appear here, 50 at a time, with retry and purge.")
                    }

                    // Column header.
                    Rectangle {
                        id: dlqHeader
                        visible: page.selectedQueue.length > 0
                        Layout.fillWidth: true
                        implicitHeight: 28
                        color: Theme.surfaceAlt
                        // Id, dead since, attempts, last error, payload (the rest), the Retry button.
                        readonly property real retryWidth: retryMetrics.advanceWidth + 24
                        readonly property list<real> widths: [48, 104, 64,
                            Math.max(60, (width - 16 - 5 * 8 - 48 - 104 - 64 - retryWidth) * 0.45), 0, retryWidth]
                        TextMetrics {
                            id: retryMetrics
                            font.pixelSize: Theme.fontNormal
                            text: qsTr("Retry")
                        }
                        RowLayout {
                            anchors { fill: parent; leftMargin: 10; rightMargin: 6 }
                            spacing: 8
                            Repeater {
                                model: [qsTr("Id"), qsTr("Dead since"), qsTr("Attempts"), qsTr("Last error"), qsTr("Payload"), ""]
                                delegate: Label {
                                    required property string modelData
                                    required property int index
                                    text: modelData
                                    color: Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                    font.weight: Font.DemiBold
                                    elide: Text.ElideRight
                                    Layout.fillWidth: index === 4
                                    Layout.preferredWidth: dlqHeader.widths[index]
                                }
                            }
                        }
                    }

                    ListView {
                        id: dlqList
                        objectName: "dlqList"
                        visible: page.selectedQueue.length > 0
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        model: dlq
                        boundsBehavior: Flickable.StopAtBounds
                        ScrollBar.vertical: ScrollBar {
                            policy: dlqList.contentHeight > dlqList.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
                        }
                        delegate: Rectangle {
                            id: letter
                            required property int index
                            required property real messageId
                            required property string payload
                            required property int attempts
                            required property int maxAttempts
                            required property string lastError
                            required property string deadAt
                            required property string deadAtShort
                            required property string priority
                            objectName: "dlqRow_" + messageId
                            width: ListView.view.width
                            implicitHeight: Theme.rowHeight + 4
                            color: letterHover.hovered ? Theme.surfaceHover : (index % 2 ? Theme.surfaceAlt : Theme.surface)
                            HoverHandler { id: letterHover }
                            ToolTip.visible: letterHover.hovered
                            ToolTip.delay: 600
                            ToolTip.text: qsTr("Message %1 · priority %2 · dead since %3\nLast error: %4\n\n%5")
                                              .arg(messageId).arg(page.priorityText(priority)).arg(deadAt).arg(lastError.length > 0 ? lastError : "—")
                                              .arg(dlq.prettyPayload(index))
                            RowLayout {
                                anchors { fill: parent; leftMargin: 10; rightMargin: 6 }
                                spacing: 8
                                Label {
                                    text: letter.messageId
                                    color: Theme.textMuted
                                    font.family: Theme.monoFamily
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: dlqHeader.widths[0]
                                }
                                Label {
                                    text: letter.deadAtShort
                                    color: Theme.text
                                    font.family: Theme.monoFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: dlqHeader.widths[1]
                                }
                                Label {
                                    text: qsTr("%1 of %2").arg(letter.attempts).arg(letter.maxAttempts)
                                    color: Theme.text
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: dlqHeader.widths[2]
                                }
                                Label {
                                    objectName: "dlqError_" + letter.messageId
                                    text: letter.lastError.length > 0 ? letter.lastError : "—"
                                    color: Theme.danger
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: dlqHeader.widths[3]
                                }
                                Label {
                                    objectName: "dlqPayload_" + letter.messageId
                                    text: letter.payload
                                    color: Theme.text
                                    font.family: Theme.monoFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                Button {
                                    objectName: "dlqRetry_" + letter.messageId
                                    text: qsTr("Retry")
                                    flat: true
                                    leftPadding: 4
                                    rightPadding: 4
                                    enabled: !dlqActions.busy && page.canRetry
                                    ToolTip.visible: hovered && !page.canRetry
                                    ToolTip.text: ServerStatus.permissions >= 0 ? ServerStatus.deniedReason("retry_dead") : ""
                                    Layout.preferredWidth: dlqHeader.widths[5]
                                    onClicked: dlqActions.retry(page.selectedQueue, letter.messageId)
                                }
                            }
                        }

                        EmptyState {
                            objectName: "dlqEmptyState"
                            anchors.centerIn: parent
                            width: parent.width - 40
                            visible: dlq.count === 0 && !dlq.loading
                            glyph: "✓"
                            title: qsTr("No dead letters")
                            text: qsTr("A message lands here after its last attempt failed (nack, visibility timeout or a lost consumer).")
                        }
                    }

                    RowLayout {
                        visible: page.selectedQueue.length > 0
                        Layout.fillWidth: true
                        spacing: 8
                        Label {
                            objectName: "dlqResult"
                            visible: dlqActions.completed > 0
                            text: dlqActions.message
                            color: dlqActions.failed ? Theme.danger : Theme.ok
                            font.pixelSize: Theme.fontSmall
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Item { Layout.fillWidth: true; visible: dlqActions.completed === 0 }
                        Label {
                            objectName: "dlqRange"
                            text: dlq.total === 0 ? qsTr("none")
                                  : qsTr("%1–%2 of %3").arg(dlq.offset + 1).arg(dlq.offset + dlq.count).arg(page.count(dlq.total))
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                        }
                        Button {
                            objectName: "dlqPrevious"
                            text: qsTr("‹ Previous")
                            flat: true
                            enabled: dlq.hasPrevious
                            onClicked: dlq.previousPage()
                        }
                        Button {
                            objectName: "dlqNext"
                            text: qsTr("Next ›")
                            flat: true
                            enabled: dlq.hasNext
                            onClicked: dlq.nextPage()
                        }
                    }
                }
            }
        }
    }

    Dialog {
        id: purgeDialog
        objectName: "purgeDialog"

        property string queue
        property real letters

        anchors.centerIn: parent
        // A fixed text width: a wrapped label whose width follows the dialog's sends the
        // dialog's implicit height round in a binding loop (seen with the German text).
        contentWidth: 420
        modal: true
        title: qsTr("Purge dead letters?")

        Label {
            objectName: "purgeQuestion"
            width: 420
            wrapMode: Text.Wrap
            text: qsTr("This deletes the %n dead letter(s) of %1 for good; they cannot be retried afterwards.", "", purgeDialog.letters)
                      .arg(purgeDialog.queue)
        }

        footer: DialogButtonBox {
            Button {
                objectName: "purgeConfirm"
                text: qsTr("Purge")
                palette.buttonText: Theme.danger
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            Button {
                objectName: "purgeCancel"
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onAccepted: dlqActions.purge(queue)
    }

    Dialog {
        id: enqueueDialog
        objectName: "enqueueDialog"

        readonly property string blocker: !queues.available ? qsTr("The durable queue store is not available.")
            : enqueueActions.queueNameProblem(enqueueQueue.text.trim()).length > 0 ? enqueueActions.queueNameProblem(enqueueQueue.text.trim())
            : !enqueuePayload.valid ? qsTr("Fix the payload: %1").arg(enqueuePayload.errorText) : ""

        function send() {
            enqueueActions.enqueue(enqueueQueue.text.trim(), enqueuePayload.text, enqueuePriority.currentIndex,
                                   enqueueDelay.value * 1000, enqueueMaxAttempts.value);
        }

        anchors.centerIn: parent
        width: Math.max(420, Math.min(page.width - 80, 580))
        modal: true
        title: qsTr("Enqueue a test message")

        ColumnLayout {
            anchors.fill: parent
            spacing: 10

            GridLayout {
                columns: 4
                columnSpacing: 10
                rowSpacing: 8
                Layout.fillWidth: true

                Label { text: qsTr("Queue"); color: Theme.textMuted }
                TextField {
                    id: enqueueQueue
                    objectName: "enqueueQueue"
                    text: "test_queue"
                    placeholderText: qsTr("e.g. booking_queue")
                    font.family: Theme.monoFamily
                    selectByMouse: true
                    Layout.fillWidth: true
                    Layout.columnSpan: 3
                }

                Label { text: qsTr("Priority"); color: Theme.textMuted }
                ComboBox {
                    id: enqueuePriority
                    objectName: "enqueuePriority"
                    model: [qsTr("high"), qsTr("normal"), qsTr("low")]
                    currentIndex: QueueActions.Normal
                    Layout.fillWidth: true
                }
                Label { text: qsTr("Max attempts"); color: Theme.textMuted }
                SpinBox {
                    id: enqueueMaxAttempts
                    objectName: "enqueueMaxAttempts"
                    from: 1
                    to: 1000
                    value: enqueueActions.defaultMaxAttempts
                    editable: true
                    Layout.fillWidth: true
                }

                Label { text: qsTr("Delay"); color: Theme.textMuted }
                RowLayout {
                    spacing: 4
                    Layout.columnSpan: 3
                    SpinBox {
                        id: enqueueDelay
                        objectName: "enqueueDelay"
                        from: 0
                        to: 86400
                        value: 0
                        editable: true
                    }
                    Label { text: qsTr("s (0 = ready at once)"); color: Theme.textMuted }
                }
            }

            Label { text: qsTr("Payload"); color: Theme.textMuted }
            JsonEditor {
                id: enqueuePayload
                objectName: "enqueuePayloadEditor"
                editorObjectName: "enqueuePayload"
                allowEmpty: false
                text: '{\n  "test": true,\n  "from": "console"\n}'
                Layout.fillWidth: true
                Layout.preferredHeight: 170
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: 10
                Button {
                    objectName: "enqueueButton"
                    text: qsTr("Enqueue")
                    highlighted: true
                    enabled: enqueueDialog.blocker.length === 0 && !enqueueActions.busy
                    implicitWidth: 120
                    onClicked: enqueueDialog.send()
                }
                Label {
                    objectName: "enqueueHint"
                    text: enqueueDialog.blocker
                    visible: text.length > 0
                    color: Theme.warn
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
                Item { Layout.fillWidth: true; visible: enqueueDialog.blocker.length === 0 }
            }
            Label {
                objectName: "enqueueResult"
                visible: enqueueActions.completed > 0
                text: enqueueActions.message
                color: enqueueActions.failed ? Theme.danger : Theme.ok
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }

        footer: DialogButtonBox {
            Button {
                objectName: "enqueueClose"
                text: qsTr("Close")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
    }
}
