// Every close code of SPEC section 2, produced by real clients against a real server.
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "auth/jwt.h"
#include "rawclients.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

QByteArray expiredToken()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return Jwt::sign({{"sub", "42"}, {"iat", now - 7200}, {"exp", now - 3600}}, kSecret);
}

QByteArray unsignedToken()
{
    auto b64 = [](const QByteArray &s) { return s.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals); };
    return b64(R"({"alg":"none","typ":"JWT"})") + '.' + b64(R"({"sub":"42"})") + '.';
}

/// Opens @p client with a full request (headers) and waits until it is open or closed.
bool openRequest(WsClient &client, const QNetworkRequest &request)
{
    client.socket().open(request);
    QElapsedTimer timer;
    timer.start();
    while (client.socket().state() != QAbstractSocket::ConnectedState && !client.isClosed() && timer.elapsed() < 5000)
        QTest::qWait(5);
    return client.socket().state() == QAbstractSocket::ConnectedState || client.isClosed();
}

/// Consumes every message received so far.
void drain(WsClient &client)
{
    while (!client.waitFor({}, 0).isEmpty()) {
    }
}

quint64 closes(Server &server, int code)
{
    return server.metrics().closesByCode().value(code);
}

} // namespace

class tst_CloseCodes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void credentials_data();
    void credentials();
    void bearerHeader_data();
    void bearerHeader();
    void serverFull();
    void messageTooBig_data();
    void messageTooBig();
    void rateLimitAbuse();
    void rateLimitedButNotAbusive();
    void stopClosesWithGoingAway();
    void restartAfterStop();
    void portInUse();
};

void tst_CloseCodes::init()
{
    // Refusing a client must not trip over QtWebSockets' own handshake handling.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("device not open")));
}

void tst_CloseCodes::credentials_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("code");          // -1: accepted
    QTest::addColumn<QString>("reason");    // substring of the close reason

    const QString good = QString::fromLatin1(token(QStringLiteral("42")));
    QTest::addRow("no token") << QString() << 4001 << "missing";
    QTest::addRow("empty token") << "token=" << 4001 << "missing";
    QTest::addRow("garbage token") << "token=abc.def" << 4002 << "";
    QTest::addRow("three garbage segments") << "token=a.b.c" << 4002 << "";
    QTest::addRow("expired") << "token=" + QString::fromLatin1(expiredToken()) << 4002 << "expired";
    QTest::addRow("not yet valid") << "token=" + QString::fromLatin1(token(QStringLiteral("42"), {}, {}, {{"nbf", QDateTime::currentSecsSinceEpoch() + 3600}})) << 4002 << "not valid yet";
    QTest::addRow("wrong secret") << "token=" + QString::fromLatin1(token(QStringLiteral("42"), {}, {}, {}, "other-secret")) << 4002 << "signature";
    QTest::addRow("alg none") << "token=" + QString::fromLatin1(unsignedToken()) << 4002 << "HS256";
    QTest::addRow("no subject") << "token=" + QString::fromLatin1(Jwt::sign({{"role", "admin"}}, kSecret)) << 4002 << "sub";
    QTest::addRow("userId mismatch") << "token=" + good + "&userId=43" << 4003 << "userId";
    QTest::addRow("userId matches") << "token=" + good + "&userId=42" << -1 << "";
    QTest::addRow("no userId") << "token=" + good << -1 << "";
}

void tst_CloseCodes::credentials()
{
    QFETCH(QString, query);
    QFETCH(int, code);
    QFETCH(QString, reason);

    TestServer ts;
    QVERIFY(ts.start());
    WsClient client;
    QUrl url = ts.wsUrl();
    url.setQuery(query);
    QVERIFY(client.open(url));
    if (code < 0) {
        const QJsonObject welcome = client.waitFor(QStringLiteral("connected"));
        QCOMPARE(welcome.value("userId").toString(), QStringLiteral("42"));
        QVERIFY(!client.isClosed());
        QCOMPARE(ts.server().metrics().authFailures.load(), quint64(0));
        return;
    }
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), code);
    QVERIFY2(client.closeReason().contains(reason, Qt::CaseInsensitive), qPrintable(client.closeReason()));
    QCOMPARE(client.count(QStringLiteral("connected")), 0); // refused before any message
    QCOMPARE(ts.server().metrics().authFailures.load(), quint64(1));
    QCOMPARE(closes(ts.server(), code), quint64(1));
    QCOMPARE(ts.server().registry().connectionCount(), 0);
    QCOMPARE(ts.server().metrics().connectionsCurrent.load(), qint64(0));
}

