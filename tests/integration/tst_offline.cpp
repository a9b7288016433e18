// Offline delivery: "persist": true to a user with no connection is committed to SQLite in
// the data dir and handed to that user's next connection, across a server restart too.
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
};

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
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("77")), 0);

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

QTEST_MAIN(TestOffline)
#include "tst_offline.moc"
