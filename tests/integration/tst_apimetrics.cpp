// SPEC section 5 figures after real traffic, read back through /api/metrics and /metrics.
// Each test runs its own server so the counts are exact.
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include "core/heaptrim.h"
#include "metrics/eventlog.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

QJsonObject apiMetrics(TestServer &ts)
{
    const HttpReply reply = http("GET", ts.httpUrl(QStringLiteral("/api/metrics")));
    return reply.status == 200 ? reply.json() : QJsonObject{};
}

/// The value of an unlabelled (or exactly labelled) sample in Prometheus text; -1 if absent.
double promValue(const QByteArray &text, const QString &series)
{
    const QRegularExpression re(QStringLiteral("^%1 ([0-9.e+-]+)$").arg(QRegularExpression::escape(series)),
                                QRegularExpression::MultilineOption);
    const auto match = re.match(QString::fromUtf8(text));
    return match.hasMatch() ? match.captured(1).toDouble() : -1;
}

qint64 histogramCount(const QJsonObject &metrics)
{
    qint64 n = 0;
    for (const QJsonValue &bucket : metrics.value("latency").toObject().value("buckets").toArray())
        n += bucket.toObject().value("count").toInteger();
    return n;
}

/// Counts the UTF-8 bytes of every text frame a client receives.
struct ByteCounter : QObject
{
    qint64 bytes = 0;
    explicit ByteCounter(QWebSocket &socket)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &t) { bytes += t.toUtf8().size(); });
    }
};

} // namespace

class tst_ApiMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesAndBytes();
    void authFailuresAndCloseCodes();
    void rateLimited();
    void latencyAndEvents();
    void ratesAreSampled();
    void prometheusMatchesJson();
    void heapTrimsAreCounted_data();
    void heapTrimsAreCounted();
    void eventLogRecordsTraffic();
};

void tst_ApiMetrics::messagesAndBytes()
{
    TestServer ts;
    QVERIFY(ts.start());
    WsClient client;
    ByteCounter received(client.socket());
    const QJsonObject welcome = client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("m"))));
    QVERIFY(!welcome.isEmpty());

    // Three client messages, one with non-ASCII text: bytes are UTF-8 bytes on the wire.
    const QStringList sent{QStringLiteral(R"({"type":"ping","id":1})"),
                           QStringLiteral(R"({"type":"ping","id":2,"note":"größer als ✓"})"),
                           QStringLiteral(R"({"type":"ping","id":3})")};
    qint64 sentBytes = 0;
    for (const QString &text : sent) {
        client.sendRaw(text);
        sentBytes += text.toUtf8().size();
    }
    for (int i = 0; i < 3; ++i)
        QVERIFY(client.receives(QStringLiteral("pong"), 5000));

    const QJsonObject m = apiMetrics(ts);
    const QJsonObject messages = m.value("messages").toObject();
    QCOMPARE(messages.value("in").toInteger(), 3);
    QCOMPARE(messages.value("out").toInteger(), 4); // "connected" + 3 pongs
    QCOMPARE(m.value("bytes").toObject().value("in").toInteger(), sentBytes);
    QCOMPARE(m.value("bytes").toObject().value("out").toInteger(), received.bytes);
    QCOMPARE(m.value("connections").toObject().value("current").toInt(), 1);
    QCOMPARE(m.value("connections").toObject().value("total").toInt(), 1);
    QCOMPARE(m.value("users").toInt(), 1);
    QCOMPARE(m.value("rooms").toInt(), 1); // user:m
    QCOMPARE(m.value("errors").toInt(), 0);

    // The per-connection counters agree.
    const auto snapshot = ts.server().registry().snapshot(welcome.value("connectionId").toString().toULongLong());
    QVERIFY(snapshot.has_value());
    QCOMPARE(snapshot->messagesIn, quint64(3));
    QCOMPARE(snapshot->messagesOut, quint64(4));
    QCOMPARE(qint64(snapshot->bytesIn), sentBytes);
    QCOMPARE(qint64(snapshot->bytesOut), received.bytes);

    // An error answer is a message out and an error.
    client.sendRaw(QStringLiteral("nonsense"));
    QVERIFY(client.receives(QStringLiteral("error"), 5000));
    const QJsonObject after = apiMetrics(ts);
    QCOMPARE(after.value("messages").toObject().value("in").toInteger(), 4);
    QCOMPARE(after.value("messages").toObject().value("out").toInteger(), 5);
    QCOMPARE(after.value("errors").toInt(), 1);
}

