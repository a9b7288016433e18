// The native JSON protocol of SPEC section 2, spoken by real QWebSocket clients.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include "auth/jwt.h"
#include "protocol/messages.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

QStringList stringList(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

/// Round trip that proves the connection is still up and in sync.
bool alive(WsClient &client, const QString &id = QStringLiteral("alive"))
{
    if (client.isClosed())
        return false;
    client.send({{"type", "ping"}, {"id", id}});
    const QJsonObject pong = client.waitFor(QStringLiteral("pong"));
    return pong.value("id").toString() == id && !client.isClosed();
}

} // namespace

class tst_Protocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void connectedMessage_data();
    void connectedMessage();
    void pingPong();
    void subscribeUnsubscribe_data();
    void subscribeUnsubscribe();
    void subscribeErrors_data();
    void subscribeErrors();
    void cannotLeaveOwnUserRoom();
    void badMessages_data();
    void badMessages();
    void binaryFrame();
    void badHandshakes_data();
    void badHandshakes();
    void clientEmit();
    void clientEmitNotInRoom();
    void clientEmitInvalid_data();
    void clientEmitInvalid();
    void namesAtAndOverTheirLimits();

private:
    std::unique_ptr<TestServer> m_ts;
};

void tst_Protocol::initTestCase()
{
    ServerConfig config = testConfig();
    config.claimRooms = {QStringLiteral("company:{companyId}"), QStringLiteral("shop:{shopIds[]}")};
    config.allowedRooms = {QStringLiteral("order:*"), QStringLiteral("chat:*"), QStringLiteral("lobby")};
    config.threads = 3;
    m_ts = std::make_unique<TestServer>(config);
    QVERIFY(m_ts->start());
    QCOMPARE(m_ts->server().threadCount(), 3);
}

void tst_Protocol::cleanupTestCase()
{
    m_ts.reset();
}

void tst_Protocol::connectedMessage_data()
{
    QTest::addColumn<QByteArray>("tok");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QStringList>("rooms");

    const qint64 exp = QDateTime::currentSecsSinceEpoch() + 600;
    QTest::addRow("plain user") << token(QStringLiteral("42")) << "42" << QStringList{"user:42"};
    QTest::addRow("role") << token(QStringLiteral("42"), QStringLiteral("admin")) << "42" << QStringList{"role:admin", "user:42"};
    QTest::addRow("rooms claim") << token(QStringLiteral("42"), {}, {QStringLiteral("lobby"), QStringLiteral("order:1")})
                                 << "42" << QStringList{"lobby", "order:1", "user:42"};
    QTest::addRow("claim templates")
        << token(QStringLiteral("42"), QStringLiteral("staff"), {}, {{"companyId", 7}, {"shopIds", QJsonArray{"s1", 2}}})
        << "42" << QStringList{"company:7", "role:staff", "shop:2", "shop:s1", "user:42"};
    QTest::addRow("everything")
        << token(QStringLiteral("u-1"), QStringLiteral("admin"), {QStringLiteral("lobby")}, {{"companyId", "acme"}, {"shopIds", QJsonArray{5}}})
        << "u-1" << QStringList{"company:acme", "lobby", "role:admin", "shop:5", "user:u-1"};
    QTest::addRow("numeric sub") << Jwt::sign({{"sub", 42}, {"exp", exp}}, kSecret) << "42" << QStringList{"user:42"};
    QTest::addRow("userId claim") << Jwt::sign({{"userId", "alice"}, {"exp", exp}}, kSecret) << "alice" << QStringList{"user:alice"};
    QTest::addRow("numeric userId claim") << Jwt::sign({{"userId", 99}, {"exp", exp}}, kSecret) << "99" << QStringList{"user:99"};
}

void tst_Protocol::connectedMessage()
{
    QFETCH(QByteArray, tok);
    QFETCH(QString, userId);
    QFETCH(QStringList, rooms);

    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(m_ts->wsUrl(tok));
    QVERIFY2(!welcome.isEmpty(), qPrintable(QStringLiteral("closed with %1").arg(client.closeCode())));
    QCOMPARE(welcome.value("type").toString(), QStringLiteral("connected"));
    QCOMPARE(welcome.value("userId").toString(), userId);
    QCOMPARE(stringList(welcome.value("rooms")), rooms); // sorted by the server
    const qint64 timestamp = qint64(welcome.value("timestamp").toDouble());
    QVERIFY(timestamp >= before && timestamp <= QDateTime::currentMSecsSinceEpoch());

    // connectionId names this very connection in the registry.
    bool ok = false;
    const quint64 id = welcome.value("connectionId").toString().toULongLong(&ok);
    QVERIFY(ok && id > 0);
    const auto snapshot = m_ts->server().registry().snapshot(id);
    QVERIFY(snapshot.has_value());
    QCOMPARE(snapshot->userId, userId);
    QCOMPARE(snapshot->rooms, rooms);
}

