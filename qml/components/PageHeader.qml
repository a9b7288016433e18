pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Title and one-line description of a page, with room for actions on the right.
RowLayout {
    id: pageHeader

    property string title
    property string subtitle
    default property alias actions: actionRow.data

    spacing: Theme.spacing

    ColumnLayout {
        spacing: 2
        Layout.fillWidth: true
        Label {
            objectName: "pageTitle"
            text: pageHeader.title
            color: Theme.textStrong
            font.pixelSize: Theme.fontLarge
            font.weight: Font.DemiBold
        }
        Label {
            text: pageHeader.subtitle
            visible: text.length > 0
            color: Theme.textMuted
            font.pixelSize: Theme.fontNormal
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
    }
    RowLayout {
        id: actionRow
        spacing: 8
    }
}