void tst_ApiMetrics::authFailuresAndCloseCodes()
{
    TestServer ts;
    QVERIFY(ts.start());
    {
        WsClient noToken, badToken, mismatch;
        QVERIFY(noToken.open(ts.wsUrl()));
        QVERIFY(badToken.open(ts.wsUrl("x.y.z")));
        QVERIFY(mismatch.open(ts.wsUrl(token(QStringLiteral("1")), QStringLiteral("userId=2"))));
        QVERIFY(noToken.waitClosed() && badToken.waitClosed() && mismatch.waitClosed());
    }
    WsClient normal;
    QVERIFY(!normal.connectAndWelcome(ts.wsUrl(token(QStringLiteral("n")))).isEmpty());
    normal.socket().close(QWebSocketProtocol::CloseCodeNormal);
    QVERIFY(normal.waitClosed());
    WsClient goingAway;
    QVERIFY(!goingAway.connectAndWelcome(ts.wsUrl(token(QStringLiteral("g")))).isEmpty());
    goingAway.socket().close(QWebSocketProtocol::CloseCodeGoingAway);
    QVERIFY(goingAway.waitClosed());
    QTRY_COMPARE(ts.server().registry().connectionCount(), 0);

    const QJsonObject m = apiMetrics(ts);
    QCOMPARE(m.value("authFailures").toInt(), 3);
    const QJsonObject byCode = m.value("connections").toObject().value("byCloseCode").toObject();
    QCOMPARE(byCode.value("4001").toInt(), 1);
    QCOMPARE(byCode.value("4002").toInt(), 1);
    QCOMPARE(byCode.value("4003").toInt(), 1);
    QCOMPARE(byCode.value("1000").toInt(), 1);
    QCOMPARE(byCode.value("1001").toInt(), 1);
    QCOMPARE(byCode.size(), 5);
    QCOMPARE(m.value("connections").toObject().value("total").toInt(), 2); // refused ones never counted
    QCOMPARE(m.value("connections").toObject().value("current").toInt(), 0);

    const QByteArray prom = http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body;
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_auth_failures_total")), 3.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_connections_closed_total{code=\"4002\"}")), 1.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_connections_closed_total{code=\"1000\"}")), 1.0);
}

void tst_ApiMetrics::rateLimited()
{
    ServerConfig config = testConfig();
    config.rateLimit = 0.01; // no refill during the test: exact counts
    config.rateBurst = 5;
    config.rateAbuseLimit = 1000;
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("r")))).isEmpty());
    for (int i = 0; i < 8; ++i)
        client.send({{"type", "ping"}, {"id", i}});
    QTRY_COMPARE(client.count(QStringLiteral("pong")) + client.count(QStringLiteral("error")), 8);
    const int refused = client.count(QStringLiteral("error"));
    QCOMPARE(refused, 3);

    const QJsonObject m = apiMetrics(ts);
    QCOMPARE(m.value("rateLimited").toInt(), refused);
    QCOMPARE(m.value("messages").toObject().value("in").toInt(), 8); // refused messages still came in
    QVERIFY(!client.isClosed());
    QCOMPARE(promValue(http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body, QStringLiteral("switchboard_rate_limited_total")), double(refused));
}

