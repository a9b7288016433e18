pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// The Overview's node actions: whether the node is draining, Drain / Undrain, and minting an
// admin token. The buttons follow the role (RoleGate); the node checks it again and audits.
ColumnLayout {
    id: bar
    spacing: 4

    NodeActions { id: nodeActions }

    RowLayout {
        spacing: 8
        Layout.alignment: Qt.AlignRight
        Pill {
            objectName: "drainingPill"
            visible: ServerStatus.draining
            text: qsTr("draining")
            tint: Theme.warn
        }
        RoleGate {
            action: ServerStatus.draining ? "undrain" : "drain"
            Button {
                objectName: "drainButton"
                enabled: parent.allowed && !nodeActions.busy && ServerStatus.running
                text: ServerStatus.draining ? qsTr("Undrain") : qsTr("Drain")
                onClicked: ServerStatus.draining ? nodeActions.undrain() : nodeActions.drain()
                ToolTip.visible: hovered
                ToolTip.text: ServerStatus.draining ? qsTr("Accept new sessions again")
                                                    : qsTr("Refuse new sessions and close the open ones gradually (1001), e.g. before an upgrade")
            }
        }
        RoleGate {
            action: "mint_token"
            Button {
                objectName: "mintTokenOpen"
                enabled: parent.allowed && ServerStatus.running
                text: qsTr("Mint admin token…")
                onClicked: tokenDialog.open()
            }
        }
    }
    // The outcome under the buttons, so that a long one never pushes them out of the banner.
    Label {
        objectName: "nodeActionMessage"
        visible: text.length > 0
        text: nodeActions.message
        color: nodeActions.failed ? Theme.danger : Theme.textMuted
        font.pixelSize: Theme.fontSmall
        horizontalAlignment: Text.AlignRight
        wrapMode: Text.Wrap
        Layout.alignment: Qt.AlignRight
        Layout.maximumWidth: 300
    }
    TokenDialog {
        id: tokenDialog
        actions: nodeActions
        parent: Overlay.overlay
        anchors.centerIn: parent
    }
}