void tst_Protocol::pingPong()
{
    WsClient client;
    QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("p")))).isEmpty());
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    client.send({{"type", "ping"}});
    const QJsonObject pong = client.waitFor(QStringLiteral("pong"));
    QCOMPARE(pong.value("type").toString(), QStringLiteral("pong"));
    QVERIFY(qint64(pong.value("timestamp").toDouble()) >= before);
    QVERIFY(!pong.contains("id"));

    // An id is echoed, whatever its JSON type.
    client.send({{"type", "ping"}, {"id", "abc"}});
    QCOMPARE(client.waitFor(QStringLiteral("pong")).value("id").toString(), QStringLiteral("abc"));
    client.send({{"type", "ping"}, {"id", 17}});
    QCOMPARE(client.waitFor(QStringLiteral("pong")).value("id").toInt(), 17);

    // Many in a row, answered in order.
    for (int i = 0; i < 50; ++i)
        client.send({{"type", "ping"}, {"id", i}});
    for (int i = 0; i < 50; ++i)
        QCOMPARE(client.waitFor(QStringLiteral("pong")).value("id").toInt(), i);
}

void tst_Protocol::subscribeUnsubscribe_data()
{
    QTest::addColumn<QString>("join");
    QTest::addColumn<QString>("leave");
    QTest::addColumn<QString>("key");

    QTest::addRow("subscribe/unsubscribe") << "subscribe" << "unsubscribe" << "channel";
    QTest::addRow("join/leave") << "join" << "leave" << "channel";
    QTest::addRow("join_room/leave_room") << "join_room" << "leave_room" << "channel";
    QTest::addRow("room key") << "subscribe" << "unsubscribe" << "room";
}

void tst_Protocol::subscribeUnsubscribe()
{
    QFETCH(QString, join);
    QFETCH(QString, leave);
    QFETCH(QString, key);

    const QString room = QStringLiteral("order:%1").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("s"))));
    QVERIFY(!welcome.isEmpty());
    const quint64 id = welcome.value("connectionId").toString().toULongLong();
    Registry &registry = m_ts->server().registry();

    client.send({{"type", join}, {key, room}, {"id", "j1"}});
    const QJsonObject subscribed = client.waitFor(QStringLiteral("subscribed"));
    QCOMPARE(subscribed.value("channel").toString(), room);
    QCOMPARE(subscribed.value("id").toString(), QStringLiteral("j1"));
    QVERIFY(registry.isMember(id, room));

    // Membership is real: a room emit reaches the client.
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "order.updated"}, {"room", room}, {"payload", QJsonObject{{"n", 1}}}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("delivered").toInt(), 1);
    const QJsonObject event = client.waitFor(QStringLiteral("order.updated"));
    QCOMPARE(event.value("room").toString(), room);
    QCOMPARE(event.value("data").toObject().value("n").toInt(), 1);

    // Subscribing twice is harmless.
    client.send({{"type", join}, {key, room}});
    QVERIFY(client.receives(QStringLiteral("subscribed"), 5000));
    QCOMPARE(registry.roomSize(room), 1);

    client.send({{"type", leave}, {key, room}, {"id", "l1"}});
    const QJsonObject unsubscribed = client.waitFor(QStringLiteral("unsubscribed"));
    QCOMPARE(unsubscribed.value("channel").toString(), room);
    QCOMPARE(unsubscribed.value("id").toString(), QStringLiteral("l1"));
    QVERIFY(!registry.isMember(id, room));
    QCOMPARE(registry.roomSize(room), 0);

    const HttpReply after = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "order.updated"}, {"room", room}});
    QCOMPARE(after.json().value("delivered").toInt(), 0);
    QVERIFY(alive(client)); // the pong comes after where the event would have been
    QCOMPARE(client.count(QStringLiteral("order.updated")), 0);
}