void tst_ApiMetrics::latencyAndEvents()
{
    TestServer ts;
    QVERIFY(ts.start());
    WsClient a1, a2, b;
    QVERIFY(!a1.connectAndWelcome(ts.wsUrl(token(QStringLiteral("a")))).isEmpty());
    QVERIFY(!a2.connectAndWelcome(ts.wsUrl(token(QStringLiteral("a")))).isEmpty());
    QVERIFY(!b.connectAndWelcome(ts.wsUrl(token(QStringLiteral("b")))).isEmpty());
    QCOMPARE(histogramCount(apiMetrics(ts)), 0); // "connected" is no emit

    const QUrl emitUrl = ts.httpUrl(QStringLiteral("/api/v1/internal/emit"));
    QCOMPARE(adminPost(emitUrl, {{"event", "order.created"}, {"userId", "a"}}).json().value("delivered").toInt(), 2);
    QCOMPARE(adminPost(emitUrl, {{"event", "order.created"}, {"broadcast", true}}).json().value("delivered").toInt(), 3);
    QCOMPARE(adminPost(emitUrl, {{"event", "ping.all"}, {"broadcast", true}, {"except", "a"}}).json().value("delivered").toInt(), 1);
    QCOMPARE(adminPost(emitUrl, {{"event", "nobody.home"}, {"userId", "zed"}}).json().value("delivered").toInt(), 0);
    QVERIFY(b.receives(QStringLiteral("ping.all"), 5000));
    QVERIFY(a1.receives(QStringLiteral("order.created"), 5000) && a1.receives(QStringLiteral("order.created"), 5000));
    QVERIFY(a2.receives(QStringLiteral("order.created"), 5000) && a2.receives(QStringLiteral("order.created"), 5000));
    QVERIFY(b.receives(QStringLiteral("order.created"), 5000));

    // One latency sample per socket write of an emitted event: 2 + 3 + 1.
    QTRY_COMPARE(histogramCount(apiMetrics(ts)), 6);
    const QJsonObject m = apiMetrics(ts);
    QCOMPARE(m.value("emits").toInt(), 4);
    const QJsonObject events = m.value("events").toObject();
    QCOMPARE(events.value("order.created").toInt(), 2);
    QCOMPARE(events.value("ping.all").toInt(), 1);
    QCOMPARE(events.value("nobody.home").toInt(), 1);
    const QJsonObject latency = m.value("latency").toObject();
    QVERIFY(latency.value("p50Ms").toDouble() > 0);
    QVERIFY(latency.value("p99Ms").toDouble() >= latency.value("p50Ms").toDouble());
    QCOMPARE(m.value("messages").toObject().value("out").toInt(), 3 + 6);

    const QByteArray prom = http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body;
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_emit_latency_seconds_count")), 6.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_emit_latency_seconds_bucket{le=\"+Inf\"}")), 6.0);
    QVERIFY(promValue(prom, QStringLiteral("switchboard_emit_latency_seconds_sum")) > 0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_events_total{event=\"order.created\"}")), 2.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_emits_total")), 4.0);

    const QJsonObject stats = http("GET", ts.httpUrl(QStringLiteral("/api/events/stats"))).json();
    QCOMPARE(stats.value("total").toInt(), 4);
    QCOMPARE(stats.value("events").toObject().value("order.created").toInt(), 2);
}

void tst_ApiMetrics::ratesAreSampled()
{
    ServerConfig config = testConfig();
    config.rateLimit = config.rateBurst = 1e6; // the loop below may well exceed 100/s
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("s")))).isEmpty());
    // Keep traffic flowing until a once-a-second sample has seen it.
    auto rates = [&] {
        return http("GET", ts.httpUrl(QStringLiteral("/api/websocket/stats"))).json().value("rates").toObject();
    };
    QElapsedTimer timer;
    timer.start();
    bool seen = false;
    while (!seen && timer.elapsed() < 5000) {
        for (int i = 0; i < 10; ++i)
            client.send({{"type", "ping"}});
        for (int i = 0; i < 10; ++i)
            QVERIFY(client.receives(QStringLiteral("pong"), 5000));
        const QJsonObject r = rates();
        seen = r.value("messagesInPerSec").toDouble() > 0 && r.value("messagesOutPerSec").toDouble() > 0
            && r.value("bytesInPerSec").toDouble() > 0;
    }
    QVERIFY2(seen, "no per-second rates after 5 s of traffic");
    QVERIFY(!ts.server().history().isEmpty());
    QCOMPARE(ts.server().lastSample().connections, qint64(1));
    const QJsonObject m = apiMetrics(ts);
    QVERIFY(m.value("messages").toObject().value("inPerSec").toDouble() > 0);
}

