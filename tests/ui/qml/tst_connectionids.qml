import QtQuick
import QtTest
import Switchboard.Console

// Connection ids as QML hands them to the console's C++ side. In a cluster they are
// prefix << 32 | counter with a prefix below 2^21 (docs/cluster.md), so half of all nodes hand
// out ids from 2^52 to 2^53 - 1: exact as JavaScript numbers, and they must stay exact on the
// way into a qint64 property (the Connections page's selection, the Rooms page's member).
TestCase {
    name: "ConnectionIds"

    ConnectionDetails { id: details }

    function test_exactAbove2To52_data() {
        return [
            { tag: "small", id: 7 },
            { tag: "2^52 + 1", id: 4503599627370497 },
            { tag: "prefix 2^20 + 1, counter 5", id: 4503603922337797 },
            { tag: "2^53 - 1", id: 9007199254740991 },
        ];
    }

    function test_exactAbove2To52(data) {
        details.connectionId = data.id;
        compare(details.connectionId, data.id);
        compare(String(details.connectionId), String(data.id));
    }
}