void tst_Protocol::subscribeErrors_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<QString>("code");

    QTest::addRow("another user's room") << QJsonObject{{"type", "subscribe"}, {"channel", "user:other"}} << "forbidden";
    QTest::addRow("another role's room") << QJsonObject{{"type", "join"}, {"channel", "role:admin"}} << "forbidden";
    QTest::addRow("not in allow list") << QJsonObject{{"type", "join_room"}, {"channel", "secret:1"}} << "forbidden";
    QTest::addRow("too long") << QJsonObject{{"type", "subscribe"}, {"channel", "order:" + QString(300, 'x')}} << "invalid_room";
    QTest::addRow("one over the limit") << QJsonObject{{"type", "subscribe"}, {"channel", "order:" + QString(RoomPolicy::kMaxRoomLength - 5, 'x')}} << "invalid_room";
    QTest::addRow("no channel") << QJsonObject{{"type", "subscribe"}} << "invalid_message";
    QTest::addRow("empty channel") << QJsonObject{{"type", "subscribe"}, {"channel", ""}} << "invalid_message";
    QTest::addRow("unsubscribe without channel") << QJsonObject{{"type", "unsubscribe"}} << "invalid_message";
}

void tst_Protocol::subscribeErrors()
{
    QFETCH(QJsonObject, message);
    QFETCH(QString, code);

    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("me"), QStringLiteral("user"))));
    QVERIFY(!welcome.isEmpty());
    const quint64 id = welcome.value("connectionId").toString().toULongLong();
    const QStringList roomsBefore = m_ts->server().registry().snapshot(id)->rooms;

    const quint64 errorsBefore = m_ts->server().metrics().errors.load();
    message.insert("id", "e1");
    client.send(message);
    const QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), code);
    QVERIFY(!error.value("message").toString().isEmpty());
    QCOMPARE(error.value("id").toString(), QStringLiteral("e1"));
    if (code == QLatin1String("forbidden") || code == QLatin1String("invalid_room"))
        QCOMPARE(error.value("channel").toString(), message.value("channel").toString());
    QCOMPARE(client.count(QStringLiteral("subscribed")), 0);
    QVERIFY(alive(client));
    QCOMPARE(m_ts->server().registry().snapshot(id)->rooms, roomsBefore);
    if (code == QLatin1String("invalid_message")) // a malformed request is a protocol error
        QVERIFY(m_ts->server().metrics().errors.load() > errorsBefore);
}

void tst_Protocol::cannotLeaveOwnUserRoom()
{
    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("stay"))));
    const quint64 id = welcome.value("connectionId").toString().toULongLong();
    client.send({{"type", "leave"}, {"channel", "user:stay"}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("forbidden"));
    QVERIFY(m_ts->server().registry().isMember(id, QStringLiteral("user:stay")));
    QVERIFY(alive(client));
}

void tst_Protocol::badMessages_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); // substring

    QTest::addRow("malformed JSON") << "{\"type\": \"ping\"" << "invalid_json" << "malformed JSON";
    QTest::addRow("not JSON at all") << "hello" << "invalid_json" << "malformed JSON";
    QTest::addRow("empty text") << "" << "invalid_json" << "";
    QTest::addRow("raw NUL in a string (RFC 8259)") << QStringLiteral("{\"type\":\"ping\",\"x\":\"a%1b\"}").arg(QChar(0))
                                                    << "invalid_json" << "raw control character 0x00";
    QTest::addRow("raw line feed in a string") << "{\"type\":\"ping\",\"x\":\"a\nb\"}" << "invalid_json" << "raw control character 0x0a";
    QTest::addRow("JSON array") << "[1,2]" << "invalid_message" << "object";
    QTest::addRow("no type") << "{\"channel\":\"x\"}" << "invalid_message" << "type";
    QTest::addRow("numeric type") << "{\"type\":5}" << "invalid_message" << "type";
    QTest::addRow("unknown type") << "{\"type\":\"dance\"}" << "unknown_type" << "Unknown message type";
    QTest::addRow("type case matters") << "{\"type\":\"PING\"}" << "unknown_type" << "Unknown message type";
    QTest::addRow("ack without id") << "{\"type\":\"ack\"}" << "invalid_message" << "id";
}

void tst_Protocol::badMessages()
{
    QFETCH(QString, text);
    QFETCH(QString, code);
    QFETCH(QString, message);

    WsClient client;
    QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("bad")))).isEmpty());
    const quint64 errorsBefore = m_ts->server().metrics().errors.load();
    client.sendRaw(text);
    const QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), code);
    QVERIFY2(error.value("message").toString().contains(message), qPrintable(error.value("message").toString()));
    QVERIFY(alive(client));
    QVERIFY(m_ts->server().metrics().errors.load() > errorsBefore);
}

