// The load generator's client engine (bench/loadgen/engine.h) against a real peer: Qt's own
// QWebSocketServer. Checks what the benchmarks rely on: the masked frames arrive intact, a
// message the server splits into small frames is reassembled, pings are answered, both close
// handshakes complete with the right codes, a refused upgrade counts as a failure, the
// source address is the one asked for, the Socket.IO (Engine.IO 4) handshake works, and all of
// it over TLS (wss://) too, with and without checking the certificate.
#include <functional>
#include <memory>

#include <arpa/inet.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include "engine.h"

using namespace Switchboard::Bench;

namespace {

struct Recorder final : Observer
{
    int opened = 0;
    int joined = 0;
    int replies = 0;
    int closed = 0;
    int serverErrors = 0;
    std::vector<std::int64_t> events;
    void onOpen(Client &) override { ++opened; }
    void onJoined(Client &) override { ++joined; }
    void onEvent(Client &, std::int64_t t) override { events.push_back(t); }
    void onReply(Client &) override { ++replies; }
    void onClosed(Client &) override { ++closed; }
    void onServerError(Client &, std::string_view) override { ++serverErrors; }
};

Endpoint endpointFor(quint16 port, const char *path, Protocol protocol)
{
    Endpoint e;
    e.address.sin_family = AF_INET;
    e.address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &e.address.sin_addr);
    e.host = "127.0.0.1:" + std::to_string(port);
    e.path = path;
    e.protocol = protocol;
    return e;
}

in_addr address(const char *text)
{
    in_addr a{};
    ::inet_pton(AF_INET, text, &a);
    return a;
}

/// Runs the engine's loop and Qt's in turns until @p done (no fixed waits).
bool pump(Engine &engine, const std::function<bool()> &done, int timeoutMs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        engine.poll(2);
        QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
    }
    return true;
}

} // namespace

class TestLoadgenEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void connectsJoinsAndSendsMaskedText();
    void reassemblesFragmentedMessages();
    void answersPings();
    void echoRequestGetsItsReply();
    void clientCloseHandshake();
    void serverClose_data();
    void serverClose();
    void refusedUpgradeIsAFailure();
    void socketIoHandshake();
    void switchboardSocketIo();
    void tls_data();
    void tls();
    void tlsRefusesAnUnknownCertificate();

private:
    QWebSocket *acceptOne(Engine &engine, Client &client);
    QString certFile(const char *name, const char *ext) const { return m_certs.filePath(QStringLiteral("%1.%2").arg(QLatin1String(name), QLatin1String(ext))); }
    void listenSecure();

    QTemporaryDir m_certs;
    std::unique_ptr<QWebSocketServer> m_server;
    QList<QWebSocket *> m_sockets;
    QStringList m_received;
};

void TestLoadgenEngine::initTestCase()
{
    // Two self-signed P-256 certificates for localhost and 127.0.0.1, as bench/run.sh makes them:
    // "server" is served, "other" is a CA that did not sign it.
    QVERIFY(m_certs.isValid());
    for (const char *name : {"server", "other"}) {
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), {
            QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
            QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-days"), QStringLiteral("1"),
            QStringLiteral("-keyout"), certFile(name, "key"), QStringLiteral("-out"), certFile(name, "crt")});
        QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0, openssl.readAllStandardError().constData());
    }
}

void TestLoadgenEngine::listenSecure()
{
    QFile cert(certFile("server", "crt"));
    QFile key(certFile("server", "key"));
    QVERIFY(cert.open(QIODevice::ReadOnly) && key.open(QIODevice::ReadOnly));
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(cert.readAll()));
    config.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
    QVERIFY(!config.privateKey().isNull());
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server = std::make_unique<QWebSocketServer>(QStringLiteral("peer"), QWebSocketServer::SecureMode);
    m_server->setSslConfiguration(config);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *s = m_server->nextPendingConnection()) {
            s->setParent(m_server.get());
            connect(s, &QWebSocket::textMessageReceived, this, [this](const QString &m) { m_received << m; });
            m_sockets << s;
        }
    });
}

