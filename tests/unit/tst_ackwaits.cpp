// Unit tests for Switchboard::AckWaits: emits whose emitter waits for the clients' acks
// (docs/hooks.md, "Acks back to the emitter").
#include <optional>

#include <QtCore/QElapsedTimer>
#include <QtTest/QTest>

#include "rooms/ackwaits.h"

using Switchboard::AckWaits;

namespace {
QStringList users(const QJsonArray &list)
{
    QStringList out;
    for (const QJsonValue &v : list)
        out << v.toObject().value(QLatin1String("userId")).toString();
    out.sort();
    return out;
}
} // namespace

class tst_AckWaits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void completeBeforeTheDeadline();
    void timeoutListsTheSilent();
    void ackBeforeTheTargetsAreKnown();
    void otherNodesReport();
    void socketTimeoutIsTimedOut();
    void caps();
    void bytesBound();
};

void tst_AckWaits::completeBeforeTheDeadline()
{
    AckWaits waits(10, 1 << 20);
    std::optional<QJsonObject> result;
    QCOMPARE(waits.open(QStringLiteral("e1"), 60000, [&](const QJsonObject &r) { result = r; }), AckWaits::Opened::Ok);
    QCOMPARE(waits.waiting(), 1);
    waits.expectReports(QStringLiteral("e1"), 0);
    waits.expect(QStringLiteral("e1"), {{1, QStringLiteral("a")}, {2, QStringLiteral("b")}}, 0);
    waits.offer(QStringLiteral("e1"), 1, QStringLiteral("a"), true, {}, {QJsonObject{{QStringLiteral("x"), 1}}});
    QVERIFY(!result);
    waits.offer(QStringLiteral("e1"), 1, QStringLiteral("a"), true, {}, {}); // a second ack of one socket: ignored
    waits.offer(QStringLiteral("other"), 2, QStringLiteral("b"), true, {}, {}); // another emit's
    QVERIFY(!result);
    waits.offer(QStringLiteral("e1"), 2, QStringLiteral("b"), false, QStringLiteral("busy"), {});
    QVERIFY(result); // at once, not after 60 s
    QCOMPARE(waits.waiting(), 0);
    QCOMPARE(result->value(QLatin1String("complete")).toBool(), true);
    QCOMPARE(result->value(QLatin1String("delivered")).toInt(), 2);
    const QJsonArray acks = result->value(QLatin1String("acks")).toArray();
    QCOMPARE(acks.size(), 2);
    QCOMPARE(acks.at(0).toObject().value(QLatin1String("data")).toObject().value(QLatin1String("x")).toInt(), 1);
    QCOMPARE(acks.at(0).toObject().value(QLatin1String("connectionId")).toString(), QStringLiteral("1"));
    QCOMPARE(acks.at(1).toObject().value(QLatin1String("ok")).toBool(), false);
    QCOMPARE(acks.at(1).toObject().value(QLatin1String("error")).toString(), QStringLiteral("busy"));
    QCOMPARE(result->value(QLatin1String("timedOut")).toArray().size(), 0);
}

void tst_AckWaits::timeoutListsTheSilent()
{
    AckWaits waits(10, 1 << 20);
    std::optional<QJsonObject> result;
    QElapsedTimer clock;
    clock.start();
    waits.open(QStringLiteral("e"), 200, [&](const QJsonObject &r) { result = r; });
    waits.expectReports(QStringLiteral("e"), 0);
    waits.expect(QStringLiteral("e"), {{1, QStringLiteral("a")}, {2, QStringLiteral("b")}}, 0);
    waits.offer(QStringLiteral("e"), 1, QStringLiteral("a"), true, {}, {});
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QVERIFY(clock.elapsed() >= 190);
    QCOMPARE(result->value(QLatin1String("complete")).toBool(), false);
    QCOMPARE(users(result->value(QLatin1String("acks")).toArray()), QStringList{QStringLiteral("a")});
    QCOMPARE(users(result->value(QLatin1String("timedOut")).toArray()), QStringList{QStringLiteral("b")});
    // Late acks find nothing to answer.
    waits.offer(QStringLiteral("e"), 2, QStringLiteral("b"), true, {}, {});
    QCOMPARE(waits.waiting(), 0);
}

void tst_AckWaits::ackBeforeTheTargetsAreKnown()
{
    // A fast client may answer before the emitter has listed the sockets.
    AckWaits waits(10, 1 << 20);
    std::optional<QJsonObject> result;
    waits.open(QStringLiteral("e"), 60000, [&](const QJsonObject &r) { result = r; });
    waits.offer(QStringLiteral("e"), 7, QStringLiteral("u"), true, {}, {});
    waits.expectReports(QStringLiteral("e"), 0);
    QVERIFY(!result); // this node's targets are not known yet
    waits.expect(QStringLiteral("e"), {{7, QStringLiteral("u")}}, 0);
    QVERIFY(result);
    QCOMPARE(result->value(QLatin1String("complete")).toBool(), true);
    QCOMPARE(result->value(QLatin1String("delivered")).toInt(), 1);
}