void tst_CloseCodes::bearerHeader_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("code"); // -1: accepted as user 7

    const QByteArray good = token(QStringLiteral("7"), QStringLiteral("agent"));
    QTest::addRow("Bearer") << QByteArray("Bearer " + good) << QString() << -1;
    QTest::addRow("lowercase bearer") << QByteArray("bearer " + good) << QString() << -1;
    QTest::addRow("Bearer + matching userId") << QByteArray("Bearer " + good) << "userId=7" << -1;
    QTest::addRow("Bearer + other userId") << QByteArray("Bearer " + good) << "userId=8" << 4003;
    QTest::addRow("Bearer garbage") << QByteArray("Bearer x.y.z") << QString() << 4002;
    QTest::addRow("Bearer wrong secret") << QByteArray("Bearer " + token(QStringLiteral("7"), {}, {}, {}, "nope")) << QString() << 4002;
    QTest::addRow("Basic scheme") << QByteArray("Basic dXNlcjpwYXNz") << QString() << 4001;
    QTest::addRow("Bearer without token") << QByteArray("Bearer ") << QString() << 4001;
}

void tst_CloseCodes::bearerHeader()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QString, query);
    QFETCH(int, code);

    TestServer ts;
    QVERIFY(ts.start());
    QUrl url = ts.wsUrl();
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", authorization);
    WsClient client;
    QVERIFY(openRequest(client, request));
    if (code < 0) {
        const QJsonObject welcome = client.waitFor(QStringLiteral("connected"));
        QCOMPARE(welcome.value("userId").toString(), QStringLiteral("7"));
        QVERIFY(welcome.value("rooms").toArray().contains(QStringLiteral("role:agent")));
        return;
    }
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), code);
}

void tst_CloseCodes::serverFull()
{
    ServerConfig config = testConfig();
    config.maxConnections = 2;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient a, b;
    QVERIFY(!a.connectAndWelcome(ts.wsUrl(token(QStringLiteral("a")))).isEmpty());
    QVERIFY(!b.connectAndWelcome(ts.wsUrl(token(QStringLiteral("b")))).isEmpty());
    {
        // A raw client: QWebSocket in Qt 6.4 treats 1012-1014 as invalid close codes and
        // reports 1002 instead, so the code is read off the wire.
        RawWsClient c;
        QVERIFY(c.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("c"))));
        QTRY_COMPARE(c.count(RawWsClient::Close), 1);
        QByteArray close;
        for (const auto &frame : c.frames()) {
            if (frame.opcode == RawWsClient::Close)
                close = frame.payload;
        }
        QVERIFY(close.size() >= 2);
        QCOMPARE((quint8(close[0]) << 8) | quint8(close[1]), 1013);
        QVERIFY2(close.mid(2).contains("full"), close.constData());
        QCOMPARE(c.count(RawWsClient::Text), 0); // no "connected"
    }
    QCOMPARE(closes(ts.server(), 1013), quint64(1));
    QCOMPARE(ts.server().metrics().authFailures.load(), quint64(0)); // a full server is no auth failure
    QVERIFY(!a.isClosed() && !b.isClosed());

    // A freed slot can be taken again.
    a.socket().close();
    QTRY_COMPARE(ts.server().registry().connectionCount(), 1);
    WsClient d;
    QVERIFY(!d.connectAndWelcome(ts.wsUrl(token(QStringLiteral("d")))).isEmpty());
    QCOMPARE(ts.server().registry().connectionCount(), 2);
    QCOMPARE(ts.server().metrics().connectionsCurrent.load(), qint64(2));
}

void tst_CloseCodes::messageTooBig_data()
{
    QTest::addColumn<int>("frameSize"); // client's outgoing frame size; 0 = one frame
    QTest::addRow("single frame") << 0;
    QTest::addRow("fragmented") << 300;
}

void tst_CloseCodes::messageTooBig()
{
    QFETCH(int, frameSize);
    ServerConfig config = testConfig();
    config.maxMessageSize = 1024;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient client;
    if (frameSize > 0)
        client.socket().setOutgoingFrameSize(quint64(frameSize));
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("42")))).isEmpty());

    // Just under the limit is fine...
    client.send({{"type", "ping"}, {"id", "small"}, {"pad", QString(900, 'x')}});
    QCOMPARE(client.waitFor(QStringLiteral("pong")).value("id").toString(), QStringLiteral("small"));
    // ... over it closes the connection with 1009.
    client.send({{"type", "ping"}, {"id", "big"}, {"pad", QString(2000, 'x')}});
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1009);
    QCOMPARE(client.count(QStringLiteral("pong")), 0);
    QTRY_COMPARE(closes(ts.server(), 1009), quint64(1));
    QTRY_COMPARE(ts.server().registry().connectionCount(), 0);
}

void tst_CloseCodes::rateLimitAbuse()
{
    ServerConfig config = testConfig();
    config.rateLimit = 0.01; // no refill to speak of, however slow the machine: exact counts
    config.rateBurst = 5;
    config.rateAbuseLimit = 10;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("42")))).isEmpty());
    for (int i = 0; i < 40; ++i)
        client.send({{"type", "ping"}, {"id", i}});
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1008);
    QVERIFY2(client.closeReason().contains(QLatin1String("rate")), qPrintable(client.closeReason()));

    // The burst was served, then refusals until the abuse limit.
    QCOMPARE(client.count(QStringLiteral("pong")), 5);
    QList<QJsonObject> errors;
    for (const QJsonObject &m : client.unread()) {
        if (m.value("type").toString() == QLatin1String("error"))
            errors << m;
    }
    // Refusals 1-9 are answered; the 10th closes the connection.
    QCOMPARE(errors.size(), 9);
    for (const QJsonObject &error : std::as_const(errors))
        QCOMPARE(error.value("code").toString(), QStringLiteral("rate_limited"));
    QVERIFY(errors.first().value("message").toString().contains(QLatin1String("per second")));
    QCOMPARE(ts.server().metrics().rateLimited.load(), quint64(10));
    QTRY_COMPARE(closes(ts.server(), 1008), quint64(1));
}

