pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// A JSON text editor that validates as you type and says what is wrong and where.
ColumnLayout {
    id: editor

    property alias text: area.text
    property alias allowEmpty: check.allowEmpty
    readonly property bool valid: check.valid
    readonly property string errorText: check.valid ? ""
        : qsTr("Line %1, column %2: %3").arg(check.errorLine).arg(check.errorColumn).arg(check.errorString)
    readonly property string kind: check.kind
    property string editorObjectName: "jsonText"

    // Indents by two spaces and keeps the keys in the order they were typed (QJsonObject
    // would sort them); text that does not parse stays as it is.
    function prettyPrint() {
        if (!valid || area.text.trim().length === 0)
            return;
        try {
            area.text = JSON.stringify(JSON.parse(area.text), null, 2);
        } catch (e) {
            area.text = check.pretty(area.text);
        }
    }
    function compactText() { return check.compact(area.text); }

    spacing: 4

    JsonCheck {
        id: check
        text: area.text
    }

    ScrollView {
        id: scroll
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 120
        clip: true

        TextArea {
            id: area
            objectName: editor.editorObjectName
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontNormal
            wrapMode: TextEdit.NoWrap
            selectByMouse: true
            persistentSelection: true
            tabStopDistance: 16
            color: Theme.textStrong
            placeholderText: qsTr("{ \"key\": \"value\" }")
            background: Rectangle {
                color: Theme.input
                radius: Theme.radius
                border.width: area.activeFocus || !editor.valid ? 2 : 1
                border.color: !editor.valid ? Theme.danger : (area.activeFocus ? Theme.accent : Theme.border)
            }
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 6
        Label {
            text: editor.valid ? "✓" : "✕"
            color: editor.valid ? Theme.ok : Theme.danger
            font.bold: true
        }
        Label {
            objectName: editor.editorObjectName + "Status"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: editor.valid ? Theme.textMuted : Theme.danger
            font.pixelSize: Theme.fontSmall
            text: editor.valid
                  ? (area.text.trim().length === 0 ? qsTr("Empty payload: sends null")
                                                   : qsTr("Valid JSON (%1)").arg(editor.kind))
                  : editor.errorText
        }
    }
}
