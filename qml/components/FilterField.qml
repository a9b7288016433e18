pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

// A search box that publishes `filterText` a moment after typing stops, so a model is
// refiltered once per burst of keystrokes rather than on every key. Escape clears it.
TextField {
    id: field

    property int delay: 150
    property string filterText
    readonly property bool active: filterText.length > 0

    implicitWidth: 240
    leftPadding: 28
    rightPadding: clearButton.visible ? 28 : 8
    placeholderText: qsTr("Filter")
    selectByMouse: true

    function clear() {
        text = "";
        debounce.stop();
        filterText = "";
    }

    onTextChanged: debounce.restart()
    Keys.onEscapePressed: clear()

    Timer {
        id: debounce
        interval: field.delay
        onTriggered: field.filterText = field.text
    }

    Label {
        anchors { left: parent.left; leftMargin: 9; verticalCenter: parent.verticalCenter }
        text: "⌕"
        color: Theme.textMuted
        font.pixelSize: 15
    }

    AbstractButton {
        id: clearButton
        objectName: field.objectName.length > 0 ? field.objectName + "Clear" : "filterClear"
        visible: field.text.length > 0
        width: 22
        height: 22
        anchors { right: parent.right; rightMargin: 4; verticalCenter: parent.verticalCenter }
        contentItem: Label {
            text: "✕"
            color: clearButton.hovered ? Theme.text : Theme.textMuted
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            font.pixelSize: 11
        }
        background: null
        hoverEnabled: true
        Accessible.name: qsTr("Clear filter")
        onClicked: field.clear()
    }
}
