pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One "label: value" row of a details or settings list.
RowLayout {
    id: row

    property string label
    property string value
    property bool mono: false
    property int labelWidth: 150
    property color valueColor: Theme.text

    spacing: 10

    Label {
        text: row.label
        color: Theme.textMuted
        font.pixelSize: Theme.fontNormal
        elide: Text.ElideRight
        Layout.preferredWidth: row.labelWidth
        Layout.alignment: Qt.AlignTop
    }
    Label {
        objectName: row.objectName.length > 0 ? row.objectName + "Value" : ""
        text: row.value.length > 0 ? row.value : "—"
        color: row.valueColor
        font.pixelSize: Theme.fontNormal
        font.family: row.mono ? Theme.monoFamily : font.family
        wrapMode: Text.WrapAnywhere
        textFormat: Text.PlainText
        Layout.fillWidth: true
    }
}