void TestLoadgenEngine::init()
{
    m_server = std::make_unique<QWebSocketServer>(QStringLiteral("peer"), QWebSocketServer::NonSecureMode);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    m_sockets.clear();
    m_received.clear();
    connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *s = m_server->nextPendingConnection()) {
            s->setParent(m_server.get());
            connect(s, &QWebSocket::textMessageReceived, this, [this](const QString &m) { m_received << m; });
            m_sockets << s;
        }
    });
}

void TestLoadgenEngine::cleanup()
{
    m_server.reset();
}

QWebSocket *TestLoadgenEngine::acceptOne(Engine &engine, Client &client)
{
    const int before = int(m_sockets.size());
    if (!engine.open(client))
        return nullptr;
    if (!pump(engine, [&] { return m_sockets.size() > before; }))
        return nullptr;
    return m_sockets.last();
}

void TestLoadgenEngine::connectsJoinsAndSendsMaskedText()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {address("127.0.0.3")}, recorder);
    Client &c = engine.add("the-token");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    QCOMPARE(s->peerAddress().toString(), QStringLiteral("127.0.0.3"));
    QCOMPARE(QUrlQuery(s->requestUrl()).queryItemValue(QStringLiteral("token")), QStringLiteral("the-token"));
    QCOMPARE(recorder.opened, 0);
    s->sendTextMessage(QStringLiteral(R"({"type":"connected","userId":"u"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));
    QCOMPARE(c.state, Client::State::Open);

    // Masked by the client, unmasked by Qt: the text must arrive exactly.
    engine.sendText(c, engine.joinMessage("room-1"));
    const std::string big(70000, 'q'); // 64-bit length
    engine.sendText(c, big);
    QVERIFY(pump(engine, [&] { return m_received.size() == 2; }));
    QCOMPARE(m_received.at(0), QStringLiteral(R"({"type":"subscribe","channel":"room-1"})"));
    QCOMPARE(m_received.at(1), QString::fromStdString(big));

    s->sendTextMessage(QStringLiteral(R"({"type":"subscribed","channel":"room-1"})"));
    QVERIFY(pump(engine, [&] { return recorder.joined == 1; }));
    QCOMPARE(engine.protocolErrors(), std::uint64_t(0));
}

void TestLoadgenEngine::reassemblesFragmentedMessages()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    s->sendTextMessage(QStringLiteral(R"({"type":"connected"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));
    // Qt splits every message into frames of at most 7 bytes.
    s->setOutgoingFrameSize(7);
    s->sendTextMessage(QStringLiteral(R"({"data":{"t":1234567,"p":"%1"},"type":"bench"})").arg(QString(300, QLatin1Char('x'))));
    s->sendTextMessage(QStringLiteral(R"({"type":"bench","data":{"t":42}})"));
    QVERIFY(pump(engine, [&] { return recorder.events.size() == 2; }));
    QCOMPARE(recorder.events.at(0), std::int64_t(1234567));
    QCOMPARE(recorder.events.at(1), std::int64_t(42));
    QCOMPARE(c.decoder.buffered(), std::size_t(0));
}

void TestLoadgenEngine::answersPings()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    QSignalSpy pongs(s, &QWebSocket::pong);
    s->ping("are you there");
    QVERIFY(pump(engine, [&] { return pongs.size() == 1; }));
    QCOMPARE(pongs.at(0).at(1).toByteArray(), QByteArray("are you there"));
}

void TestLoadgenEngine::echoRequestGetsItsReply()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    s->sendTextMessage(QStringLiteral(R"({"type":"connected"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));
    engine.sendText(c, engine.echoMessage());
    QVERIFY(pump(engine, [&] { return m_received.size() == 1; }));
    QCOMPARE(m_received.at(0), QStringLiteral(R"({"type":"ping"})"));
    QCOMPARE(recorder.replies, 0);
    s->sendTextMessage(QStringLiteral(R"({"timestamp":1,"type":"pong"})"));
    QVERIFY(pump(engine, [&] { return recorder.replies == 1; }));
}

void TestLoadgenEngine::clientCloseHandshake()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    s->sendTextMessage(QStringLiteral(R"({"type":"connected"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));
    QSignalSpy disconnected(s, &QWebSocket::disconnected);
    engine.close(c, 1000);
    QCOMPARE(c.state, Client::State::Closing);
    QVERIFY(pump(engine, [&] { return recorder.closed == 1 && disconnected.size() == 1; }));
    QCOMPARE(s->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QVERIFY(c.cleanClose);
    QVERIFY(!c.closedByServer);
    QVERIFY(!c.failed);
    QCOMPARE(c.state, Client::State::Closed);
    QCOMPARE(c.fd, -1);
}

void TestLoadgenEngine::serverClose_data()
{
    QTest::addColumn<bool>("welcomed");
    QTest::addRow("after the welcome") << true;
    QTest::addRow("before the welcome (a refused token)") << false;
}

void TestLoadgenEngine::serverClose()
{
    QFETCH(bool, welcomed);
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    if (welcomed) {
        s->sendTextMessage(QStringLiteral(R"({"type":"connected"})"));
        QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));
    } else {
        // The upgrade is complete once Qt has it; wait for the client to see the 101.
        QVERIFY(pump(engine, [&] { return c.state == Client::State::Opening; }));
    }
    QSignalSpy disconnected(s, &QWebSocket::disconnected);
    s->close(QWebSocketProtocol::CloseCode(4002), QStringLiteral("invalid token"));
    QVERIFY(pump(engine, [&] { return recorder.closed == 1; }));
    QCOMPARE(int(c.closeCode), 4002);
    QVERIFY(c.closedByServer);
    QCOMPARE(c.failed, !welcomed);
    // The client answered the close frame, so Qt sees a complete handshake.
    QVERIFY(pump(engine, [&] { return disconnected.size() == 1; }));
}

void TestLoadgenEngine::refusedUpgradeIsAFailure()
{
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&http] {
        QTcpSocket *socket = http.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            if (socket->readAll().contains("\r\n\r\n"))
                socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        });
    });
    Recorder recorder;
    Engine engine(endpointFor(http.serverPort(), "/ws", Protocol::Native), {}, recorder);
    Client &c = engine.add("t");
    QVERIFY(engine.open(c));
    QVERIFY(pump(engine, [&] { return recorder.closed == 1; }));
    QVERIFY(c.failed);
    QCOMPARE(int(c.closeCode), 503);
    QCOMPARE(recorder.opened, 0);
    QVERIFY(engine.lastError().find("refused") != std::string::npos);
}

