pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// "Mint admin token…" (admins only): the node signs a token for a role, a name and a
// lifetime (POST /api/admin/tokens). The token is shown once, here, with a Copy button; the
// console keeps it nowhere, and closing the dialog forgets it.
Dialog {
    id: dialog
    objectName: "tokenDialog"
    title: qsTr("Mint admin token")
    modal: true
    standardButtons: Dialog.Close
    width: 520

    required property NodeActions actions
    property string token

    onOpened: token = ""
    onClosed: token = ""

    Connections {
        target: dialog.actions
        function onTokenMinted(token: string) { dialog.token = token; }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        GridLayout {
            columns: 2
            columnSpacing: 10
            rowSpacing: 6
            Layout.fillWidth: true
            Label { text: qsTr("Role"); color: Theme.textMuted }
            ComboBox {
                id: roleBox
                objectName: "tokenRole"
                model: ["viewer", "operator", "admin"]
                Layout.fillWidth: true
            }
            Label { text: qsTr("Name"); color: Theme.textMuted }
            TextField {
                id: nameField
                objectName: "tokenName"
                placeholderText: qsTr("who will use it, e.g. olga")
                maximumLength: 64
                Layout.fillWidth: true
            }
            Label { text: qsTr("Valid for"); color: Theme.textMuted }
            RowLayout {
                SpinBox {
                    id: ttlBox
                    objectName: "tokenTtlHours"
                    from: 1
                    to: 2160
                    value: 8
                    editable: true
                }
                Label { text: qsTr("hours"); color: Theme.textMuted }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Button {
                objectName: "mintTokenButton"
                text: qsTr("Mint")
                enabled: !dialog.actions.busy && nameField.text.trim().length > 0
                onClicked: dialog.actions.mintToken(roleBox.currentText, nameField.text, ttlBox.value)
            }
            Label {
                objectName: "tokenMessage"
                text: dialog.actions.message
                visible: text.length > 0
                color: dialog.actions.failed ? Theme.danger : Theme.textMuted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }
        Label {
            visible: dialog.token.length > 0
            text: qsTr("Copy it now: it is shown only once.")
            color: Theme.warn
        }
        RowLayout {
            visible: dialog.token.length > 0
            Layout.fillWidth: true
            TextField {
                id: tokenField
                objectName: "mintedToken"
                text: dialog.token
                readOnly: true
                selectByMouse: true
                font.family: Theme.monoFamily
                Layout.fillWidth: true
            }
            Button {
                objectName: "copyTokenButton"
                text: qsTr("Copy")
                onClicked: { tokenField.selectAll(); tokenField.copy(); tokenField.deselect(); }
            }
        }
    }
}
