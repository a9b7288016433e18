pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// The manual emit tool.
Item {
    id: page

    property alias targetKind: kindSelector.currentIndex
    property alias target: targetField.text
    property alias eventName: eventField.text
    property alias payload: payloadEditor.text
    readonly property bool payloadValid: payloadEditor.valid
    readonly property bool targetNeeded: targetKind !== Emitter.Broadcast
    readonly property string blocker: !ServerStatus.running ? qsTr("The server is stopped.")
        : eventField.text.trim().length === 0 ? qsTr("Enter an event name.")
        : targetNeeded && targetField.text.trim().length === 0 ? qsTr("Choose a target.")
        : !payloadEditor.valid ? qsTr("Fix the payload: %1").arg(payloadEditor.errorText) : ""

    function prepare(kind: int, target: string) {
        kindSelector.currentIndex = kind;
        targetField.text = target;
    }
    // A sample emit for the screenshot hook: an acked order update to a room of the demo traffic.
    function demo() {
        prepare(Emitter.Room, "shop:1");
        eventField.text = templates[1].event;
        payloadEditor.text = templates[1].payload;
        ackCheck.checked = true;
        send();
    }
    function send(): string {
        return Emitter.send(targetKind, targetField.text, eventField.text, payloadEditor.text,
                            ackCheck.checked, ackTimeout.value * 1000, persistCheck.checked, exceptField.text);
    }

    readonly property var templates: [
        { name: qsTr("Notification"), event: "notification", payload: '{\n  "title": "Maintenance tonight",\n  "body": "The service restarts at 22:00 UTC.",\n  "level": "info"\n}' },
        { name: qsTr("Order update"), event: "order:updated", payload: '{\n  "orderId": 42,\n  "status": "shipped",\n  "carrier": "DHL"\n}' },
        { name: qsTr("Chat message"), event: "chat:message", payload: '{\n  "from": "operator",\n  "text": "Hello from the console"\n}' },
        { name: qsTr("Force reload"), event: "app:reload", payload: '{\n  "reason": "new release"\n}' },
        { name: qsTr("Empty object"), event: "", payload: "{}" }
    ]

    RoomsModel {
        id: completion
        active: page.visible && (page.targetKind === Emitter.Room || page.targetKind === Emitter.User)
        source: page.targetKind === Emitter.User ? RoomsModel.Users : RoomsModel.Rooms
        filterText: targetField.text
    }

    ColumnLayout {
        anchors { fill: parent; margins: Theme.spacingLarge }
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Emit")
            subtitle: qsTr("Send an event to clients, as a back-end service would through the HTTP API")
            Layout.fillWidth: true
        }

        // Two columns: the form takes what the result column leaves. Explicit widths, because a
        // RowLayout sizes fill items from their implicit widths, and the form's (wrapping labels,
        // chip rows) say nothing useful about the space it needs.
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            // The form.
            ColumnLayout {
                objectName: "emitFormColumn"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.minimumWidth: 460
                Layout.preferredWidth: 600
                spacing: Theme.spacing

                Card {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    title: qsTr("New event")

                    ColumnLayout {
                        anchors.fill: parent
                        spacing: 10

                        GridLayout {
                            columns: 2
                            columnSpacing: 12
                            rowSpacing: 8
                            Layout.fillWidth: true

                            Label { text: qsTr("Target"); color: Theme.textMuted }
                            SegmentedControl {
                                id: kindSelector
                                objectName: "targetKind"
                                options: [qsTr("Broadcast"), qsTr("Room"), qsTr("User"), qsTr("Connection")]
                            }

                            Label { text: page.targetKind === Emitter.Room ? qsTr("Room") : page.targetKind === Emitter.User ? qsTr("User id")
                                          : page.targetKind === Emitter.Connection ? qsTr("Connection id") : ""
                                    color: Theme.textMuted; visible: page.targetNeeded }
                            ColumnLayout {
                                visible: page.targetNeeded
                                spacing: 4
                                Layout.fillWidth: true
                                TextField {
                                    id: targetField
                                    objectName: "targetField"
                                    Layout.fillWidth: true
                                    font.family: Theme.monoFamily
                                    placeholderText: page.targetKind === Emitter.Room ? qsTr("e.g. order:42")
                                                   : page.targetKind === Emitter.User ? qsTr("e.g. 42") : qsTr("e.g. 17")
                                    selectByMouse: true
                                }
                                // Completion from the live rooms and users.
                                Flow {
                                    visible: completion.active && completion.count > 0
                                    Layout.fillWidth: true
                                    spacing: 4
                                    Repeater {
                                        model: completion.active ? completion : null
                                        delegate: AbstractButton {
                                            id: chip
                                            required property string name
                                            required property int members
                                            required property int index
                                            visible: index < 10 && name !== targetField.text
                                            objectName: "suggestion_" + name
                                            hoverEnabled: true
                                            implicitHeight: 22
                                            implicitWidth: chipLabel.implicitWidth + 16
                                            onClicked: targetField.text = name
                                            background: Rectangle {
                                                radius: 11
                                                color: chip.hovered ? Theme.surfaceHover : Theme.surfaceAlt
                                                border.color: Theme.border
                                            }
                                            contentItem: Label {
                                                id: chipLabel
                                                text: chip.name + "  " + chip.members
                                                font.family: Theme.monoFamily
                                                font.pixelSize: Theme.fontSmall
                                                color: Theme.text
                                                horizontalAlignment: Text.AlignHCenter
                                                verticalAlignment: Text.AlignVCenter
                                            }
                                        }
                                    }
                                }
                            }

                            Label { text: qsTr("Event"); color: Theme.textMuted }
                            ColumnLayout {
                                spacing: 4
                                Layout.fillWidth: true
                                TextField {
                                    id: eventField
                                    objectName: "eventName"
                                    Layout.fillWidth: true
                                    placeholderText: qsTr("event name, e.g. notification")
                                    selectByMouse: true
                                }
                                Flow {
                                    visible: Emitter.recentEvents.length > 0
                                    Layout.fillWidth: true
                                    spacing: 4
                                    Label { text: qsTr("Recent:"); color: Theme.textFaint; font.pixelSize: Theme.fontSmall; height: 22; verticalAlignment: Text.AlignVCenter }
                                    Repeater {
                                        model: Emitter.recentEvents
                                        delegate: AbstractButton {
                                            id: recent
                                            required property string modelData
                                            objectName: "recent_" + modelData
                                            hoverEnabled: true
                                            implicitHeight: 22
                                            implicitWidth: recentLabel.implicitWidth + 16
                                            onClicked: eventField.text = modelData
                                            background: Rectangle {
                                                radius: 11
                                                color: recent.hovered ? Theme.surfaceHover : Theme.surfaceAlt
                                                border.color: Theme.border
                                            }
                                            contentItem: Label {
                                                id: recentLabel
                                                text: recent.modelData
                                                font.pixelSize: Theme.fontSmall
                                                color: Theme.text
                                                horizontalAlignment: Text.AlignHCenter
                                                verticalAlignment: Text.AlignVCenter
                                            }
                                        }
                                    }
                                }
                            }
                        }

                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 8
                            Label { text: qsTr("Payload"); color: Theme.textMuted }
                            Item { Layout.fillWidth: true }
                            ComboBox {
                                id: templateCombo
                                objectName: "templateCombo"
                                model: page.templates
                                textRole: "name"
                                displayText: qsTr("Templates…")
                                implicitWidth: 170
                                onActivated: index => {
                                    const t = page.templates[index];
                                    payloadEditor.text = t.payload;
                                    if (t.event.length > 0)
                                        eventField.text = t.event;
                                }
                            }
                            Button {
                                objectName: "prettyButton"
                                text: qsTr("Pretty-print")
                                enabled: payloadEditor.valid
                                onClicked: payloadEditor.prettyPrint()
                            }
                        }

                        JsonEditor {
                            id: payloadEditor
                            objectName: "payloadEditor"
                            editorObjectName: "payloadText"
                            text: '{\n  "message": "hello"\n}'
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                        }

                        Flow {
                            Layout.fillWidth: true
                            spacing: 14
                            RowLayout {
                                spacing: 4
                                CheckBox {
                                    id: ackCheck
                                    objectName: "ackCheck"
                                    text: qsTr("Require ack, timeout")
                                }
                                SpinBox {
                                    id: ackTimeout
                                    objectName: "ackTimeout"
                                    from: 1
                                    to: 300
                                    value: 10
                                    enabled: ackCheck.checked
                                    editable: true
                                    implicitWidth: 90
                                }
                                Label { text: qsTr("s"); color: Theme.textMuted }
                            }
                            CheckBox {
                                id: persistCheck
                                objectName: "persistCheck"
                                text: qsTr("Persist for offline users")
                                ToolTip.visible: hovered
                                ToolTip.text: qsTr("Stored and delivered when the user next connects (needs the durable store)")
                            }
                            RowLayout {
                                spacing: 6
                                Label { text: qsTr("Exclude user"); color: Theme.textMuted }
                                TextField {
                                    id: exceptField
                                    objectName: "exceptUserField"
                                    placeholderText: qsTr("user id")
                                    implicitWidth: 120
                                }
                            }
                        }

                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 10
                            RoleGate {
                                id: gate_sendButton
                                action: "emit"
                                Button {
                                    objectName: "sendButton"
                                    text: qsTr("Send")
                                    highlighted: true
                                    enabled: gate_sendButton.allowed && (page.blocker.length === 0)
                                    implicitWidth: 120
                                    onClicked: page.send()
                                    anchors.fill: parent
                                }
                            }
                            Label {
                                objectName: "sendHint"
                                text: page.blocker
                                visible: text.length > 0
                                color: Theme.warn
                                wrapMode: Text.Wrap
                                Layout.fillWidth: true
                            }
                            Item { Layout.fillWidth: true; visible: page.blocker.length === 0 }
                        }
                    }
                }
            }

            // Result and history.
            ColumnLayout {
                objectName: "emitResultColumn"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Math.max(360, Math.min(540, page.width * 0.38)))
                spacing: Theme.spacing

                Card {
                    objectName: "resultCard"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.max(280, parent.height * 0.5)
                    title: qsTr("Result")
                    subtitle: Emitter.sentCount > 0 ? qsTr("%1 · id %2").arg(Emitter.lastEvent).arg(Emitter.lastId) : qsTr("Nothing sent yet")

                    ColumnLayout {
                        anchors.fill: parent
                        spacing: 8

                        RowLayout {
                            spacing: 24
                            ColumnLayout {
                                spacing: 0
                                Label { text: qsTr("Delivered to"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                                Label {
                                    objectName: "deliveredLabel"
                                    // In a cluster the ack wait's count covers every node; before it ends, this node's.
                                    text: Emitter.awaitingAnswer ? "…"
                                        : Emitter.sentCount > 0 && Emitter.lastError.length === 0
                                          ? String(Emitter.lastAck && Emitter.ackTotal >= 0 ? Emitter.ackTotal : Emitter.lastDelivered) : "—"
                                    color: Theme.textStrong
                                    font.pixelSize: Theme.fontHuge
                                }
                                Label {
                                    objectName: "deliveredScope"
                                    text: !Emitter.clustered ? qsTr("sockets")
                                        : Emitter.lastAck && Emitter.ackTotal >= 0 ? qsTr("sockets, all nodes")
                                        : qsTr("sockets on this node")
                                    color: Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                            ColumnLayout {
                                visible: Emitter.lastAck
                                spacing: 0
                                Label { text: qsTr("Acks"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                                Label {
                                    objectName: "acksLabel"
                                    // Acks are set against the sockets of every node once the ack wait says how
                                    // many there were; until then, in a cluster, they are only counted.
                                    text: Emitter.ackTotal >= 0 ? qsTr("%1 / %2").arg(Emitter.acksReceived).arg(Emitter.ackTotal)
                                        : Emitter.clustered || Emitter.awaitingAnswer ? qsTr("%1 (cluster)").arg(Emitter.acksReceived)
                                        : qsTr("%1 / %2").arg(Emitter.acksReceived).arg(Emitter.lastDelivered)
                                    color: Emitter.acksFailed > 0 ? Theme.warn : Theme.textStrong
                                    font.pixelSize: Theme.fontHuge
                                }
                                Label {
                                    objectName: "acksState"
                                    text: Emitter.awaitingAnswer ? qsTr("waiting for the node…")
                                        : Emitter.ackPending ? qsTr("waiting…")
                                        : Emitter.ackTimedOut ? qsTr("timed out, %1 missing").arg((Emitter.ackTotal >= 0 ? Emitter.ackTotal : Emitter.lastDelivered) - Emitter.acksReceived - Emitter.acksFailed)
                                        : Emitter.ackWaitError.length > 0 ? Emitter.ackWaitError
                                        : Emitter.acksFailed > 0 ? qsTr("%n nack(s)", "", Emitter.acksFailed) : qsTr("all acknowledged")
                                    color: Emitter.ackTimedOut || Emitter.acksFailed > 0 ? Theme.warn : Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                            Item { Layout.fillWidth: true }
                        }
                        Label {
                            objectName: "emitError"
                            visible: Emitter.lastError.length > 0
                            text: Emitter.lastError
                            color: Theme.danger
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                        ListView {
                            id: acksList
                            objectName: "acksList"
                            visible: Emitter.lastAck
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            clip: true
                            model: Emitter.acks
                            ScrollBar.vertical: ScrollBar {}
                            delegate: RowLayout {
                                id: ackRow
                                required property real connectionId
                                required property string userId
                                required property bool ok
                                required property string error
                                required property int latencyMs
                                width: ListView.view.width
                                height: 24
                                spacing: 8
                                Label { text: ackRow.ok ? "✓" : "✕"; color: ackRow.ok ? Theme.ok : Theme.danger }
                                Label { text: "#" + ackRow.connectionId; font.family: Theme.monoFamily; color: Theme.textMuted; Layout.preferredWidth: Math.max(60, implicitWidth) }
                                Label { text: ackRow.userId; color: Theme.text; elide: Text.ElideRight; Layout.fillWidth: true }
                                Label { text: ackRow.ok ? "" : ackRow.error; color: Theme.danger; elide: Text.ElideRight }
                                Label { text: ackRow.latencyMs >= 0 ? qsTr("%1 ms").arg(ackRow.latencyMs) : "—"; color: Theme.textMuted; font.family: Theme.monoFamily }
                            }
                        }
                        Item { Layout.fillHeight: true; visible: !Emitter.lastAck }
                    }
                }

                Card {
                    objectName: "historyCard"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    title: qsTr("History")
                    subtitle: qsTr("%n emit(s) from this console", "", Emitter.history.count)

                    ListView {
                        id: historyList
                        objectName: "historyList"
                        anchors.fill: parent
                        clip: true
                        model: Emitter.history
                        spacing: 2
                        ScrollBar.vertical: ScrollBar {}
                        delegate: Rectangle {
                            id: historyRow
                            required property int index
                            required property string time
                            required property string event
                            required property int targetKind
                            required property string target
                            required property int delivered
                            required property bool ack
                            required property int acks
                            required property string error
                            width: ListView.view.width
                            height: 44
                            radius: Theme.radius
                            color: historyMouse.containsMouse ? Theme.surfaceHover : Theme.surfaceAlt
                            MouseArea { id: historyMouse; anchors.fill: parent; hoverEnabled: true; acceptedButtons: Qt.NoButton }
                            RowLayout {
                                anchors { fill: parent; leftMargin: 10; rightMargin: 6 }
                                spacing: 8
                                // Two lines: the event, then time, target and outcome; the
                                // buttons keep their size, the texts elide.
                                ColumnLayout {
                                    spacing: 0
                                    Layout.fillWidth: true
                                    Label {
                                        text: historyRow.event
                                        color: Theme.textStrong
                                        font.weight: Font.DemiBold
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                    }
                                    Label {
                                        objectName: "historyOutcome_" + historyRow.index
                                        text: historyRow.time + "  ·  "
                                              + (historyRow.targetKind === Emitter.Broadcast ? qsTr("broadcast")
                                                 : historyRow.targetKind === Emitter.Room ? qsTr("room %1").arg(historyRow.target)
                                                 : historyRow.targetKind === Emitter.User ? qsTr("user %1").arg(historyRow.target)
                                                 : qsTr("connection #%1").arg(historyRow.target))
                                              + "  ·  "
                                              + (historyRow.error.length > 0 ? historyRow.error
                                                 : historyRow.ack ? qsTr("%1 sent · %2 acks").arg(historyRow.delivered).arg(historyRow.acks)
                                                                  : qsTr("%1 sent").arg(historyRow.delivered))
                                        color: historyRow.error.length > 0 ? Theme.danger : Theme.textMuted
                                        font.pixelSize: Theme.fontSmall
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                        ToolTip.visible: truncated && historyMouse.containsMouse
                                        ToolTip.text: text
                                    }
                                }
                                ToolButton {
                                    objectName: "loadHistory_" + historyRow.index
                                    text: qsTr("Edit")
                                    onClicked: {
                                        page.prepare(historyRow.targetKind, historyRow.target);
                                        eventField.text = historyRow.event;
                                        payloadEditor.text = Emitter.historyPayload(historyRow.index);
                                    }
                                }
                                ToolButton {
                                    objectName: "resend_" + historyRow.index
                                    text: qsTr("Re-send")
                                    onClicked: Emitter.resend(historyRow.index)
                                }
                            }
                        }
                        Label {
                            anchors.centerIn: parent
                            visible: historyList.count === 0
                            text: qsTr("Sent events appear here, ready to re-send.")
                            color: Theme.textMuted
                        }
                    }
                }
            }
        }
    }
}