void TestLoadgenEngine::socketIoHandshake()
{
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/socket.io/", Protocol::SocketIo), {}, recorder);
    Client &c = engine.add("jwt-here");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    const QUrlQuery query(s->requestUrl());
    QCOMPARE(s->requestUrl().path(), QStringLiteral("/socket.io/"));
    QCOMPARE(query.queryItemValue(QStringLiteral("EIO")), QStringLiteral("4"));
    QCOMPARE(query.queryItemValue(QStringLiteral("transport")), QStringLiteral("websocket"));

    s->sendTextMessage(QStringLiteral(R"(0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 1; }));
    QCOMPARE(m_received.at(0), QStringLiteral(R"(40{"token":"jwt-here"})"));
    QCOMPARE(recorder.opened, 0);
    s->sendTextMessage(QStringLiteral(R"(40{"sid":"def"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));

    s->sendTextMessage(QStringLiteral("2"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 2; }));
    QCOMPARE(m_received.at(1), QStringLiteral("3"));

    engine.sendText(c, engine.joinMessage("r1"));
    engine.sendText(c, engine.emitMessage("r1", R"({"t":5})"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 4; }));
    QCOMPARE(m_received.at(2), QStringLiteral(R"(42["join_room","r1"])"));
    QCOMPARE(m_received.at(3), QStringLiteral(R"(42["emit",{"room":"r1","event":"bench","data":{"t":5}}])"));

    s->sendTextMessage(QStringLiteral(R"(42["subscribed",{"channel":"r1"}])"));
    s->sendTextMessage(QStringLiteral(R"(42["bench",{"t":77,"p":"x"}])"));
    QVERIFY(pump(engine, [&] { return recorder.joined == 1 && recorder.events.size() == 1; }));
    QCOMPARE(recorder.events.at(0), std::int64_t(77));

    // A connect error from the middleware (bad token) ends the client as failed.
    Client &refused = engine.add("bad");
    QWebSocket *s2 = acceptOne(engine, refused);
    QVERIFY(s2);
    s2->sendTextMessage(QStringLiteral(R"(0{"sid":"x","pingInterval":25000,"pingTimeout":20000})"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 5; }));
    s2->sendTextMessage(QStringLiteral(R"(44{"message":"invalid token"})"));
    QVERIFY(pump(engine, [&] { return recorder.closed == 1; }));
    QVERIFY(refused.failed);
    QCOMPARE(engine.protocolErrors(), std::uint64_t(0));
}

void TestLoadgenEngine::switchboardSocketIo()
{
    // Switchboard's own /socket.io/: joins confirmed by acks, publishes as the event itself with
    // the room inside its data, delivered objects padded to the same size as the other protocols'.
    Recorder recorder;
    Engine engine(endpointFor(m_server->serverPort(), "/socket.io/", Protocol::SwitchboardSocketIo), {}, recorder);
    Client &c = engine.add("jwt-here");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY(s);
    QCOMPARE(QUrlQuery(s->requestUrl()).queryItemValue(QStringLiteral("transport")), QStringLiteral("websocket"));
    s->sendTextMessage(QStringLiteral(R"(0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 1; }));
    QCOMPARE(m_received.at(0), QStringLiteral(R"(40{"token":"jwt-here"})"));
    s->sendTextMessage(QStringLiteral(R"(40{"sid":"def"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));

    c.joinsPending = 2;
    engine.sendText(c, engine.joinMessage("r1"));
    engine.sendText(c, engine.joinMessage("r2"));
    engine.sendText(c, engine.emitMessage("r1", R"({"t":5,"p":"xx"})"));
    engine.sendText(c, engine.emitMessage("r1", "{}"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 5; }));
    QCOMPARE(m_received.at(1), QStringLiteral(R"(421["join_room","r1"])"));
    QCOMPARE(m_received.at(2), QStringLiteral(R"(422["join_room","r2"])"));
    QCOMPARE(m_received.at(3), QStringLiteral(R"(42["bench",{"room":"r1","t":5,"p":"xx"}])"));
    QCOMPARE(m_received.at(4), QStringLiteral(R"(42["bench",{"room":"r1"}])"));
    QCOMPARE(engine.dataOverhead("r1"), std::string_view(R"("room":"r1",)").size());

    s->sendTextMessage(QStringLiteral(R"(431[{"ok":true,"room":"r1"}])"));
    QVERIFY(pump(engine, [&] { return recorder.joined == 1; }));
    QCOMPARE(int(c.joinsPending), 1);
    s->sendTextMessage(QStringLiteral(R"(432[{"ok":false,"error":{"code":"forbidden","message":"room not allowed"}}])"));
    s->sendTextMessage(QStringLiteral(R"(42["bench",{"room":"r1","t":77,"p":"x"}])"));
    s->sendTextMessage(QStringLiteral("2"));
    QVERIFY(pump(engine, [&] { return recorder.events.size() == 1 && m_received.size() == 6; }));
    QCOMPARE(recorder.events.at(0), std::int64_t(77));
    QCOMPARE(m_received.at(5), QStringLiteral("3"));
    QCOMPARE(recorder.serverErrors, 1);
    QCOMPARE(recorder.joined, 1);
    QCOMPARE(engine.protocolErrors(), std::uint64_t(0));

    // A refused token: connect error with the native close code in its data.
    Client &refused = engine.add("bad");
    QWebSocket *s2 = acceptOne(engine, refused);
    QVERIFY(s2);
    s2->sendTextMessage(QStringLiteral(R"(0{"sid":"x","pingInterval":25000,"pingTimeout":20000})"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 7; }));
    s2->sendTextMessage(QStringLiteral(R"(44{"message":"invalid signature","data":{"code":4002}})"));
    QVERIFY(pump(engine, [&] { return recorder.closed == 1; }));
    QVERIFY(refused.failed);
    QCOMPARE(int(refused.closeCode), 4002);
}

void TestLoadgenEngine::tls_data()
{
    QTest::addColumn<bool>("verify");
    QTest::addRow("certificate not checked") << false;
    QTest::addRow("checked against its CA and 127.0.0.1") << true;
}

void TestLoadgenEngine::tls()
{
    QFETCH(bool, verify);
    listenSecure();
    if (QTest::currentTestFailed())
        return;
    Endpoint endpoint = endpointFor(m_server->serverPort(), "/ws", Protocol::Native);
    endpoint.tls = true;
    if (verify)
        endpoint.tlsCa = certFile("server", "crt").toStdString();
    Recorder recorder;
    Engine engine(endpoint, {address("127.0.0.3")}, recorder);
    Client &c = engine.add("the-token");
    QWebSocket *s = acceptOne(engine, c);
    QVERIFY2(s, engine.lastError().c_str());
    QVERIFY(c.ssl);
    QCOMPARE(QUrlQuery(s->requestUrl()).queryItemValue(QStringLiteral("token")), QStringLiteral("the-token"));
    s->sendTextMessage(QStringLiteral(R"({"type":"connected","userId":"u"})"));
    QVERIFY(pump(engine, [&] { return recorder.opened == 1; }));

    // Many TLS records, more than the engine's 256 KiB read buffer and than the socket buffers
    // take at once (SSL_write wants to wait, the retry passes a grown buffer), both ways; a
    // small message queued behind the big one.
    const std::string big(8000000, 'q');
    engine.sendText(c, big);
    engine.sendText(c, engine.joinMessage("room-1"));
    QVERIFY(pump(engine, [&] { return m_received.size() == 2; }));
    QCOMPARE(m_received.at(0), QString::fromStdString(big));
    QCOMPARE(m_received.at(1), QStringLiteral(R"({"type":"subscribe","channel":"room-1"})"));
    s->sendTextMessage(QStringLiteral(R"({"type":"bench","data":{"t":99,"p":"%1"}})").arg(QString(8000000, QLatin1Char('x'))));
    s->sendTextMessage(QStringLiteral(R"({"type":"bench","data":{"t":100}})"));
    QVERIFY(pump(engine, [&] { return recorder.events.size() == 2; }));
    QCOMPARE(recorder.events, (std::vector<std::int64_t>{99, 100}));

    QSignalSpy pongs(s, &QWebSocket::pong);
    s->ping("over tls");
    QVERIFY(pump(engine, [&] { return pongs.size() == 1; }));

    QSignalSpy disconnected(s, &QWebSocket::disconnected);
    engine.close(c, 1000);
    QVERIFY(pump(engine, [&] { return recorder.closed == 1 && disconnected.size() == 1; }));
    QVERIFY(c.cleanClose);
    QVERIFY(!c.failed);
    QVERIFY(!c.ssl);
    QCOMPARE(c.fd, -1);
    QCOMPARE(engine.protocolErrors(), std::uint64_t(0));
}

void TestLoadgenEngine::tlsRefusesAnUnknownCertificate()
{
    listenSecure();
    if (QTest::currentTestFailed())
        return;
    Endpoint endpoint = endpointFor(m_server->serverPort(), "/ws", Protocol::Native);
    endpoint.tls = true;
    endpoint.tlsCa = certFile("other", "crt").toStdString();
    Recorder recorder;
    Engine engine(endpoint, {}, recorder);
    Client &c = engine.add("t");
    QVERIFY(engine.open(c));
    QVERIFY(pump(engine, [&] { return recorder.closed == 1; }));
    QVERIFY(c.failed);
    QCOMPARE(recorder.opened, 0);
    QVERIFY2(engine.lastError().find("TLS handshake") != std::string::npos, engine.lastError().c_str());
    QVERIFY2(engine.lastError().find("certificate verify failed") != std::string::npos, engine.lastError().c_str());
}

QTEST_GUILESS_MAIN(TestLoadgenEngine)
#include "tst_loadgenengine.moc"
