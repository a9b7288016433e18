pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A secret shown masked, with reveal and copy.
RowLayout {
    id: secret

    property string label
    property string value
    property bool revealed: false
    property int labelWidth: 150
    signal copyRequested(string value)

    spacing: 10

    Label {
        text: secret.label
        color: Theme.textMuted
        font.pixelSize: Theme.fontNormal
        Layout.preferredWidth: secret.labelWidth
    }
    Label {
        objectName: secret.objectName + "Value"
        text: secret.value.length === 0 ? qsTr("(not set)")
              : secret.revealed ? secret.value : "•".repeat(Math.min(24, Math.max(8, secret.value.length)))
        color: secret.value.length === 0 ? Theme.textFaint : Theme.text
        font.family: Theme.monoFamily
        font.pixelSize: Theme.fontNormal
        elide: Text.ElideMiddle
        Layout.fillWidth: true
    }
    Button {
        objectName: secret.objectName + "Reveal"
        text: secret.revealed ? qsTr("Hide") : qsTr("Reveal")
        enabled: secret.value.length > 0
        flat: true
        onClicked: secret.revealed = !secret.revealed
    }
    Button {
        objectName: secret.objectName + "Copy"
        text: qsTr("Copy")
        enabled: secret.value.length > 0
        flat: true
        onClicked: secret.copyRequested(secret.value)
    }
}
