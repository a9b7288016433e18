// Offline delivery: "persist": true to a user with no connection is committed to SQLite in
// the data dir and handed to that user's next connection, in order, across a server restart
// too; it stays stored until the client acks it, and the oldest go beyond the per-user bounds
// (events and bytes); one event over the byte bound alone is refused with 413.
#include <QtCore/QFileInfo>
#include <QtTest/QtTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

class TestOffline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void persistedForOfflineUserAndDeliveredOnce();
    void onlineUserIsNotPersisted();
    void survivesRestart();
    void onlyUserTargetsPersist();
    void unackedIsRedeliveredOnNextConnect();
    void deliveredInOrderAndBoundDropsOldest();
    void secondConnectionDoesNotGetLeasedEvents();
    void byteBoundDropsOldestAndRefusesLarger();
};

namespace {

HttpReply persistTo(TestServer &ts, const QString &user, const QString &event, int n)
{
    return adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                     {{"event", event}, {"userId", user}, {"payload", QJsonObject{{"n", n}}}, {"persist", true}});
}

} // namespace

void TestOffline::persistedForOfflineUserAndDeliveredOnce()
{
    TestServer ts;
    QVERIFY(ts.start());
    const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "invoice.ready"}, {"userId", "77"}, {"payload", QJsonObject{{"n", 1}}}, {"persist", true}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("delivered").toInt(), 0);
    QCOMPARE(reply.json().value("persisted").toBool(), true);
    QVERIFY(QFileInfo::exists(ts.dataDir() + QStringLiteral("/switchboard.db")));
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("77")), 1);

    WsClient first;
    QVERIFY(!first.connectAndWelcome(ts.wsUrl(token(QStringLiteral("77")))).isEmpty());
    const QJsonObject event = first.waitFor(QStringLiteral("invoice.ready"));
    QCOMPARE(event.value("data").toObject().value("n").toInt(), 1);
    QCOMPARE(event.value("id").toString(), reply.json().value("id").toString());
    QCOMPARE(event.value("ack").toBool(), true);
    QCOMPARE(event.value("persisted").toBool(), true);
    // Delivered is not done: it is removed when the client acknowledges it.
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("77")), 1);
    first.send({{"type", "ack"}, {"id", event.value("id")}});
    QTRY_COMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("77")), 0);
    QCOMPARE(ts.server().metrics().offlineDelivered.load(), quint64(1));

    WsClient second;
    QVERIFY(!second.connectAndWelcome(ts.wsUrl(token(QStringLiteral("77")))).isEmpty());
    second.send({{"type", "ping"}});
    QVERIFY(second.receives(QStringLiteral("pong"), 5000));
    QCOMPARE(second.count(QStringLiteral("invoice.ready")), 0);
}

void TestOffline::onlineUserIsNotPersisted()
{
    TestServer ts;
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("5")))).isEmpty());
    const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "hello"}, {"userId", "5"}, {"persist", true}});
    QCOMPARE(reply.json().value("delivered").toInt(), 1);
    QCOMPARE(reply.json().value("persisted").toBool(), false);
    QVERIFY(client.receives(QStringLiteral("hello"), 5000));
    QCOMPARE(ts.server().offlineStore().pendingCount(), 0);
}

void TestOffline::survivesRestart()
{
    QTemporaryDir dir;
    ServerConfig config = testConfig();
    config.dataDir = dir.path();
    QString id;
    {
        TestServer ts(config);
        QVERIFY(ts.start());
        const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                          {{"event", "kept"}, {"userId", "9"}, {"persist", true}});
        QCOMPARE(reply.json().value("persisted").toBool(), true);
        id = reply.json().value("id").toString();
    }
    TestServer again(config);
    QVERIFY(again.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(again.wsUrl(token(QStringLiteral("9")))).isEmpty());
    QCOMPARE(client.waitFor(QStringLiteral("kept")).value("id").toString(), id);
}

void TestOffline::onlyUserTargetsPersist()
{
    TestServer ts;
    QVERIFY(ts.start());
    const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "x"}, {"room", "nobody-here"}, {"persist", true}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("persisted").toBool(), false);
    QCOMPARE(ts.server().offlineStore().pendingCount(), 0);
}

