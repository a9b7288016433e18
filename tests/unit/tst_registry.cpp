// Unit tests for Switchboard::Registry: the process-wide view of connections, users, rooms.
#include <QtTest/QTest>

#include "rooms/registry.h"

using Switchboard::ConnectionInfo;
using Switchboard::Registry;

namespace {
std::shared_ptr<ConnectionInfo> info(quint64 id, const QString &user, int worker = 0)
{
    auto i = std::make_shared<ConnectionInfo>();
    i->id = id;
    i->userId = user;
    i->role = QStringLiteral("member");
    i->address = QStringLiteral("127.0.0.1:%1").arg(1000 + id);
    i->worker = worker;
    return i;
}

QList<quint64> sorted(QList<quint64> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}
} // namespace

class tst_Registry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addAndRemove();
    void usersWithSeveralConnections();
    void joinAndLeave();
    void countTargets_data();
    void countTargets();
    void firstAndLastOfUser();
    void unknownConnection();
    void snapshots();
};

void tst_Registry::addAndRemove()
{
    Registry r;
    r.add(info(1, QStringLiteral("a"), 1), {QStringLiteral("user:a"), QStringLiteral("lobby")});
    r.add(info(2, QStringLiteral("b"), 0), {QStringLiteral("user:b"), QStringLiteral("lobby")});
    QCOMPARE(r.connectionCount(), 2);
    QCOMPARE(r.userCount(), 2);
    QCOMPARE(r.roomCount(), 3);
    QCOMPARE(r.roomSize(QStringLiteral("lobby")), 2);
    QCOMPARE(r.workerOf(1), 1);
    QCOMPARE(r.workerOf(2), 0);
    QCOMPARE(sorted(r.roomMembers(QStringLiteral("lobby"))), (QList<quint64>{1, 2}));

    r.remove(1);
    QCOMPARE(r.connectionCount(), 1);
    QCOMPARE(r.userCount(), 1);
    QCOMPARE(r.roomCount(), 2); // user:a is gone with its last member
    QVERIFY(!r.roomCounts().contains(QStringLiteral("user:a")));
    QCOMPARE(r.roomSize(QStringLiteral("lobby")), 1);
    QCOMPARE(r.workerOf(1), -1);
    QVERIFY(!r.connection(1));

    r.remove(1); // twice is harmless
    r.remove(2);
    QCOMPARE(r.connectionCount(), 0);
    QCOMPARE(r.roomCount(), 0);
    QCOMPARE(r.userCount(), 0);
}

void tst_Registry::usersWithSeveralConnections()
{
    Registry r;
    r.add(info(1, QStringLiteral("a")), {QStringLiteral("user:a")});
    r.add(info(2, QStringLiteral("a")), {QStringLiteral("user:a")});
    r.add(info(3, QStringLiteral("b")), {QStringLiteral("user:b")});
    QCOMPARE(r.userCount(), 2);
    QCOMPARE(r.userConnectionCount(QStringLiteral("a")), 2);
    QCOMPARE(sorted(r.userConnections(QStringLiteral("a"))), (QList<quint64>{1, 2}));
    QCOMPARE(r.users().value(QStringLiteral("a")), 2);
    QCOMPARE(r.roomSize(QStringLiteral("user:a")), 2);
    r.remove(1);
    QCOMPARE(r.userConnectionCount(QStringLiteral("a")), 1);
    QCOMPARE(r.userCount(), 2);
    r.remove(2);
    QCOMPARE(r.userConnectionCount(QStringLiteral("a")), 0);
    QCOMPARE(r.userCount(), 1);
    QVERIFY(!r.users().contains(QStringLiteral("a")));
}

