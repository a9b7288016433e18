pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// "Connect to server…": saved profiles (QSettings; tokens in the OS keychain) and a form for
// a new one. Connecting replaces what the console shows with the remote node.
Dialog {
    id: dialog
    objectName: "connectDialog"
    title: qsTr("Connect to server")
    modal: true
    standardButtons: Dialog.Close
    width: 560

    ProfilesModel { id: profiles }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        Label { text: qsTr("Saved profiles"); font.weight: Font.DemiBold; visible: profiles.count > 0 }
        ListView {
            id: profileList
            objectName: "profileList"
            model: profiles
            visible: profiles.count > 0
            clip: true
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 160)
            delegate: RowLayout {
                id: profileRow
                required property string name
                required property string url
                required property string colour
                required property bool production
                required property bool readOnly
                width: ListView.view.width
                spacing: 8
                Rectangle { implicitWidth: 10; implicitHeight: 10; radius: 5; color: profileRow.colour.length > 0 ? profileRow.colour : Theme.border }
                Label { text: profileRow.name; font.weight: Font.DemiBold; color: Theme.text }
                Label { text: profileRow.url; color: Theme.textMuted; font.family: Theme.monoFamily; elide: Text.ElideRight; Layout.fillWidth: true }
                Pill { visible: profileRow.production; text: qsTr("production"); tint: Theme.danger }
                Pill { visible: profileRow.readOnly; text: qsTr("read-only") }
                Button {
                    objectName: "connectProfile_" + profileRow.name
                    text: qsTr("Connect")
                    onClicked: profiles.connectProfile(profileRow.name, tokenField.text)
                }
                Button {
                    objectName: "removeProfile_" + profileRow.name
                    text: qsTr("Remove")
                    flat: true
                    onClicked: profiles.remove(profileRow.name)
                }
            }
        }

        Label { text: qsTr("Node"); font.weight: Font.DemiBold }
        GridLayout {
            columns: 2
            columnSpacing: 8
            rowSpacing: 6
            Layout.fillWidth: true
            Label { text: qsTr("Address") }
            TextField { id: urlField; objectName: "connectUrl"; placeholderText: "http://host:8080"; Layout.fillWidth: true }
            Label { text: qsTr("Admin token") }
            TextField { id: tokenField; objectName: "connectToken"; echoMode: TextInput.Password; Layout.fillWidth: true
                        placeholderText: qsTr("from switchboard admin-token") }
            Label { text: qsTr("Profile name") }
            TextField { id: nameField; objectName: "profileName"; placeholderText: qsTr("optional, to save it"); Layout.fillWidth: true }
            Label { text: qsTr("Colour") }
            TextField { id: colourField; objectName: "profileColour"; placeholderText: "#3b82f6"; Layout.fillWidth: true }
        }
        CheckBox { id: productionBox; objectName: "profileProduction"; text: qsTr("Production (a red banner)") }
        CheckBox { id: readOnlyBox; objectName: "profileReadOnly"; text: qsTr("Read-only (no actions from this console)") }
        CheckBox {
            id: plainBox
            objectName: "profilePlainText"
            text: qsTr("No keychain: store the token in plain text in the settings file")
            visible: profiles.keychainMissing
        }
        Label {
            visible: profiles.keychainMissing
            text: qsTr("This system has no keychain (Secret Service or KWallet). Unless you tick the box, the token is not saved and you enter it each time.")
            wrapMode: Text.WordWrap
            color: Theme.warn
            Layout.fillWidth: true
        }
        Label {
            objectName: "profileMessage"
            text: profiles.message
            visible: text.length > 0
            color: profiles.failed ? Theme.danger : Theme.textMuted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        RowLayout {
            Layout.fillWidth: true
            Item { Layout.fillWidth: true }
            Button {
                objectName: "saveProfileButton"
                text: qsTr("Save profile")
                enabled: nameField.text.trim().length > 0 && !profiles.busy
                onClicked: profiles.save(nameField.text, urlField.text, colourField.text, productionBox.checked,
                                         readOnlyBox.checked, tokenField.text, plainBox.checked)
            }
            Button {
                objectName: "connectButton"
                text: qsTr("Connect")
                highlighted: true
                enabled: urlField.text.trim().length > 0 && tokenField.text.length > 0
                onClicked: profiles.connectTo(urlField.text, tokenField.text)
            }
        }
    }
}
