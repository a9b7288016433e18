pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One entry of the navigation rail: a glyph, a label and an optional count badge.
AbstractButton {
    id: control

    property string glyph
    property bool current: false
    property int badge: -1

    implicitHeight: 38
    implicitWidth: 180
    hoverEnabled: true
    focusPolicy: Qt.StrongFocus
    Accessible.name: text

    background: Rectangle {
        radius: Theme.radius
        color: control.current ? Theme.accentSoft : (control.hovered ? Theme.surfaceHover : "transparent")
        Rectangle {
            visible: control.current
            width: 3
            radius: 1.5
            color: Theme.accent
            anchors { left: parent.left; top: parent.top; bottom: parent.bottom; topMargin: 7; bottomMargin: 7 }
        }
    }

    contentItem: RowLayout {
        spacing: 10
        Label {
            text: control.glyph
            color: control.current ? Theme.accent : Theme.textMuted
            font.pixelSize: 16
            horizontalAlignment: Text.AlignHCenter
            Layout.preferredWidth: 22
            Layout.leftMargin: 8
        }
        Label {
            text: control.text
            color: control.current ? Theme.textStrong : Theme.text
            font.pixelSize: Theme.fontNormal
            font.weight: control.current ? Font.DemiBold : Font.Normal
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Label {
            visible: control.badge >= 0
            text: control.badge
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
            Layout.rightMargin: 8
        }
    }
}