void tst_CloseCodes::rateLimitedButNotAbusive()
{
    ServerConfig config = testConfig();
    config.rateLimit = 20;
    config.rateBurst = 3;
    config.rateAbuseLimit = 1000;
    TestServer ts(config);
    QVERIFY(ts.start());

    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("42")))).isEmpty());
    for (int i = 0; i < 6; ++i)
        client.send({{"type", "ping"}, {"id", i}});
    QTRY_COMPARE(client.count(QStringLiteral("pong")) + client.count(QStringLiteral("error")), 6);
    QVERIFY(client.count(QStringLiteral("pong")) >= 3);
    QVERIFY(client.count(QStringLiteral("error")) >= 1);
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("rate_limited"));

    // The bucket refills (20/s): the same connection is served again.
    drain(client);
    bool served = false;
    QElapsedTimer timer;
    timer.start();
    while (!served && timer.elapsed() < 5000) {
        client.send({{"type", "ping"}, {"id", "later"}});
        const QJsonObject reply = client.waitFor({}, 2000);
        served = reply.value("type").toString() == QLatin1String("pong");
        if (!served)
            QTest::qWait(60); // time for the bucket to refill, not synchronisation
    }
    QVERIFY(served);
    QVERIFY(!client.isClosed());
}

void tst_CloseCodes::stopClosesWithGoingAway()
{
    TestServer ts;
    QVERIFY(ts.start());
    QList<WsClient *> clients;
    for (int i = 0; i < 4; ++i) {
        clients << new WsClient(this);
        QVERIFY(!clients.last()->connectAndWelcome(ts.wsUrl(token(QString::number(i)))).isEmpty());
    }
    QSignalSpy stopped(&ts.server(), &Server::stopped);
    ts.server().stop();
    QCOMPARE(stopped.count(), 1);
    QVERIFY(!ts.server().isRunning());
    for (WsClient *client : std::as_const(clients)) {
        QVERIFY(client->waitClosed());
        QCOMPARE(client->closeCode(), 1001);
        QVERIFY2(client->closeReason().contains(QLatin1String("shutting down")), qPrintable(client->closeReason()));
    }
    QCOMPARE(ts.server().registry().connectionCount(), 0);
    QCOMPARE(closes(ts.server(), 1001), quint64(4));

    // Nothing listens any more.
    QTcpSocket probe;
    probe.connectToHost(QStringLiteral("127.0.0.1"), ts.port());
    QVERIFY(!probe.waitForConnected(2000));

    ts.server().stop(); // a second stop is harmless
    QCOMPARE(stopped.count(), 1);
    qDeleteAll(clients);
}

void tst_CloseCodes::restartAfterStop()
{
    // The console's start/stop button stops and starts the same Server object.
    TestServer ts;
    QVERIFY(ts.start());
    {
        WsClient client;
        QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("before")))).isEmpty());
        ts.server().stop();
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1001);
    }
    QSignalSpy started(&ts.server(), &Server::started);
    QString error;
    QVERIFY2(ts.server().start(&error), qPrintable(error));
    QCOMPARE(started.count(), 1);
    QVERIFY(ts.server().isRunning());
    QCOMPARE(ts.server().threadCount(), 2);
    QCOMPARE(ts.server().registry().connectionCount(), 0);

    WsClient again;
    const QJsonObject welcome = again.connectAndWelcome(ts.wsUrl(token(QStringLiteral("after"))));
    QVERIFY(!welcome.isEmpty());
    QCOMPARE(welcome.value("userId").toString(), QStringLiteral("after"));
    const HttpReply health = http("GET", ts.httpUrl(QStringLiteral("/health")));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("connections").toInt(), 1);
    const HttpReply emitted = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")), {{"event", "hello"}, {"userId", "after"}});
    QCOMPARE(emitted.json().value("delivered").toInt(), 1);
    QVERIFY(again.receives(QStringLiteral("hello"), 5000));
}

void tst_CloseCodes::portInUse()
{
    TestServer first;
    QVERIFY(first.start());
    ServerConfig config = testConfig();
    config.port = first.port();
    Server second(config);
    QString error;
    QVERIFY(!second.start(&error));
    QVERIFY2(error.contains(QString::number(first.port())), qPrintable(error));
    QVERIFY(!second.isRunning());
    // The first one is unharmed.
    WsClient client;
    QVERIFY(!client.connectAndWelcome(first.wsUrl(token(QStringLiteral("x")))).isEmpty());
}

QTEST_GUILESS_MAIN(tst_CloseCodes)
#include "tst_closecodes.moc"