void tst_Registry::joinAndLeave()
{
    Registry r;
    r.add(info(1, QStringLiteral("a")), {QStringLiteral("user:a")});
    QVERIFY(r.join(1, QStringLiteral("order:1")));
    QVERIFY(r.isMember(1, QStringLiteral("order:1")));
    QCOMPARE(r.roomSize(QStringLiteral("order:1")), 1);
    QVERIFY(r.leave(1, QStringLiteral("order:1")));
    QVERIFY(!r.isMember(1, QStringLiteral("order:1")));
    QCOMPARE(r.roomSize(QStringLiteral("order:1")), 0);
    QVERIFY(!r.roomCounts().contains(QStringLiteral("order:1")));
    QVERIFY(!r.leave(1, QStringLiteral("order:1"))); // not a member any more
    QCOMPARE(r.roomsOf(1), QStringList{QStringLiteral("user:a")});
}

void tst_Registry::countTargets_data()
{
    QTest::addColumn<QString>("room");
    QTest::addColumn<QStringList>("moreRooms");
    QTest::addColumn<QStringList>("exceptRooms");
    QTest::addColumn<quint64>("exceptConnection");
    QTest::addColumn<QString>("exceptUser");
    QTest::addColumn<int>("expected");
    // Connections: 1 (a, in r1), 2 (a, in r1 r2), 3 (b, in r2), 4 (c, in r3).
    QTest::newRow("one room") << "r1" << QStringList{} << QStringList{} << quint64(0) << QString() << 2;
    QTest::newRow("one room except a user") << "r1" << QStringList{} << QStringList{} << quint64(0) << "a" << 0;
    QTest::newRow("one room except a connection") << "r2" << QStringList{} << QStringList{} << quint64(3) << QString() << 1;
    QTest::newRow("one room except a connection not in it") << "r2" << QStringList{} << QStringList{} << quint64(1) << QString() << 2;
    QTest::newRow("one room except an unknown connection") << "r1" << QStringList{} << QStringList{} << quint64(99) << QString() << 2;
    QTest::newRow("two rooms, a socket in both counted once") << "r1" << QStringList{"r2"} << QStringList{} << quint64(0) << QString() << 3;
    QTest::newRow("rooms except a room") << "r1" << QStringList{"r2"} << QStringList{"r3", "user:a"} << quint64(0) << QString() << 1;
    QTest::newRow("everyone") << "" << QStringList{} << QStringList{} << quint64(0) << QString() << 4;
    QTest::newRow("everyone except a user") << "" << QStringList{} << QStringList{} << quint64(0) << "a" << 2;
    QTest::newRow("everyone except that user's connection, counted once") << "" << QStringList{} << QStringList{} << quint64(1) << "a" << 2;
    QTest::newRow("everyone except another user's connection") << "" << QStringList{} << QStringList{} << quint64(4) << "a" << 1;
    QTest::newRow("everyone except an unknown connection") << "" << QStringList{} << QStringList{} << quint64(99) << QString() << 4;
    QTest::newRow("everyone except a room") << "" << QStringList{} << QStringList{"r2"} << quint64(0) << QString() << 2;
    QTest::newRow("unknown room") << "nope" << QStringList{} << QStringList{} << quint64(0) << QString() << 0;
}

void tst_Registry::countTargets()
{
    QFETCH(QString, room);
    QFETCH(QStringList, moreRooms);
    QFETCH(QStringList, exceptRooms);
    QFETCH(quint64, exceptConnection);
    QFETCH(QString, exceptUser);
    QFETCH(int, expected);
    Registry r;
    r.add(info(1, QStringLiteral("a")), {QStringLiteral("user:a"), QStringLiteral("r1")});
    r.add(info(2, QStringLiteral("a")), {QStringLiteral("user:a"), QStringLiteral("r1"), QStringLiteral("r2")});
    r.add(info(3, QStringLiteral("b")), {QStringLiteral("user:b"), QStringLiteral("r2")});
    r.add(info(4, QStringLiteral("c")), {QStringLiteral("user:c"), QStringLiteral("r3")});
    QCOMPARE(r.countTargets(room, moreRooms, exceptRooms, exceptConnection, exceptUser), expected);
    // The same sockets listed, with their users (acks back to the emitter), and bounded.
    int more = -1;
    const auto listed = r.listTargets(room, moreRooms, exceptRooms, exceptConnection, exceptUser, 100, &more);
    QCOMPARE(int(listed.size()), expected);
    QCOMPARE(more, 0);
    for (const auto &[id, user] : listed)
        QCOMPARE(user, r.connection(id)->userId);
    const auto cut = r.listTargets(room, moreRooms, exceptRooms, exceptConnection, exceptUser, 1, &more);
    QCOMPARE(int(cut.size()), qMin(1, expected));
    QCOMPARE(more, qMax(0, expected - 1));
}

