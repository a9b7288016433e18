// Floods: an emitter faster than the sockets is refused with "overloaded" once an I/O
// thread's backlog passes max-queued-emits; nothing accepted is lost and the server recovers.
#include <QtTest/QtTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

class TestBackpressure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void floodIsRefusedThenRecovers();
};

void TestBackpressure::floodIsRefusedThenRecovers()
{
    ServerConfig config = testConfig();
    config.maxQueuedEmits = 5;
    TestServer ts(config);
    QVERIFY(ts.start());

    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        QVERIFY(!clients.back()->connectAndWelcome(ts.wsUrl(token(QStringLiteral("u%1").arg(i)))).isEmpty());
    }

    // Each accepted broadcast costs the I/O threads 20 socket writes; posting one costs far
    // less, so a tight loop outruns them and must hit the limit.
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 3000; ++i) {
        EmitRequest request;
        request.event = QStringLiteral("flood");
        request.payload = i;
        const EmitResult result = ts.server().emitEvent(request);
        if (result.overloaded) {
            ++refused;
            QVERIFY(result.error.contains(QLatin1String("overloaded")));
        } else {
            QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
            ++accepted;
        }
    }
    QVERIFY(refused > 0);
    QVERIFY(accepted > 0);

    // Every accepted emit reaches every client; then the server takes new work again.
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->count(QStringLiteral("flood")), accepted, 20000);
    const HttpReply after = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "after"}, {"broadcast", true}});
    QCOMPARE(after.status, 200);
    QCOMPARE(after.json().value("delivered").toInt(), 20);
    for (auto &client : clients)
        QVERIFY(client->receives(QStringLiteral("after"), 5000));

    const HttpReply metrics = http("GET", ts.httpUrl(QStringLiteral("/api/metrics")));
    QCOMPARE(metrics.json().value("emitsRefused").toInteger(), refused);
    QVERIFY(http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body.contains(
        QByteArray("switchboard_emits_refused_total ") + QByteArray::number(refused)));
}

QTEST_MAIN(TestBackpressure)
#include "tst_backpressure.moc"
