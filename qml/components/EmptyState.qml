pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A centred explanation for a list or page with nothing to show yet.
ColumnLayout {
    id: empty

    property string glyph: "∅"
    property string title
    property string text

    spacing: 8

    Label {
        text: empty.glyph
        color: Theme.textFaint
        font.pixelSize: 36
        Layout.alignment: Qt.AlignHCenter
    }
    Label {
        objectName: "emptyTitle"
        text: empty.title
        color: Theme.text
        font.pixelSize: Theme.fontMedium
        font.weight: Font.DemiBold
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
    Label {
        text: empty.text
        visible: text.length > 0
        color: Theme.textMuted
        font.pixelSize: Theme.fontNormal
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        lineHeight: 1.2
        Layout.fillWidth: true
        Layout.maximumWidth: 520
        Layout.alignment: Qt.AlignHCenter
    }
}
