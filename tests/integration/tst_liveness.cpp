// Liveness and back-pressure: heartbeat timeouts, the handshake timeout, slow consumers.
// Raw peers play the misbehaving clients; QWebSocket clients play the good ones.
#include <QtCore/QElapsedTimer>
#include <QtCore/QScopeGuard>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include "rawclients.h"
#include "rawsockets.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

bool alive(WsClient &client)
{
    if (client.isClosed())
        return false;
    client.send({{"type", "ping"}, {"id", "alive"}});
    return client.waitFor(QStringLiteral("pong")).value("id").toString() == QLatin1String("alive");
}

} // namespace

class tst_Liveness : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heartbeatTimeout();
    void heartbeatKeepsAnsweringClients();
    void activityCountsAsLife();
    void handshakeTimeout();
    void handshakeTimeoutSparesTalkers();
    void handshakeTimeoutCatchesPartialRequests_data();
    void handshakeTimeoutCatchesPartialRequests();
    void slowConsumer();
    void httpIdleTimeoutAfterResponse();
    void httpIdleTimeoutSparesHeldPolls();
    void httpConnectionCap();
};

namespace {

/// True when the server closes @p fd (end of stream or reset) within @p timeoutMs; data
/// arriving meanwhile is discarded.
bool closedWithin(int fd, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, int(timeoutMs - clock.elapsed())) <= 0)
            return false;
        char chunk[4096];
        if (::recv(fd, chunk, sizeof(chunk), 0) <= 0)
            return true;
    }
    return false;
}

} // namespace

void tst_Liveness::httpIdleTimeoutAfterResponse()
{
    ServerConfig config = testConfig();
    config.httpIdleTimeoutMs = 300;
    TestServer ts(config);
    QVERIFY(ts.start());
    const int fd = Raw::connectTcp(ts.port());
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([fd] { ::close(fd); });
    // Positive control: within the timeout the kept-alive socket serves request after request.
    for (int i = 0; i < 3; ++i) {
        QVERIFY(Raw::sendAll(fd, Raw::get(ts.port(), "/health")));
        QCOMPARE(Raw::readResponse(fd).status, 200);
    }
    QElapsedTimer idle;
    idle.start();
    QVERIFY(closedWithin(fd, 5000));
    QVERIFY2(idle.elapsed() >= 250, qPrintable(QString::number(idle.elapsed())));
}

void tst_Liveness::httpIdleTimeoutSparesHeldPolls()
{
    ServerConfig config = testConfig();
    config.httpIdleTimeoutMs = 200;
    // The held poll's answer: the first Engine.IO ping, in the second half of the interval.
    config.socketioPingIntervalMs = 1500;
    TestServer ts(config);
    QVERIFY(ts.start());
    const int handshake = Raw::connectTcp(ts.port());
    const int poll = Raw::connectTcp(ts.port());
    QVERIFY(handshake >= 0 && poll >= 0);
    auto closeFds = qScopeGuard([&] { ::close(handshake); ::close(poll); });
    const QByteArray sid = Raw::openEngineIo(handshake, ts.port());
    QVERIFY(!sid.isEmpty());
    QElapsedTimer held;
    held.start();
    QVERIFY(Raw::sendPoll(poll, ts.port(), sid));
    // The idle handshake socket goes after 200 ms (the control) ...
    QVERIFY(closedWithin(handshake, 5000));
    // ... the poll, held over three times as long, is answered, not closed.
    const Raw::HttpResponse answer = Raw::readResponse(poll, 5000);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.body, QByteArray("2"));
    QVERIFY2(held.elapsed() >= 700, qPrintable(QString::number(held.elapsed())));
}

void tst_Liveness::httpConnectionCap()
{
    ServerConfig config = testConfig();
    config.maxHttpConnections = 5;
    TestServer ts(config);
    QVERIFY(ts.start());
    QList<int> open;
    auto closeAll = qScopeGuard([&] {
        for (int fd : std::as_const(open))
            ::close(fd);
    });
    for (int i = 0; i < 5; ++i) {
        open.append(Raw::connectTcp(ts.port()));
        QVERIFY(Raw::sendAll(open.last(), Raw::get(ts.port(), "/health")));
        QCOMPARE(Raw::readResponse(open.last()).status, 200);
    }
    // The sixth (over all I/O threads) is closed at accept, unanswered.
    const int extra = Raw::connectTcp(ts.port());
    QVERIFY(extra >= 0);
    Raw::sendAll(extra, Raw::get(ts.port(), "/health"));
    QVERIFY(closedWithin(extra, 5000));
    ::close(extra);
    // The count follows closes: once the others are gone, a normal request works again.
    for (int fd : std::as_const(open))
        ::close(fd);
    open.clear();
    QTRY_VERIFY([&] {
        const int fd = Raw::connectTcp(ts.port());
        const bool ok = Raw::sendAll(fd, Raw::get(ts.port(), "/health")) && Raw::readResponse(fd, 1000).status == 200;
        ::close(fd);
        return ok;
    }());
}