void tst_AckWaits::otherNodesReport()
{
    AckWaits waits(10, 1 << 20);
    std::optional<QJsonObject> result;
    waits.open(QStringLiteral("e"), 60000, [&](const QJsonObject &r) { result = r; });
    waits.expect(QStringLiteral("e"), {}, 0); // nothing here
    waits.expectReports(QStringLiteral("e"), 2);
    waits.expect(QStringLiteral("e"), {{10, QStringLiteral("r")}}, 0, true);
    waits.offer(QStringLiteral("e"), 10, QStringLiteral("r"), true, {}, {});
    QVERIFY(!result); // one node still to report
    waits.expect(QStringLiteral("e"), {}, 0, true);
    QVERIFY(result);
    QCOMPARE(result->value(QLatin1String("nodesExpected")).toInt(), 2);
    QCOMPARE(result->value(QLatin1String("nodesReported")).toInt(), 2);
    QCOMPARE(result->value(QLatin1String("delivered")).toInt(), 1);

    // Sockets a node could not list keep the wait open to its end.
    std::optional<QJsonObject> untracked;
    waits.open(QStringLiteral("u"), 100, [&](const QJsonObject &r) { untracked = r; });
    waits.expectReports(QStringLiteral("u"), 0);
    waits.expect(QStringLiteral("u"), {}, 3);
    QVERIFY(!untracked);
    QTRY_VERIFY_WITH_TIMEOUT(untracked.has_value(), 5000);
    QCOMPARE(untracked->value(QLatin1String("untracked")).toInt(), 3);
    QCOMPARE(untracked->value(QLatin1String("delivered")).toInt(), 3);
}

void tst_AckWaits::socketTimeoutIsTimedOut()
{
    AckWaits waits(10, 1 << 20);
    std::optional<QJsonObject> result;
    waits.open(QStringLiteral("e"), 60000, [&](const QJsonObject &r) { result = r; });
    waits.expectReports(QStringLiteral("e"), 0);
    waits.expect(QStringLiteral("e"), {{1, QStringLiteral("a")}}, 0);
    waits.offer(QStringLiteral("e"), 1, QStringLiteral("a"), false, QStringLiteral("ack timeout"), {});
    QVERIFY(result);
    QCOMPARE(result->value(QLatin1String("acks")).toArray().size(), 0);
    QCOMPARE(users(result->value(QLatin1String("timedOut")).toArray()), QStringList{QStringLiteral("a")});
}

void tst_AckWaits::caps()
{
    AckWaits waits(2, 1 << 20);
    int answered = 0;
    const auto count = [&](const QJsonObject &) { ++answered; };
    QCOMPARE(waits.open(QStringLiteral("a"), 60000, count), AckWaits::Opened::Ok);
    QCOMPARE(waits.open(QStringLiteral("a"), 60000, count), AckWaits::Opened::Duplicate);
    QCOMPARE(waits.open(QStringLiteral("b"), 60000, count), AckWaits::Opened::Ok);
    QCOMPARE(waits.open(QStringLiteral("c"), 60000, count), AckWaits::Opened::Full);
    waits.finish(QStringLiteral("a"));
    QCOMPARE(answered, 1);
    QCOMPARE(waits.open(QStringLiteral("c"), 60000, count), AckWaits::Opened::Ok);
    waits.finishAll();
    QCOMPARE(answered, 3);
    QCOMPARE(waits.waiting(), 0);
}

void tst_AckWaits::bytesBound()
{
    AckWaits waits(10, 1024);
    std::optional<QJsonObject> result;
    waits.open(QStringLiteral("e"), 60000, [&](const QJsonObject &r) { result = r; });
    waits.expectReports(QStringLiteral("e"), 0);
    waits.expect(QStringLiteral("e"), {{1, QStringLiteral("big")}, {2, QStringLiteral("small")}}, 0);
    waits.offer(QStringLiteral("e"), 1, QStringLiteral("big"), true, {}, {QString(2000, QLatin1Char('x'))});
    waits.offer(QStringLiteral("e"), 2, QStringLiteral("small"), true, {}, {1});
    QVERIFY(result);
    QCOMPARE(result->value(QLatin1String("omitted")).toInt(), 1);
    QCOMPARE(users(result->value(QLatin1String("acks")).toArray()), QStringList{QStringLiteral("small")});
    QCOMPARE(result->value(QLatin1String("complete")).toBool(), true);
}

QTEST_GUILESS_MAIN(tst_AckWaits)
#include "tst_ackwaits.moc"
