import QtQuick
import QtQuick.Controls

// A small coloured label (direction, state, kind).
Rectangle {
    id: pill

    property string text
    property color tint: Theme.accent

    implicitWidth: label.implicitWidth + 14
    implicitHeight: 18
    radius: 9
    color: Qt.rgba(tint.r, tint.g, tint.b, Theme.dark ? 0.18 : 0.12)

    Label {
        id: label
        anchors.centerIn: parent
        text: pill.text
        color: pill.tint
        font.pixelSize: 10
        font.weight: Font.DemiBold
        font.capitalization: Font.AllUppercase
    }
}
