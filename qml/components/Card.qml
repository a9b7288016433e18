pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A titled panel. Children go into the body below the header; they size themselves with
// anchors.fill: parent (or a Layout), and the card takes its implicit height from them.
Rectangle {
    id: card

    property string title
    property string subtitle
    property int padding: 14
    default property alias content: body.data
    // Items for the right side of the header (buttons, selectors).
    property alias actions: actionRow.data

    color: Theme.surface
    border.color: Theme.border
    radius: Theme.radius
    implicitWidth: 320
    implicitHeight: header.height + body.implicitHeight + padding * 2 + (header.visible ? 10 : 0)

    RowLayout {
        id: header
        visible: card.title.length > 0
        height: visible ? Math.max(26, implicitHeight) : 0
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: card.padding }
        spacing: 8
        ColumnLayout {
            spacing: 0
            Layout.fillWidth: true
            Label {
                text: card.title
                color: Theme.textStrong
                font.pixelSize: Theme.fontNormal
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                visible: card.subtitle.length > 0
                text: card.subtitle
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }
        RowLayout {
            id: actionRow
            spacing: 6
        }
    }

    Item {
        id: body
        implicitHeight: children.length > 0 ? children[0].implicitHeight : 0
        anchors {
            left: parent.left; right: parent.right; bottom: parent.bottom
            top: header.visible ? header.bottom : parent.top
            margins: card.padding
            topMargin: header.visible ? 10 : card.padding
        }
    }
}
