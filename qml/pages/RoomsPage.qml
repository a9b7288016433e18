pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Rooms with their member counts; members of the selected room; broadcast and removal.
Item {
    id: page

    property string selectedRoom
    readonly property RoomsModel model: rooms
    readonly property ConnectionsModel membersModel: members
    signal emitRequested(int kind, string target)

    // For the screenshot hook: a busy room of the demo traffic, selected.
    function demo() {
        selectedRoom = rooms.rowOf("shop:1") >= 0 ? "shop:1" : rooms.nameAt(0);
    }

    RoomsModel {
        id: rooms
        active: page.visible
        filterText: roomFilter.filterText
        node: roomNodes.selectedNode
    }
    ConnectionsModel {
        id: members
        active: page.visible && page.selectedRoom.length > 0
        room: page.selectedRoom
        node: roomNodes.selectedNode
    }

    ColumnLayout {
        anchors { fill: parent; margins: Theme.spacingLarge }
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Rooms")
            subtitle: qsTr("Rooms exist while they have members: user:, role: and token rooms are joined on connect, others by subscribe.")
            Layout.fillWidth: true
        }

        RowLayout {
            spacing: Theme.spacing
            Layout.fillWidth: true
            Layout.fillHeight: true

            // Room list.
            Rectangle {
                Layout.preferredWidth: 300
                Layout.fillHeight: true
                color: Theme.surface
                border.color: Theme.border
                radius: Theme.radius

                ColumnLayout {
                    anchors { fill: parent; margins: 1 }
                    spacing: 0
                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.margins: 12
                        spacing: 8
                        FilterField {
                            id: roomFilter
                            objectName: "roomsFilter"
                            placeholderText: qsTr("Filter rooms")
                            Layout.fillWidth: true
                        }
                        NodesPane {
                            id: roomNodes
                            namePrefix: "roomsNodeFilter_"
                            problem: rooms.nodeProblem
                            Layout.fillWidth: true
                            onNodeSelected: name => roomNodes.selectedNode = name
                        }
                        Label {
                            objectName: "roomsCount"
                            text: roomFilter.active ? qsTr("%1 of %2 rooms").arg(rooms.count).arg(rooms.totalCount)
                                                    : qsTr("%n room(s)", "", rooms.count)
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }
                    ListView {
                        id: roomList
                        objectName: "roomsList"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        model: rooms
                        boundsBehavior: Flickable.StopAtBounds
                        ScrollBar.vertical: ScrollBar {}
                        delegate: ItemDelegate {
                            id: roomDelegate
                            required property string name
                            required property int members
                            required property string kind
                            required property string node
                            required property int index
                            // A room on several nodes ("All nodes") has a row on each.
                            objectName: node.length > 0 ? "room_" + node + "_" + name : "room_" + name
                            width: ListView.view.width
                            height: 36
                            highlighted: page.selectedRoom === name
                            background: Rectangle {
                                color: roomDelegate.highlighted ? Theme.selection
                                     : (roomDelegate.hovered ? Theme.surfaceHover : "transparent")
                            }
                            contentItem: RowLayout {
                                spacing: 8
                                Pill {
                                    text: roomDelegate.kind === "user" ? qsTr("user") : roomDelegate.kind === "role" ? qsTr("role") : qsTr("room")
                                    tint: roomDelegate.kind === "user" ? Theme.series2 : roomDelegate.kind === "role" ? Theme.series4 : Theme.series1
                                    Layout.preferredWidth: 60
                                }
                                Label {
                                    text: roomDelegate.name
                                    font.family: Theme.monoFamily
                                    color: Theme.text
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                Label {
                                    objectName: "roomNode_" + roomDelegate.index
                                    visible: roomDelegate.node.length > 0
                                    text: roomDelegate.node
                                    color: Theme.textFaint
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.maximumWidth: 90
                                }
                                Label {
                                    text: roomDelegate.members
                                    color: Theme.textMuted
                                    font.family: Theme.monoFamily
                                }
                            }
                            onClicked: page.selectedRoom = name
                        }
                        EmptyState {
                            anchors.centerIn: parent
                            width: parent.width - 40
                            visible: rooms.count === 0
                            glyph: "⌂"
                            title: roomFilter.active ? qsTr("No room matches the filter") : qsTr("No rooms yet")
                        }
                    }
                }
            }

            // Selected room.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: Theme.spacing

                EmptyState {
                    visible: page.selectedRoom.length === 0
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    glyph: "⌂"
                    title: qsTr("Select a room")
                    text: qsTr("Its members appear here; you can broadcast to the room or remove a member from it.")
                }

                Card {
                    visible: page.selectedRoom.length > 0
                    Layout.fillWidth: true
                    title: page.selectedRoom
                    subtitle: qsTr("%n member(s)", "", members.count)

                    ColumnLayout {
                        anchors { left: parent.left; right: parent.right }
                        spacing: 8
                        Label { text: qsTr("Broadcast to this room"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 8
                            TextField {
                                id: broadcastEvent
                                objectName: "roomBroadcastEvent"
                                placeholderText: qsTr("event name")
                                text: "announcement"
                                Layout.preferredWidth: 180
                            }
                            TextField {
                                id: broadcastPayload
                                objectName: "roomBroadcastPayload"
                                placeholderText: qsTr("payload (JSON)")
                                text: "{\"message\": \"hello\"}"
                                font.family: Theme.monoFamily
                                Layout.fillWidth: true
                                color: broadcastCheck.valid ? Theme.text : Theme.danger
                                JsonCheck { id: broadcastCheck; text: broadcastPayload.text }
                            }
                            RoleGate {
                                id: gate_roomBroadcastButton
                                action: "emit"
                                Button {
                                    objectName: "roomBroadcastButton"
                                    text: qsTr("Broadcast")
                                    enabled: gate_roomBroadcastButton.allowed && (broadcastCheck.valid && broadcastEvent.text.trim().length > 0)
                                    onClicked: Emitter.send(Emitter.Room, page.selectedRoom, broadcastEvent.text, broadcastPayload.text)
                                    anchors.fill: parent
                                }
                            }
                            Button {
                                objectName: "roomOpenEmit"
                                text: qsTr("Open in Emit…")
                                onClicked: page.emitRequested(Emitter.Room, page.selectedRoom)
                            }
                        }
                        Label {
                            objectName: "roomBroadcastResult"
                            visible: Emitter.sentCount > 0 && Emitter.lastEvent === broadcastEvent.text.trim()
                            text: Emitter.lastError.length > 0 ? Emitter.lastError
                                  : qsTr("Delivered to %n socket(s)", "", Emitter.lastDelivered)
                            color: Emitter.lastError.length > 0 ? Theme.danger : Theme.ok
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                }

                RowLayout {
                    visible: page.selectedRoom.length > 0
                    Layout.fillWidth: true
                    spacing: 8
                    Label { text: qsTr("Members"); color: Theme.textStrong; font.weight: Font.DemiBold }
                    Item { Layout.fillWidth: true }
                    RoleGate {
                        id: gate_removeMemberButton
                        action: "leave"
                        Button {
                            objectName: "removeMemberButton"
                            text: qsTr("Remove selected member from room")
                            enabled: gate_removeMemberButton.allowed && (memberTable.selectedId > 0)
                            onClicked: {
                                memberActions.connectionId = memberTable.selectedId;
                                memberActions.leaveRoom(page.selectedRoom);
                                memberTable.selectedId = 0;
                            }
                            anchors.fill: parent
                        }
                    }
                }

                ConnectionTable {
                    id: memberTable
                    objectName: "roomMembersTable"
                    visible: page.selectedRoom.length > 0
                    model: members
                    columnWidths: [56, 110, 84, 140, 84, 96, 0, 72, 72, 0, 0, 0, ServerStatus.remote && ServerStatus.clustered ? 96 : 0]
                    flexColumn: ConnectionsModel.UserColumn
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                }
            }
        }
    }

    ConnectionDetails {
        id: memberActions
    }
}
