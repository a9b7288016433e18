import QtQuick
import QtTest
import Switchboard.Console

// FilterField: publishes filterText a moment after typing stops; Escape and the clear
// button reset it at once.
// TestCase itself is invisible: the components under test live in this root item, so
// they are shown, take mouse clicks and get focus.
Item {
    id: root
    width: 400
    height: 200

    TestCase {
        id: testCase
        name: "FilterField"
        when: windowShown

        Component {
            id: fieldComponent
            FilterField {
                objectName: "filter"
                x: 10
                y: 10
            }
        }

        SignalSpy {
            id: filterSpy
            signalName: "filterTextChanged"
        }

        function init() {
            failOnWarning(/.?/);
        }

        function cleanup() {
            filterSpy.clear();
            filterSpy.target = null;
        }

        function createField(properties: var): Item {
            const field = createTemporaryObject(fieldComponent, root, properties ?? {});
            verify(field, "FilterField created");
            filterSpy.target = field;
            return field;
        }

        function typeInto(field: Item, text: string) {
            mouseClick(field);
            verify(field.activeFocus, "the field has focus after a click");
            for (const c of text)
                keyClick(c);
        }

        function test_typingPublishesAfterTheDelay() {
            const field = createField({ delay: 200 });
            typeInto(field, "ord");
            compare(field.text, "ord");
            // Keystrokes in one burst: nothing published yet…
            compare(field.filterText, "");
            verify(!field.active);
            // …then exactly once, when typing stopped.
            tryCompare(field, "filterText", "ord");
            verify(field.active);
            compare(filterSpy.count, 1);
        }

        function test_eachBurstPublishesOnce() {
            const field = createField({ delay: 100 });
            typeInto(field, "a");
            tryCompare(field, "filterText", "a");
            typeInto(field, "bc");
            tryCompare(field, "filterText", "abc");
            compare(filterSpy.count, 2);
        }

        function test_escapeClearsAtOnce() {
            const field = createField({ delay: 50 });
            typeInto(field, "room:1");
            tryCompare(field, "filterText", "room:1");
            keyClick(Qt.Key_Escape);
            compare(field.text, "");
            compare(field.filterText, "");
            verify(!field.active);
            // A pending publish from before the Escape must not bring the text back.
            wait(field.delay * 3);
            compare(field.filterText, "");
        }

        function test_clearButton() {
            const field = createField({ delay: 50 });
            const clear = findChild(field, "filterClear");
            verify(clear, "clear button named after the field");
            verify(!clear.visible, "no clear button while empty");
            typeInto(field, "alice");
            verify(clear.visible);
            mouseClick(clear);
            compare(field.text, "");
            compare(field.filterText, "");
            verify(!clear.visible);
        }

        function test_clearButtonNameFollowsTheField() {
            const field = createField({ objectName: "roomsFilter" });
            verify(findChild(field, "roomsFilterClear"));
        }

        function test_placeholderIsTranslatableDefault() {
            const field = createField();
            compare(field.placeholderText, "Filter");
            const custom = createField({ placeholderText: "Filter rooms" });
            compare(custom.placeholderText, "Filter rooms");
        }
    }
}