void tst_Liveness::heartbeatTimeout()
{
    ServerConfig config = testConfig();
    config.heartbeatIntervalMs = 100;
    config.heartbeatTimeoutMs = 400;
    TestServer ts(config);
    QVERIFY(ts.start());

    RawWsClient raw;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(raw.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("mute"))));
    QTRY_COMPARE(ts.server().registry().connectionCount(), 1);
    // The server says hello and pings; the raw client never answers.
    QTRY_VERIFY(raw.count(RawWsClient::Text) >= 1);
    QVERIFY(raw.frames().first().payload.contains("\"connected\""));
    QVERIFY(raw.waitDisconnected(5000));
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(raw.count(RawWsClient::Ping) >= 2, qPrintable(QString::number(raw.count(RawWsClient::Ping))));
    QVERIFY2(elapsed >= 350, qPrintable(QStringLiteral("cut off after %1 ms, before the timeout").arg(elapsed)));
    QTRY_COMPARE(ts.server().registry().connectionCount(), 0);
    QCOMPARE(ts.server().metrics().closesByCode().value(1006), quint64(1));
    QCOMPARE(ts.server().metrics().connectionsCurrent.load(), qint64(0));
}

void tst_Liveness::heartbeatKeepsAnsweringClients()
{
    ServerConfig config = testConfig();
    config.heartbeatIntervalMs = 50;
    config.heartbeatTimeoutMs = 200;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient good; // QWebSocket answers pings by itself
    QVERIFY(!good.connectAndWelcome(ts.wsUrl(token(QStringLiteral("good")))).isEmpty());
    RawWsClient mute; // ... this one does not: it is the control
    QVERIFY(mute.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("mute"))));

    // The control is dropped: the heartbeat is running ...
    QVERIFY(mute.waitDisconnected(3000));
    // ... yet five more full timeouts pass without a single application message from the
    // good client, and it stays (QWebSocket answers the pings below the API).
    QTest::qWait(5 * config.heartbeatTimeoutMs); // the passing of time is what is tested
    QVERIFY(!good.isClosed());
    QCOMPARE(ts.server().registry().connectionCount(), 1);
    QVERIFY(alive(good));
}

void tst_Liveness::activityCountsAsLife()
{
    // A peer that does not answer pings but keeps sending messages is alive.
    ServerConfig config = testConfig();
    config.heartbeatIntervalMs = 50;
    config.heartbeatTimeoutMs = 300;
    TestServer ts(config);
    QVERIFY(ts.start());

    RawWsClient chatty;
    QVERIFY(chatty.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("chatty"))));
    QElapsedTimer timer;
    timer.start();
    int sent = 0;
    while (timer.elapsed() < 4 * config.heartbeatTimeoutMs) {
        chatty.sendText(R"({"type":"ping"})");
        ++sent;
        const int pongsWanted = sent;
        QTRY_VERIFY(chatty.count(RawWsClient::Text) >= pongsWanted + 1 || chatty.isDisconnected()); // +1: "connected"
        QVERIFY(!chatty.isDisconnected());
        QTest::qWait(50); // pacing of the client's messages, not synchronisation
    }
    QVERIFY(chatty.count(RawWsClient::Ping) >= 3);
    QVERIFY(!chatty.isDisconnected());
    // Silence now: dropped after the timeout.
    QVERIFY(chatty.waitDisconnected(3000));
}

void tst_Liveness::handshakeTimeout()
{
    ServerConfig config = testConfig();
    config.handshakeTimeoutMs = 300;
    TestServer ts(config);
    QVERIFY(ts.start());

    QList<QTcpSocket *> silent;
    for (int i = 0; i < 4; ++i) { // several, so both I/O threads get some
        silent << new QTcpSocket(this);
        silent.last()->connectToHost(QStringLiteral("127.0.0.1"), ts.port());
        QVERIFY(silent.last()->waitForConnected(5000));
    }
    QElapsedTimer timer;
    timer.start();
    for (QTcpSocket *socket : std::as_const(silent)) {
        QTRY_VERIFY_WITH_TIMEOUT(socket->state() == QAbstractSocket::UnconnectedState, 5000);
        QVERIFY(socket->readAll().isEmpty()); // closed without a word
    }
    QVERIFY2(timer.elapsed() >= 200, qPrintable(QStringLiteral("closed after %1 ms").arg(timer.elapsed())));
    qDeleteAll(silent);

    // The server still serves normal requests afterwards.
    QCOMPARE(http("GET", ts.httpUrl(QStringLiteral("/health"))).status, 200);
}

void tst_Liveness::handshakeTimeoutSparesTalkers()
{
    ServerConfig config = testConfig();
    config.handshakeTimeoutMs = 200;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient ws;
    QVERIFY(!ws.connectAndWelcome(ts.wsUrl(token(QStringLiteral("w")))).isEmpty());
    QTcpSocket silent; // control: proves the timeout is running
    silent.connectToHost(QStringLiteral("127.0.0.1"), ts.port());
    QVERIFY(silent.waitForConnected(5000));
    QTRY_VERIFY_WITH_TIMEOUT(silent.state() == QAbstractSocket::UnconnectedState, 5000);
    // Well past the handshake timeout, the upgraded WebSocket is untouched.
    QVERIFY(!ws.isClosed());
    QVERIFY(alive(ws));
}

