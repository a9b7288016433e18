import QtQuick
import QtTest
import Switchboard.Console

// JsonEditor: validates as you type, explains what is wrong and where, pretty-prints.
// TestCase itself is invisible: the components under test live in this root item, so
// they are shown, take mouse clicks and get focus.
Item {
    id: root
    width: 500
    height: 400

    TestCase {
        id: testCase
        name: "JsonEditor"
        when: windowShown

        Component {
            id: editorComponent
            JsonEditor {
                width: 480
                height: 300
            }
        }

        SignalSpy {
            id: validSpy
            signalName: "validChanged"
        }

        function init() {
            failOnWarning(/.?/);
        }

        function cleanup() {
            validSpy.clear();
            validSpy.target = null;
        }

        function createEditor(properties: var): Item {
            const editor = createTemporaryObject(editorComponent, root, properties ?? {});
            verify(editor, "JsonEditor created");
            validSpy.target = editor;
            return editor;
        }

        function statusOf(editor: Item): Item {
            const status = findChild(editor, editor.editorObjectName + "Status");
            verify(status, "status line");
            return status;
        }

        function test_valid_data() {
            return [
                { tag: "object", text: '{"orderId": 42, "tags": ["a", "b"]}', kind: "object" },
                { tag: "array", text: "[1, 2, 3]", kind: "array" },
                { tag: "string", text: '"hello"', kind: "string" },
                { tag: "number", text: "-12.5e3", kind: "number" },
                { tag: "boolean", text: "true", kind: "boolean" },
                { tag: "null", text: "null", kind: "null" },
                { tag: "surrounded by blanks", text: '\n  {"a": 1}  \n', kind: "object" },
                { tag: "unicode", text: '{"städte": ["Köln", "Zürich"], "emoji": "📦"}', kind: "object" }
            ];
        }

        function test_valid(data) {
            const editor = createEditor({ text: data.text });
            verify(editor.valid, `"${data.text}" is valid`);
            compare(editor.errorText, "");
            compare(editor.kind, data.kind);
            compare(statusOf(editor).text, `Valid JSON (${data.kind})`);
        }

        // The reason names the slip, and line:column point at it (1-based).
        function test_invalid_data() {
            return [
                { tag: "unclosed object", text: '{"a": 1', line: 1, column: 8, reason: "an object is not closed: a '}' or ',' is missing" },
                { tag: "unclosed array", text: "[1, 2", line: 1, column: 6, reason: "an array is not closed: a ']' or ',' is missing" },
                { tag: "missing colon", text: '{"a" 1}', line: 1, column: 7, reason: "a ':' is missing after a key" },
                { tag: "unclosed string", text: '"abc', line: 1, column: 5, reason: "a string is not closed: a '\"' is missing" },
                { tag: "bare word", text: '{"a": tru}', line: 1, column: 11, reason: "this is not a JSON value (strings need double quotes)" },
                { tag: "two values", text: "1 2", line: 1, column: 4, reason: "a ',' is missing between values" },
                { tag: "single quotes", text: "{'a': 1}", line: 1, column: 2, reason: "strings and keys need double quotes, not single quotes" },
                { tag: "trailing comma", text: '{"a": 1,}', line: 1, column: 8, reason: "remove the comma before '}': JSON allows no trailing comma" },
                { tag: "trailing comma in array", text: "[1, 2, ]", line: 1, column: 6, reason: "remove the comma before ']': JSON allows no trailing comma" },
                { tag: "missing value, third line", text: '{\n  "a": 1,\n  "b": \n}', line: 3, column: 6, reason: "a value is missing after ':'" }
            ];
        }

        function test_invalid(data) {
            const editor = createEditor({ text: data.text });
            verify(!editor.valid, `"${data.text}" is invalid`);
            compare(editor.errorText, `Line ${data.line}, column ${data.column}: ${data.reason}`);
            compare(statusOf(editor).text, editor.errorText);
            compare(editor.kind, "");
        }

        function test_empty() {
            const editor = createEditor({ text: "  " });
            verify(editor.valid, "an empty payload is allowed by default (sends null)");
            compare(statusOf(editor).text, "Empty payload: sends null");
            editor.allowEmpty = false;
            verify(!editor.valid);
            compare(editor.errorText, "Line 1, column 1: empty: enter a JSON value, e.g. {}");
        }

        function test_validatesAsYouType() {
            const editor = createEditor({ text: "" });
            const area = findChild(editor, editor.editorObjectName);
            verify(area, "text area");
            mouseClick(area);
            verify(area.activeFocus);
            keyClick("{");
            verify(!editor.valid, "{ alone is not JSON");
            verify(statusOf(editor).text.startsWith("Line 1, column 2: "), statusOf(editor).text);
            for (const c of '"n": 1')
                keyClick(c);
            verify(!editor.valid);
            keyClick("}");
            verify(editor.valid, `typed ${editor.text}`);
            compare(editor.text, '{"n": 1}');
            compare(statusOf(editor).text, "Valid JSON (object)");
            keyClick(Qt.Key_Backspace);
            verify(!editor.valid, "deleting the brace breaks it again");
            // valid flipped with each keystroke that changed it: invalid, valid, invalid.
            compare(validSpy.count, 3);
        }

        function test_prettyPrint() {
            const editor = createEditor({ text: '{"b":[1,2],"a":{"c":null}}' });
            editor.prettyPrint();
            verify(editor.valid);
            verify(editor.text.indexOf("\n") > 0, editor.text);
            compare(editor.text, '{\n  "b": [\n    1,\n    2\n  ],\n  "a": {\n    "c": null\n  }\n}',
                    "two-space indent, keys in the order typed");
            compare(editor.compactText(), '{"a":{"c":null},"b":[1,2]}');
        }

        function test_prettyPrintLeavesInvalidTextAlone() {
            const broken = '{"a": ';
            const editor = createEditor({ text: broken });
            editor.prettyPrint();
            compare(editor.text, broken);
            verify(!editor.valid);
        }
    }
}