void tst_Registry::firstAndLastOfUser()
{
    // Presence events: a user arrives with their first connection in a room, goes with the last.
    Registry r;
    QStringList first;
    r.add(info(1, QStringLiteral("a")), {QStringLiteral("user:a"), QStringLiteral("r1")}, &first);
    QCOMPARE(first, (QStringList{QStringLiteral("user:a"), QStringLiteral("r1")}));
    first.clear();
    r.add(info(2, QStringLiteral("a")), {QStringLiteral("user:a")}, &first);
    QCOMPARE(first, QStringList{});
    bool firstOfUser = true;
    QVERIFY(r.join(2, QStringLiteral("r1"), &firstOfUser));
    QVERIFY(!firstOfUser);
    QVERIFY(r.join(2, QStringLiteral("r2"), &firstOfUser));
    QVERIFY(firstOfUser);
    bool lastOfUser = true;
    QVERIFY(r.leave(1, QStringLiteral("r1"), &lastOfUser));
    QVERIFY(!lastOfUser); // connection 2 is still there
    QVERIFY(r.join(1, QStringLiteral("r1"), &firstOfUser));
    QVERIFY(!firstOfUser);
    QStringList last;
    r.remove(2, &last);
    QCOMPARE(last, QStringList{QStringLiteral("r2")}); // user:a and r1 keep connection 1
    r.remove(1, &last);
    last.sort();
    QCOMPARE(last, (QStringList{QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("user:a")}));
}

void tst_Registry::unknownConnection()
{
    Registry r;
    QVERIFY(!r.join(99, QStringLiteral("lobby")));
    QCOMPARE(r.roomCount(), 0);
    QVERIFY(!r.leave(99, QStringLiteral("lobby")));
    QVERIFY(!r.snapshot(99).has_value());
    QVERIFY(r.roomsOf(99).isEmpty());
}

void tst_Registry::snapshots()
{
    Registry r;
    auto i = info(5, QStringLiteral("u"), 1);
    i->messagesIn = 3;
    i->bytesOut = 120;
    i->pendingBytes = 17;
    r.add(i, {QStringLiteral("z"), QStringLiteral("a"), QStringLiteral("user:u")});
    i->messagesOut = 9; // counters are live: the snapshot reads them at snapshot time
    const auto s = r.snapshot(5);
    QVERIFY(s.has_value());
    QCOMPARE(s->userId, QStringLiteral("u"));
    QCOMPARE(s->role, QStringLiteral("member"));
    QCOMPARE(s->address, QStringLiteral("127.0.0.1:1005"));
    QCOMPARE(s->worker, 1);
    QCOMPARE(s->messagesIn, quint64(3));
    QCOMPARE(s->messagesOut, quint64(9));
    QCOMPARE(s->bytesOut, quint64(120));
    QCOMPARE(s->pendingBytes, qint64(17));
    QCOMPARE(s->rooms, (QStringList{"a", "user:u", "z"})); // sorted
    QCOMPARE(r.connections().size(), 1);
    QCOMPARE(r.connections().first().id, quint64(5));
}

QTEST_GUILESS_MAIN(tst_Registry)
#include "tst_registry.moc"