void tst_Protocol::binaryFrame()
{
    WsClient client;
    QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("bin")))).isEmpty());
    client.socket().sendBinaryMessage(QByteArray("\x01\x02\x03", 3));
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("unsupported_frame"));
    QVERIFY(alive(client));
}

void tst_Protocol::badHandshakes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("mentions");
    const QByteArray head = "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    QTest::newRow("version 8") << "GET /ws HTTP/1.1\r\n" + head + key + "Sec-WebSocket-Version: 8\r\n\r\n"
                               << QByteArray("HTTP/1.1 426") << QByteArray("Sec-WebSocket-Version: 13");
    QTest::newRow("no key") << "GET /ws HTTP/1.1\r\n" + head + "Sec-WebSocket-Version: 13\r\n\r\n"
                            << QByteArray("HTTP/1.1 400") << QByteArray("Sec-WebSocket-Key");
    QTest::newRow("short key") << "GET /ws HTTP/1.1\r\n" + head + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n"
                               << QByteArray("HTTP/1.1 400") << QByteArray("16 bytes");
    QTest::newRow("unknown path") << "GET /elsewhere HTTP/1.1\r\n" + head + key + "Sec-WebSocket-Version: 13\r\n\r\n"
                                  << QByteArray("HTTP/1.1 404") << QByteArray("not_found");
    // And a good one, for contrast: the RFC's example key gets the RFC's answer.
    QTest::newRow("good") << "GET /ws HTTP/1.1\r\n" + head + key + "Sec-WebSocket-Version: 13\r\n\r\n"
                          << QByteArray("HTTP/1.1 101") << QByteArray("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

void tst_Protocol::badHandshakes()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, mentions);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_ts->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(request);
    QByteArray response;
    QTRY_VERIFY_WITH_TIMEOUT((response += socket.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(response.startsWith(status), response.constData());
    QVERIFY2(response.contains(mentions), response.constData());
    if (!status.endsWith("101")) {
        // Refused handshakes are closed after the answer; the server goes on.
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        WsClient client;
        QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("after-bad-handshake")))).isEmpty());
    }
}

void tst_Protocol::clientEmit()
{
    const QString room = QStringLiteral("chat:general");
    // a, b and c are in the room (b twice: two tabs); d is not.
    WsClient a, b1, b2, c, d;
    QVERIFY(!a.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("a"), {}, {room}))).isEmpty());
    QVERIFY(!b1.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("b"), {}, {room}))).isEmpty());
    QVERIFY(!b2.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("b")))).isEmpty());
    b2.send({{"type", "subscribe"}, {"channel", room}});
    QVERIFY(b2.receives(QStringLiteral("subscribed"), 5000));
    QVERIFY(!c.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("c")))).isEmpty());
    c.send({{"type", "join"}, {"channel", room}});
    QVERIFY(c.receives(QStringLiteral("subscribed"), 5000));
    QVERIFY(!d.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("d")))).isEmpty());

    a.send({{"type", "emit"}, {"room", room}, {"event", "typing"}, {"data", QJsonObject{{"text", "hi"}}}, {"id", "c1"}});
    const QJsonObject ack = a.waitFor(QStringLiteral("ack"));
    QCOMPARE(ack.value("id").toString(), QStringLiteral("c1"));
    QCOMPARE(ack.value("delivered").toInt(), 3);

    for (WsClient *peer : {&b1, &b2, &c}) {
        const QJsonObject event = peer->waitFor(QStringLiteral("typing"));
        QVERIFY(!event.isEmpty());
        QCOMPARE(event.value("from").toString(), QStringLiteral("a"));
        QCOMPARE(event.value("room").toString(), room);
        QCOMPARE(event.value("data").toObject().value("text").toString(), QStringLiteral("hi"));
        QVERIFY(!event.value("id").toString().isEmpty());
        QVERIFY(event.value("timestamp").toDouble() > 0);
    }
    // Not back to the sender, not to outsiders: each answers a ping without the event first.
    QVERIFY(alive(a));
    QVERIFY(alive(d));
    QCOMPARE(a.count(QStringLiteral("typing")), 0);
    QCOMPARE(d.count(QStringLiteral("typing")), 0);

    // Without an id there is no ack, but the event still goes out.
    a.send({{"type", "emit"}, {"room", room}, {"event", "typing"}, {"data", "again"}});
    QCOMPARE(c.waitFor(QStringLiteral("typing")).value("data").toString(), QStringLiteral("again"));
    QVERIFY(alive(a));
    QCOMPARE(a.count(QStringLiteral("ack")), 0);
    QCOMPARE(m_ts->server().metrics().eventsByName().value(QStringLiteral("typing")), quint64(2));
}

