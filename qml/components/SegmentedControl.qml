pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A row of mutually exclusive buttons (time window, direction filter, target kind).
// Buttons are named <objectName>_<index> for tests.
Rectangle {
    id: control

    property list<string> options
    property int currentIndex: 0
    signal activated(int index)

    implicitWidth: row.implicitWidth + 4
    implicitHeight: Theme.controlHeight
    radius: Theme.radius
    color: Theme.input
    border.color: Theme.border

    RowLayout {
        id: row
        anchors { fill: parent; margins: 2 }
        spacing: 2
        Repeater {
            model: control.options
            delegate: AbstractButton {
                id: segment
                required property string modelData
                required property int index
                objectName: control.objectName + "_" + index
                text: modelData
                checked: control.currentIndex === index
                hoverEnabled: true
                Layout.fillHeight: true
                implicitWidth: segmentLabel.implicitWidth + 20
                onClicked: {
                    control.currentIndex = index;
                    control.activated(index);
                }
                background: Rectangle {
                    radius: Theme.radius - 1
                    color: segment.checked ? Theme.accentSoft : (segment.hovered ? Theme.surfaceHover : "transparent")
                    border.color: segment.checked ? Theme.accent : "transparent"
                }
                contentItem: Label {
                    id: segmentLabel
                    text: segment.text
                    color: segment.checked ? Theme.textStrong : Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                    font.weight: segment.checked ? Font.DemiBold : Font.Normal
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
            }
        }
    }
}