void tst_Liveness::handshakeTimeoutCatchesPartialRequests_data()
{
    QTest::addColumn<QByteArray>("bytes");
    // A peer that starts a request and never finishes it holds a socket just like a silent
    // one ("slowloris").
    QTest::addRow("one byte") << QByteArray("G");
    QTest::addRow("request line only") << QByteArray("GET /health HTTP/1.1\r\n");
    QTest::addRow("upgrade without blank line")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    QTest::addRow("body shorter than announced")
        << QByteArray("POST /api/v1/internal/emit HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"event\"");
}

void tst_Liveness::handshakeTimeoutCatchesPartialRequests()
{
    QFETCH(QByteArray, bytes);
    ServerConfig config = testConfig();
    config.handshakeTimeoutMs = 300;
    TestServer ts(config);
    QVERIFY(ts.start());

    QTcpSocket slow;
    slow.connectToHost(QStringLiteral("127.0.0.1"), ts.port());
    QVERIFY(slow.waitForConnected(5000));
    slow.write(bytes);
    QVERIFY(slow.waitForBytesWritten(5000));
    QTRY_VERIFY_WITH_TIMEOUT(slow.state() == QAbstractSocket::UnconnectedState, 5000);
    // A complete request on a fresh connection is still served.
    QCOMPARE(http("GET", ts.httpUrl(QStringLiteral("/health"))).status, 200);
}

void tst_Liveness::slowConsumer()
{
    ServerConfig config = testConfig();
    config.maxPendingBytes = 256 * 1024;
    TestServer ts(config);
    QVERIFY(ts.start());

    // "fast" reads everything; "stalled" never reads after its handshake. Both are in "flood".
    WsClient fast;
    QVERIFY(!fast.connectAndWelcome(ts.wsUrl(token(QStringLiteral("fast"), {}, {QStringLiteral("flood")}))).isEmpty());
    StalledWsClient stalled;
    QVERIFY(stalled.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("stalled"), {}, {QStringLiteral("flood")})));
    QTRY_COMPARE(ts.server().registry().roomSize(QStringLiteral("flood")), 2);
    WsClient bystander; // not in the room; must be unaffected
    QVERIFY(!bystander.connectAndWelcome(ts.wsUrl(token(QStringLiteral("bystander")))).isEmpty());

    // 64 KiB per round, paced so a reading client never has more than that pending.
    const QJsonObject payload{{"blob", QString(16 * 1024, 'x')}};
    int rounds = 0;
    int delivered = 0;
    QElapsedTimer timer;
    timer.start();
    while (ts.server().metrics().slowConsumers.load() == 0 && timer.elapsed() < 20000) {
        for (int i = 0; i < 4; ++i) {
            EmitRequest request;
            request.target = EmitRequest::Target::Room;
            request.room = QStringLiteral("flood");
            request.event = QStringLiteral("flood");
            request.payload = payload;
            delivered += ts.server().emitEvent(request).delivered;
        }
        ++rounds;
        QTest::qWait(5); // pacing; also lets "fast" read
    }
    QVERIFY2(ts.server().metrics().slowConsumers.load() == 1,
             qPrintable(QStringLiteral("no slow consumer detected after %1 rounds").arg(rounds)));
    QVERIFY2(rounds > 4, "dropped before the kernel buffers could have filled: the limit is too eager");

    // The stalled client is gone from the server (after the close handshake times out).
    QTRY_COMPARE_WITH_TIMEOUT(ts.server().registry().roomSize(QStringLiteral("flood")), 1, 10000);
    QTRY_COMPARE(ts.server().metrics().closesByCode().value(1008), quint64(1));
    QCOMPARE(ts.server().registry().userConnectionCount(QStringLiteral("stalled")), 0);

    // The fast reader got every event and is still connected; others are served as usual.
    QTRY_COMPARE_WITH_TIMEOUT(fast.count(QStringLiteral("flood")), rounds * 4, 10000);
    QVERIFY(!fast.isClosed());
    QVERIFY(alive(fast));
    QVERIFY(alive(bystander));
    const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")), {{"event", "after"}, {"room", "flood"}});
    QCOMPARE(reply.json().value("delivered").toInt(), 1);
    QVERIFY(fast.receives(QStringLiteral("after"), 5000));
    QVERIFY(delivered > rounds * 4); // both members were counted while the stalled one lived

    const HttpReply metrics = http("GET", ts.httpUrl(QStringLiteral("/api/metrics")));
    QCOMPARE(metrics.json().value("slowConsumers").toInt(), 1);
}

QTEST_GUILESS_MAIN(tst_Liveness)
#include "tst_liveness.moc"
