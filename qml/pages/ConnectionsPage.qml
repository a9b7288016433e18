pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Live connections: filter, sort, select one, act on it.
Item {
    id: page

    property alias selectedId: table.selectedId
    // Re-read when the role or the link changes (the node's welcome says what the role allows).
    readonly property bool canLeave: ServerStatus.permissions >= 0 && ServerStatus.allows("leave")
    readonly property ConnectionsModel model: connections
    signal emitRequested(int kind, string target)

    // For the screenshot hook: the first connection, selected.
    function demo() {
        if (connections.count > 0)
            selectedId = connections.idAt(0);
    }

    ConnectionsModel {
        id: connections
        active: page.visible
        filterText: filter.filterText
        node: nodes.selectedNode
    }

    ConnectionDetails {
        id: details
        connectionId: page.selectedId
    }

    ColumnLayout {
        anchors { fill: parent; margins: Theme.spacingLarge }
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Connections")
            subtitle: qsTr("Every open connection, native or Socket.IO. Click a row for details and actions; click a column header to sort.")
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: Theme.spacing

                RowLayout {
                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    FilterField {
                        id: filter
                        objectName: "connectionsFilter"
                        placeholderText: qsTr("Filter by id, user, role, address, room, protocol or transport")
                        Layout.preferredWidth: 480
                    }
                    Label {
                        objectName: "connectionsCount"
                        text: filter.active ? qsTr("%1 of %2 connections").arg(connections.count).arg(connections.totalCount)
                                            : qsTr("%n connection(s)", "", connections.count)
                        color: Theme.textMuted
                    }
                    Item { Layout.fillWidth: true }
                    // A remote node pages on its side (at most 200 rows a page).
                    Button {
                        objectName: "connectionsPrevious"
                        visible: ServerStatus.remote && connections.totalCount > connections.pageSize
                        text: qsTr("‹ Previous")
                        enabled: connections.pageOffset > 0
                        onClicked: connections.pageOffset = Math.max(0, connections.pageOffset - connections.pageSize)
                    }
                    Button {
                        objectName: "connectionsNext"
                        visible: ServerStatus.remote && connections.totalCount > connections.pageSize
                        text: qsTr("Next ›")
                        enabled: connections.pageOffset + connections.pageSize < connections.totalCount
                        onClicked: connections.pageOffset += connections.pageSize
                    }
                }

                NodesPane {
                    id: nodes
                    problem: connections.nodeProblem
                    Layout.fillWidth: true
                    onNodeSelected: name => nodes.selectedNode = name
                }

                ConnectionTable {
                    id: table
                    objectName: "connectionsTable"
                    model: connections
                    Layout.fillWidth: true
                    Layout.fillHeight: true

                    EmptyState {
                        anchors.centerIn: parent
                        width: Math.min(parent.width - 40, 520)
                        visible: connections.count === 0
                        glyph: "⇄"
                        title: filter.active ? qsTr("No connection matches the filter") : qsTr("No clients connected")
                        text: filter.active ? "" : qsTr("Clients connect to %1?token=… — mint a dev token on the Settings page.").arg(ServerStatus.wsUrl)
                    }
                }
            }

            // Details of the selected connection.
            Rectangle {
                objectName: "connectionDetails"
                visible: page.selectedId > 0
                Layout.preferredWidth: 340
                Layout.fillHeight: true
                color: Theme.surface
                border.color: Theme.border
                radius: Theme.radius

                ScrollView {
                    id: detailsScroll
                    anchors.fill: parent
                    contentWidth: availableWidth
                    clip: true

                    ColumnLayout {
                        width: detailsScroll.availableWidth
                        spacing: 10

                        RowLayout {
                            Layout.fillWidth: true
                            Layout.margins: 14
                            Layout.bottomMargin: 0
                            ColumnLayout {
                                spacing: 2
                                Layout.fillWidth: true
                                Label {
                                    objectName: "detailsTitle"
                                    text: qsTr("Connection #%1").arg(String(page.selectedId))
                                    color: Theme.textStrong
                                    font.pixelSize: Theme.fontMedium
                                    font.weight: Font.DemiBold
                                }
                                Pill {
                                    objectName: "detailsState"
                                    text: details.connected ? qsTr("connected") : qsTr("disconnected")
                                    tint: details.connected ? Theme.ok : Theme.danger
                                }
                            }
                            ToolButton {
                                objectName: "closeDetails"
                                text: "✕"
                                onClicked: page.selectedId = 0
                                Accessible.name: qsTr("Close details")
                            }
                        }

                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: 14
                            Layout.rightMargin: 14
                            spacing: 4
                            KeyValue { objectName: "detailsUser"; label: qsTr("User"); value: details.userId; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { label: qsTr("Role"); value: details.role; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { label: qsTr("Address"); value: details.address; mono: true; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { objectName: "detailsProtocol"; label: qsTr("Protocol"); value: details.protocolLabel; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { objectName: "detailsTransport"; label: qsTr("Transport"); value: details.transportLabel; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { label: qsTr("Connected at"); value: details.connectedAt; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue { label: qsTr("Last activity"); value: details.lastActivity; labelWidth: 110; Layout.fillWidth: true }
                            KeyValue {
                                label: qsTr("Messages")
                                value: qsTr("%1 in · %2 out").arg(details.messagesIn).arg(details.messagesOut)
                                labelWidth: 110
                                Layout.fillWidth: true
                            }
                            KeyValue {
                                label: qsTr("Bytes")
                                value: qsTr("%1 in · %2 out").arg(ConsoleSettings.formatBytes(details.bytesIn)).arg(ConsoleSettings.formatBytes(details.bytesOut))
                                labelWidth: 110
                                Layout.fillWidth: true
                            }
                            KeyValue {
                                label: qsTr("Pending send")
                                value: ConsoleSettings.formatBytes(details.pendingBytes)
                                labelWidth: 110
                                Layout.fillWidth: true
                            }
                            KeyValue { label: qsTr("I/O thread"); value: String(details.worker); labelWidth: 110; Layout.fillWidth: true }
                        }

                        Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }

                        // Rooms.
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: 14
                            Layout.rightMargin: 14
                            spacing: 6
                            Label { text: qsTr("Rooms"); color: Theme.textStrong; font.weight: Font.DemiBold }
                            Repeater {
                                model: details.rooms
                                delegate: RowLayout {
                                    id: roomRow
                                    required property string modelData
                                    Layout.fillWidth: true
                                    spacing: 6
                                    Label {
                                        text: roomRow.modelData
                                        font.family: Theme.monoFamily
                                        color: Theme.text
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                    }
                                    Button {
                                        objectName: "leaveRoom_" + roomRow.modelData
                                        text: qsTr("Leave")
                                        flat: true
                                        enabled: details.connected && page.canLeave
                                        onClicked: details.leaveRoom(roomRow.modelData)
                                        ToolTip.visible: hovered && !page.canLeave
                                        ToolTip.text: ServerStatus.permissions >= 0 ? ServerStatus.deniedReason("leave") : ""
                                    }
                                }
                            }
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                TextField {
                                    id: joinField
                                    objectName: "joinRoomField"
                                    placeholderText: qsTr("room name, e.g. order:42")
                                    Layout.fillWidth: true
                                    onAccepted: joinButton.clicked()
                                }
                                RoleGate {
                                    id: gate_joinRoomButton
                                    action: "join"
                                    Button {
                                        id: joinButton
                                        objectName: "joinRoomButton"
                                        text: qsTr("Join")
                                        enabled: gate_joinRoomButton.allowed && (details.connected && joinField.text.trim().length > 0)
                                        onClicked: {
                                            if (details.joinRoom(joinField.text))
                                                joinField.clear();
                                        }
                                        anchors.fill: parent
                                    }
                                }
                            }
                        }

                        Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }

                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: 14
                            Layout.rightMargin: 14
                            spacing: 6
                            Label { text: qsTr("Send"); color: Theme.textStrong; font.weight: Font.DemiBold }
                            // Stacked, so long translations fit the pane.
                            Button {
                                objectName: "sendToConnectionButton"
                                text: qsTr("Send event to this connection…")
                                enabled: details.connected
                                Layout.fillWidth: true
                                onClicked: page.emitRequested(Emitter.Connection, String(page.selectedId))
                            }
                            Button {
                                objectName: "sendToUserButton"
                                text: qsTr("…to the user")
                                enabled: details.userId.length > 0
                                Layout.fillWidth: true
                                onClicked: page.emitRequested(Emitter.User, details.userId)
                            }
                        }

                        Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }

                        // Disconnect.
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: 14
                            Layout.rightMargin: 14
                            Layout.bottomMargin: 14
                            spacing: 6

                            readonly property int code: parseInt(codeField.text)
                            readonly property bool codeValid: code === 1000 || code === 1001 || code === 1008
                                                              || code === 1011 || (code >= 3000 && code <= 4999)

                            id: disconnectBox
                            Label { text: qsTr("Disconnect"); color: Theme.textStrong; font.weight: Font.DemiBold }
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                ComboBox {
                                    id: preset
                                    objectName: "disconnectPreset"
                                    Layout.fillWidth: true
                                    textRole: "label"
                                    valueRole: "code"
                                    model: [
                                        { code: 1000, label: qsTr("1000 · normal closure") },
                                        { code: 1001, label: qsTr("1001 · going away") },
                                        { code: 1008, label: qsTr("1008 · policy violation") },
                                        { code: 1011, label: qsTr("1011 · server error") },
                                        { code: 4000, label: qsTr("4000 · internal error") }
                                    ]
                                    onActivated: codeField.text = String(currentValue)
                                }
                                TextField {
                                    id: codeField
                                    objectName: "disconnectCode"
                                    text: "1000"
                                    inputMethodHints: Qt.ImhDigitsOnly
                                    validator: IntValidator { bottom: 0; top: 4999 }
                                    Layout.preferredWidth: 70
                                    color: disconnectBox.codeValid ? Theme.text : Theme.danger
                                }
                            }
                            Label {
                                visible: !disconnectBox.codeValid
                                text: qsTr("Use 1000, 1001, 1008, 1011 or an application code 3000–4999.")
                                color: Theme.danger
                                font.pixelSize: Theme.fontSmall
                                wrapMode: Text.Wrap
                                Layout.fillWidth: true
                            }
                            TextField {
                                id: reasonField
                                objectName: "disconnectReason"
                                placeholderText: qsTr("reason (sent to the client)")
                                text: qsTr("disconnected by operator")
                                maximumLength: 120
                                Layout.fillWidth: true
                            }
                            RoleGate {
                                id: gate_disconnectButton
                                action: "disconnect"
                                Layout.fillWidth: true
                                Button {
                                    objectName: "disconnectButton"
                                    text: qsTr("Disconnect")
                                    enabled: gate_disconnectButton.allowed && (details.connected && disconnectBox.codeValid)
                                    palette.button: Theme.dangerSoft
                                    palette.buttonText: Theme.danger
                                    onClicked: details.disconnect(disconnectBox.code, reasonField.text)
                                    anchors.fill: parent
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
