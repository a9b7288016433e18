import QtQuick
import QtTest
import Switchboard.Console

// KpiTile: caption, value, unit and note, and the warning/critical levels.
// TestCase itself is invisible: the components under test live in this root item, so
// they are shown, take mouse clicks and get focus.
Item {
    id: root
    width: 400
    height: 300

    TestCase {
        id: testCase
        name: "KpiTile"
        when: windowShown

        Component {
            id: tileComponent
            KpiTile {}
        }

        function init() {
            // Any warning (binding loop, type error, missing property) fails the test.
            failOnWarning(/.?/);
        }

        function createTile(properties: var): Item {
            const tile = createTemporaryObject(tileComponent, root, properties);
            verify(tile, "KpiTile created");
            return tile;
        }

        function test_showsTitleValueUnitAndNote() {
            const tile = createTile({ title: "Connections", value: "9,876", unit: "/s", note: "limit 10000" });
            compare(findChild(tile, "kpiTitle").text, "Connections");
            compare(findChild(tile, "kpiValue").text, "9,876");
            compare(tile.valueText, "9,876");
            const unit = findChild(tile, "kpiUnit");
            verify(unit.visible);
            compare(unit.text, "/s");
            const note = findChild(tile, "kpiNote");
            verify(note.visible);
            compare(note.text, "limit 10000");
        }

        function test_emptyUnitAndNoteAreHidden() {
            const tile = createTile({ title: "Rooms", value: "3" });
            verify(!findChild(tile, "kpiUnit").visible);
            verify(!findChild(tile, "kpiNote").visible);
            // No value yet reads as a dash, not as an empty tile.
            const fresh = createTile({ title: "Users" });
            compare(findChild(fresh, "kpiValue").text, "—");
        }

        function test_valueFollowsUpdates() {
            const tile = createTile({ title: "Connections", value: "1" });
            tile.value = "2";
            compare(findChild(tile, "kpiValue").text, "2");
        }

        function test_level_data() {
            return [
                { tag: "normal", level: 0, bar: "accent", valueColor: "textStrong", border: "border" },
                { tag: "warning", level: 1, bar: "warn", valueColor: "warn", border: "border" },
                { tag: "critical", level: 2, bar: "danger", valueColor: "danger", border: "danger" }
            ];
        }

        function test_level(data) {
            const accent = "#123456";
            const tile = createTile({ title: "Error rate", value: "12", level: data.level, accent: accent });
            const expected = name => name === "accent" ? accent : Theme[name];
            verify(Qt.colorEqual(tile.levelColor, expected(data.bar)),
                   `bar ${tile.levelColor} is ${data.bar}`);
            verify(Qt.colorEqual(findChild(tile, "kpiValue").color, expected(data.valueColor)),
                   `value colour ${findChild(tile, "kpiValue").color} is ${data.valueColor}`);
            verify(Qt.colorEqual(tile.border.color, expected(data.border)),
                   `border ${tile.border.color} is ${data.border}`);
        }

        function test_longValueElidesInsideTheTile() {
            const tile = createTile({ title: "Events out", value: "123456789012345678901234567890", width: 190 });
            const value = findChild(tile, "kpiValue");
            verify(value.width <= tile.width, `value ${value.width} px wide in a ${tile.width} px tile`);
            verify(value.truncated);
        }
    }
}