void tst_Protocol::clientEmitNotInRoom()
{
    WsClient a, member;
    QVERIFY(!a.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("outsider")))).isEmpty());
    QVERIFY(!member.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("insider"), {}, {QStringLiteral("chat:closed")}))).isEmpty());
    a.send({{"type", "emit"}, {"room", "chat:closed"}, {"event", "spam"}, {"id", "x"}});
    const QJsonObject error = a.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("not_in_room"));
    QCOMPARE(error.value("id").toString(), QStringLiteral("x"));
    QCOMPARE(a.count(QStringLiteral("ack")), 0);
    QVERIFY(alive(member));
    QCOMPARE(member.count(QStringLiteral("spam")), 0);
    QVERIFY(alive(a));
}

void tst_Protocol::clientEmitInvalid_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addRow("no room") << QJsonObject{{"type", "emit"}, {"event", "e"}, {"id", 1}};
    QTest::addRow("no event") << QJsonObject{{"type", "emit"}, {"room", "user:v"}, {"id", 1}};
    QTest::addRow("empty event") << QJsonObject{{"type", "emit"}, {"room", "user:v"}, {"event", ""}, {"id", 1}};
}

void tst_Protocol::clientEmitInvalid()
{
    QFETCH(QJsonObject, message);
    WsClient client;
    QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("v")))).isEmpty());
    const quint64 errorsBefore = m_ts->server().metrics().errors.load();
    client.send(message);
    const QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_message"));
    QCOMPARE(error.value("id").toInt(), 1);
    QVERIFY(alive(client));
    QVERIFY(m_ts->server().metrics().errors.load() > errorsBefore);
}

void tst_Protocol::namesAtAndOverTheirLimits()
{
    // Room names: at most RoomPolicy::kMaxRoomLength characters; event names at most
    // Protocol::kMaxEventNameBytes bytes of UTF-8 (docs/protocol.md).
    const QString room = "order:" + QString(RoomPolicy::kMaxRoomLength - 6, 'r');
    QCOMPARE(room.size(), RoomPolicy::kMaxRoomLength);
    WsClient sender, peer;
    QVERIFY(!sender.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("long-sender")))).isEmpty());
    QVERIFY(!peer.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("long-peer")))).isEmpty());
    for (WsClient *c : {&sender, &peer}) {
        c->send({{"type", "subscribe"}, {"channel", room}});
        QCOMPARE(c->waitFor(QStringLiteral("subscribed")).value("channel").toString(), room);
    }

    const QString atLimit = QString(Protocol::kMaxEventNameBytes / 2, QChar(0x00e9)); // é: 2 bytes each
    const QString overByBytes = QString(Protocol::kMaxEventNameBytes / 3 + 1, QChar(0x20ac)); // €: 3 bytes, 43 characters
    QCOMPARE(atLimit.toUtf8().size(), Protocol::kMaxEventNameBytes);
    QVERIFY(overByBytes.size() < Protocol::kMaxEventNameBytes);
    QVERIFY(overByBytes.toUtf8().size() > Protocol::kMaxEventNameBytes);

    for (const QString &name : {overByBytes, QString(Protocol::kMaxEventNameBytes + 1, 'n'), QString(100000, 'n')}) {
        sender.send({{"type", "emit"}, {"room", room}, {"event", name}, {"id", "too-long"}});
        const QJsonObject error = sender.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_event"));
        QCOMPARE(error.value("id").toString(), QStringLiteral("too-long"));
        QVERIFY2(error.value("message").toString().contains(QStringLiteral("128 bytes")), qPrintable(error.value("message").toString()));
        QVERIFY(!m_ts->server().metrics().eventsByName().contains(name));
    }
    // At the limit it goes through; it arrives after the refused ones would have.
    sender.send({{"type", "emit"}, {"room", room}, {"event", atLimit}, {"id", "fits"}});
    QCOMPARE(sender.waitFor(QStringLiteral("ack")).value("delivered").toInt(), 1);
    QCOMPARE(peer.waitFor(atLimit).value("room").toString(), room);
    QCOMPARE(m_ts->server().metrics().eventsByName().value(atLimit), quint64(1));
    QCOMPARE(peer.unread().size(), 0);
}

QTEST_GUILESS_MAIN(tst_Protocol)
#include "tst_protocol.moc"