void TestOffline::unackedIsRedeliveredOnNextConnect()
{
    TestServer ts;
    QVERIFY(ts.start());
    const QString id = persistTo(ts, QStringLiteral("31"), QStringLiteral("kept"), 1).json().value("id").toString();
    {
        WsClient first;
        QVERIFY(!first.connectAndWelcome(ts.wsUrl(token(QStringLiteral("31")))).isEmpty());
        QCOMPARE(first.waitFor(QStringLiteral("kept")).value("id").toString(), id);
        first.socket().close();
        QVERIFY(first.waitClosed());
        QTRY_COMPARE(ts.server().registry().connectionCount(), 0);
    }
    WsClient second;
    QVERIFY(!second.connectAndWelcome(ts.wsUrl(token(QStringLiteral("31")))).isEmpty());
    QCOMPARE(second.waitFor(QStringLiteral("kept")).value("id").toString(), id);
    second.send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("31")), 0);
}

void TestOffline::deliveredInOrderAndBoundDropsOldest()
{
    ServerConfig config = testConfig();
    config.offlineMaxPerUser = 3;
    TestServer ts(config);
    QVERIFY(ts.start());
    for (int n = 1; n <= 5; ++n)
        QCOMPARE(persistTo(ts, QStringLiteral("8"), QStringLiteral("step"), n).json().value("persisted").toBool(), true);
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("8")), 3);
    QCOMPARE(ts.server().metrics().offlineDropped.load(), quint64(2));
    QVERIFY(ts.server().prometheusText().contains("switchboard_offline_dropped_total 2"));

    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("8")))).isEmpty());
    for (int n = 3; n <= 5; ++n) {
        const QJsonObject event = client.waitFor(QStringLiteral("step"));
        QCOMPARE(event.value("data").toObject().value("n").toInt(), n);
        client.send({{"type", "ack"}, {"id", event.value("id")}});
    }
    QTRY_COMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("8")), 0);
}

void TestOffline::secondConnectionDoesNotGetLeasedEvents()
{
    TestServer ts;
    QVERIFY(ts.start());
    persistTo(ts, QStringLiteral("12"), QStringLiteral("once"), 1);
    WsClient first;
    QVERIFY(!first.connectAndWelcome(ts.wsUrl(token(QStringLiteral("12")))).isEmpty());
    QVERIFY(first.receives(QStringLiteral("once"), 5000));
    WsClient second;
    QVERIFY(!second.connectAndWelcome(ts.wsUrl(token(QStringLiteral("12")))).isEmpty());
    second.send({{"type", "ping"}});
    QVERIFY(second.receives(QStringLiteral("pong"), 5000));
    QCOMPARE(second.count(QStringLiteral("once")), 0);
}

void TestOffline::byteBoundDropsOldestAndRefusesLarger()
{
    ServerConfig config = testConfig();
    config.offlineMaxBytesPerUser = 2000;
    TestServer ts(config);
    QVERIFY(ts.start());
    for (int n = 1; n <= 3; ++n) {
        const HttpReply r = persistTo(ts, QStringLiteral("9"), QStringLiteral("small"), n);
        QCOMPARE(r.status, 200);
        QVERIFY(!r.json().contains("droppedOldest"));
    }
    const auto blob = [&](int size) {
        return adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                         {{"event", "big"}, {"userId", "9"}, {"payload", QJsonObject{{"blob", QString(size, QLatin1Char('x'))}}},
                          {"persist", true}});
    };
    const HttpReply refused = blob(3000);
    QCOMPARE(refused.status, 413);
    QCOMPARE(refused.json().value("code").toString(), QStringLiteral("payload_too_large"));
    QVERIFY2(refused.json().value("error").toString().contains(QStringLiteral("over the 2000 bytes kept per offline user")),
             qPrintable(refused.json().value("error").toString()));
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("9")), 3);

    // About 1,900 bytes: room is made by dropping the oldest small ones, all three here.
    const HttpReply large = blob(1800);
    QCOMPARE(large.status, 200);
    QCOMPARE(large.json().value("droppedOldest").toInt(), 3);
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("9")), 1);

    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("9")))).isEmpty());
    const QJsonObject event = client.waitFor(QStringLiteral("big"));
    QCOMPARE(event.value("id").toString(), large.json().value("id").toString());
    QCOMPARE(client.count(QStringLiteral("small")), 0);
}

QTEST_MAIN(TestOffline)
#include "tst_offline.moc"
