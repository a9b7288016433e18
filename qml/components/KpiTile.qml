pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A headline figure: caption, big value with unit, a note below. `level` colours the value
// bar: 0 normal, 1 warning, 2 critical.
Rectangle {
    id: tile

    property string title
    property string value: "—"
    property string unit
    property string note
    property int level: 0
    property color accent: Theme.accent

    readonly property color levelColor: level >= 2 ? Theme.danger : (level === 1 ? Theme.warn : accent)
    readonly property alias valueText: valueLabel.text

    implicitWidth: 190
    implicitHeight: 104
    radius: Theme.radius
    color: Theme.surface
    border.color: level >= 2 ? Theme.danger : Theme.border

    Rectangle {
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 1 }
        width: 3
        radius: 1.5
        color: tile.levelColor
    }

    ColumnLayout {
        anchors { fill: parent; leftMargin: 16; rightMargin: 12; topMargin: 12; bottomMargin: 12 }
        spacing: 2
        Label {
            objectName: "kpiTitle"
            text: tile.title
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
            font.weight: Font.DemiBold
            font.capitalization: Font.AllUppercase
            font.letterSpacing: 0.5
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        // A positioner, not a RowLayout: a layout created on a page that starts hidden (all
        // but the first) stops following its children's implicit widths in Qt 6.4, and the
        // value, elided to its first width, vanished once it grew a digit.
        Row {
            spacing: 4
            Layout.fillWidth: true
            Label {
                id: valueLabel
                objectName: "kpiValue"
                text: tile.value
                color: tile.level > 0 ? tile.levelColor : Theme.textStrong
                font.pixelSize: Theme.fontHuge
                font.weight: Font.Medium
                elide: Text.ElideRight
                width: Math.min(implicitWidth, tile.width - 40 - (unitLabel.visible ? unitLabel.implicitWidth + 4 : 0))
            }
            Label {
                id: unitLabel
                objectName: "kpiUnit"
                visible: tile.unit.length > 0
                text: tile.unit
                color: Theme.textMuted
                font.pixelSize: Theme.fontNormal
                anchors.baseline: valueLabel.baseline
            }
        }
        Label {
            objectName: "kpiNote"
            text: tile.note
            visible: text.length > 0
            color: Theme.textFaint
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
    }
}