void tst_ApiMetrics::prometheusMatchesJson()
{
    TestServer ts;
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("p"), QStringLiteral("admin")))).isEmpty());
    client.send({{"type", "ping"}});
    QVERIFY(client.receives(QStringLiteral("pong"), 5000));

    const QJsonObject json = apiMetrics(ts);
    const QByteArray prom = http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body;
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_connections")), 1.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_connections_total")), 1.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_users")), 1.0);
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_rooms")), 2.0); // user:p, role:admin
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_messages_in_total")), json.value("messages").toObject().value("in").toDouble());
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_messages_out_total")), json.value("messages").toObject().value("out").toDouble());
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_bytes_in_total")), json.value("bytes").toObject().value("in").toDouble());
    QCOMPARE(promValue(prom, QStringLiteral("switchboard_bytes_out_total")), json.value("bytes").toObject().value("out").toDouble());
    // Every HTTP request is counted, this one included.
    QVERIFY(promValue(prom, QStringLiteral("switchboard_http_requests_total")) >= json.value("httpRequests").toDouble() + 1);
}

void tst_ApiMetrics::heapTrimsAreCounted_data()
{
    QTest::addColumn<int>("interval");
    QTest::addRow("every second") << 1;
    QTest::addRow("off") << 0;
}

void tst_ApiMetrics::heapTrimsAreCounted()
{
    QFETCH(int, interval);
    // Where malloc is not glibc's (a sanitizer's allocator), nothing is trimmed, on or off.
    const bool trimming = interval > 0 && HeapTrim::supported();
    ServerConfig config = testConfig();
    config.heapTrimIntervalSeconds = interval;
    TestServer ts(config);
    QVERIFY(ts.start());
    auto heap = [&] { return apiMetrics(ts).value("heap").toObject(); };
    if (trimming)
        QTRY_VERIFY_WITH_TIMEOUT(heap().value("trims").toInteger() >= 2, 5000);
    else
        QTest::qWait(1500);
    const QJsonObject json = heap();
    QCOMPARE(json.value("trims").toInteger() > 0, trimming);
    QVERIFY(json.value("residentBytes").toInteger() > 0);
    const QByteArray prom = http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body;
    QVERIFY(promValue(prom, QStringLiteral("switchboard_heap_trims_total")) >= json.value("trims").toDouble());
    QVERIFY(promValue(prom, QStringLiteral("switchboard_heap_trim_seconds_total")) >= 0);
    QVERIFY(promValue(prom, QStringLiteral("switchboard_heap_resident_bytes")) > 0);
}

void tst_ApiMetrics::eventLogRecordsTraffic()
{
    // The console's Events page reads Server::eventLog(): connects, emits, failures, closes.
    TestServer ts;
    QVERIFY(ts.start());
    EventLog &log = ts.server().eventLog();
    const quint64 start = log.lastSeq();
    quint64 id = 0;
    {
        WsClient client;
        const QJsonObject welcome = client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("logged"), {}, {QStringLiteral("news")})));
        id = welcome.value("connectionId").toString().toULongLong();
        QCOMPARE(adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                           {{"event", "headline"}, {"room", "news"}, {"payload", QJsonObject{{"title", "hi"}}}}).status, 200);
        QVERIFY(client.receives(QStringLiteral("headline"), 5000));
        WsClient intruder;
        QVERIFY(intruder.open(ts.wsUrl("bad.token.here")));
        QVERIFY(intruder.waitClosed());
        client.socket().close();
        QVERIFY(client.waitClosed());
    }
    QTRY_COMPARE(ts.server().registry().connectionCount(), 0);

    bool connected = false, emitted = false, refused = false, disconnected = false;
    QTRY_VERIFY([&] {
        for (const EventLog::Entry &e : log.since(start)) {
            if (e.direction == EventLog::Direction::System && e.name == QLatin1String("connect"))
                connected |= e.userId == QLatin1String("logged") && e.connectionId == id && e.detail.startsWith(QLatin1String("127.0.0.1:"));
            if (e.direction == EventLog::Direction::Out && e.name == QLatin1String("headline"))
                emitted |= e.room == QLatin1String("news") && e.detail.contains(QLatin1String("\"title\":\"hi\""));
            if (e.direction == EventLog::Direction::System && e.name == QLatin1String("auth_failure"))
                refused |= e.detail.startsWith(QLatin1String("4002"));
            if (e.direction == EventLog::Direction::System && e.name == QLatin1String("disconnect"))
                disconnected |= e.connectionId == id && e.detail.contains(QLatin1String("1000"));
        }
        return connected && emitted && refused && disconnected;
    }());
}

QTEST_GUILESS_MAIN(tst_ApiMetrics)
#include "tst_apimetrics.moc"
