// The HTTP API of SPEC section 3 over real HTTP: every route, its access rule and its errors.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtTest/QTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

const Headers kKeyHeader{{"x-internal-key", kInternalKey}};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// An error reply: the status, JSON with "error" (a message) and "code".
void verifyError(const HttpReply &reply, int status, const QString &code = {})
{
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.contentType.startsWith("application/json"), reply.contentType.constData());
    const QJsonObject json = reply.json();
    QVERIFY2(!json.value("error").toString().isEmpty(), reply.body.constData());
    QVERIFY2(!json.value("code").toString().isEmpty(), reply.body.constData());
    if (!code.isEmpty())
        QCOMPARE(json.value("code").toString(), code);
}

QStringList strings(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

} // namespace

class tst_HttpApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void health();
    void prometheus();
    void apiMetrics();
    void websocketStats();
    void connections();
    void connectedUsersAndStatus();
    void rooms();
    void roomNamesNeedingEncoding();
    void internalEmit();
    void socketCompat();
    void disconnect_data();
    void disconnect();
    void disconnectErrors_data();
    void disconnectErrors();
    void eventStats();
    void eventNameLimit_data();
    void eventNameLimit();
    void publicRoutesRevealNoUserIds();
    void adminAuth_data();
    void adminAuth();
    void publicRoutes_data();
    void publicRoutes();
    void notFound_data();
    void notFound();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void badEmitRequests_data();
    void badEmitRequests();
    void badSocketRequests_data();
    void badSocketRequests();
    void plainGetOnWebSocketEndpoint();

private:
    QUrl url(const QString &path) const { return m_ts->httpUrl(path); }

    std::unique_ptr<TestServer> m_ts;
    // alice (two tabs, in "lobby"), bob (in "lobby" and "order:1"), carol (admin).
    WsClient *m_alice1 = nullptr;
    WsClient *m_alice2 = nullptr;
    WsClient *m_bob = nullptr;
    WsClient *m_carol = nullptr;
    QString m_bobId;
};

void tst_HttpApi::initTestCase()
{
    m_ts = std::make_unique<TestServer>();
    QVERIFY(m_ts->start());
    m_alice1 = new WsClient(this);
    m_alice2 = new WsClient(this);
    m_bob = new WsClient(this);
    m_carol = new WsClient(this);
    QVERIFY(!m_alice1->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("alice"), {}, {QStringLiteral("lobby")}))).isEmpty());
    QVERIFY(!m_alice2->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("alice"), {}, {QStringLiteral("lobby")}))).isEmpty());
    const QJsonObject bob = m_bob->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("bob"), {}, {QStringLiteral("lobby"), QStringLiteral("order:1")})));
    QVERIFY(!bob.isEmpty());
    m_bobId = bob.value("connectionId").toString();
    QVERIFY(!m_carol->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("carol"), QStringLiteral("admin")))).isEmpty());
}

void tst_HttpApi::cleanupTestCase()
{
    delete m_alice1;
    delete m_alice2;
    delete m_bob;
    delete m_carol;
    m_ts.reset();
}

void tst_HttpApi::health()
{
    const HttpReply reply = http("GET", url(QStringLiteral("/health")));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.contentType.startsWith("application/json"));
    const QJsonObject json = reply.json();
    QCOMPARE(json.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(json.value("connections").toInt(), 4);
    QVERIFY(json.value("uptime").isDouble());
    QVERIFY(json.value("uptime").toDouble() >= 0);
    QCOMPARE(json.value("version").toString(), QStringLiteral(SWITCHBOARD_VERSION));
    // A single node is ready as soon as it runs (no cluster to join).
    const HttpReply ready = http("GET", url(QStringLiteral("/ready")));
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.json(), (QJsonObject{{"ready", true}, {"status", "ok"}}));
}

void tst_HttpApi::prometheus()
{
    const HttpReply reply = http("GET", url(QStringLiteral("/metrics")));
    QCOMPARE(reply.status, 200);
    QVERIFY2(reply.contentType.startsWith("text/plain; version=0.0.4"), reply.contentType.constData());
    const QList<QByteArray> lines = reply.body.split('\n');
    QVERIFY(reply.body.endsWith('\n'));
    QSet<QByteArray> typed;
    const QRegularExpression sample(QStringLiteral(R"(^([a-z_]+)(\{[a-z]+="[^"]*"\})? (-?[0-9.e+]+|\+Inf)$)"));
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        if (line.startsWith("# TYPE ")) {
            typed.insert(line.split(' ').value(2));
            continue;
        }
        if (line.startsWith("# HELP "))
            continue;
        const auto match = sample.match(QString::fromUtf8(line));
        QVERIFY2(match.hasMatch(), line.constData());
        // Every sample belongs to a declared family (histograms add _bucket/_sum/_count).
        QString family = match.captured(1);
        family.remove(QRegularExpression(QStringLiteral("_(bucket|sum|count)$")));
        QVERIFY2(typed.contains(family.toUtf8()) || typed.contains(match.captured(1).toUtf8()), line.constData());
    }
    QVERIFY(reply.body.contains("\nswitchboard_connections 4\n"));
    QVERIFY(reply.body.contains("\nswitchboard_users 3\n"));
    QVERIFY(reply.body.contains("# TYPE switchboard_emit_latency_seconds histogram"));
    QVERIFY(reply.body.contains("switchboard_emit_latency_seconds_bucket{le=\"+Inf\"}"));
    QVERIFY(reply.body.contains("switchboard_http_requests_total"));
}

void tst_HttpApi::apiMetrics()
{
    const HttpReply reply = http("GET", url(QStringLiteral("/api/metrics")));
    QCOMPARE(reply.status, 200);
    const QJsonObject json = reply.json();
    QCOMPARE(json.value("connections").toObject().value("current").toInt(), 4);
    QVERIFY(json.value("connections").toObject().value("total").toInt() >= 4);
    QCOMPARE(json.value("users").toInt(), 3);
    QCOMPARE(json.value("threads").toInt(), 2);
    for (const char *key : {"messages", "bytes", "latency"})
        QVERIFY2(json.value(QLatin1String(key)).isObject(), key);
    for (const char *key : {"authFailures", "rateLimited", "errors", "slowConsumers", "emits", "httpRequests"})
        QVERIFY2(json.value(QLatin1String(key)).isDouble(), key);
    QCOMPARE(json.value("latency").toObject().value("buckets").toArray().size(), 17);
    QVERIFY(json.value("httpRequests").toInt() >= 1);
}

void tst_HttpApi::websocketStats()
{
    const HttpReply reply = http("GET", url(QStringLiteral("/api/websocket/stats")));
    QCOMPARE(reply.status, 200);
    const QJsonObject json = reply.json();
    QCOMPARE(json.value("totalConnections").toInt(), 4);
    QCOMPARE(json.value("totalUsers").toInt(), 3);
    const QJsonObject channels = json.value("channelCounts").toObject();
    QCOMPARE(channels.value("lobby").toInt(), 3);
    QCOMPARE(channels.value("order:1").toInt(), 1);
    QCOMPARE(channels.value("role:admin").toInt(), 1);
    // Public: the users' own rooms are counted but not named (they would list user ids).
    QVERIFY(!channels.contains("user:alice"));
    QCOMPARE(json.value("totalRooms").toInt(), channels.size() + 3); // user:alice, user:bob, user:carol
    const QJsonObject rates = json.value("rates").toObject();
    for (const char *key : {"messagesInPerSec", "messagesOutPerSec", "bytesInPerSec", "bytesOutPerSec"})
        QVERIFY2(rates.value(QLatin1String(key)).isDouble(), key);
}

void tst_HttpApi::connections()
{
    HttpReply reply = adminGet(url(QStringLiteral("/api/websocket/connections")));
    QCOMPARE(reply.status, 200);
    QJsonObject json = reply.json();
    QCOMPARE(json.value("count").toInt(), 4);
    const QJsonArray list = json.value("connections").toArray();
    QCOMPARE(list.size(), 4);
    QJsonObject bob;
    for (const QJsonValue &v : list) {
        const QJsonObject c = v.toObject();
        for (const char *key : {"id", "userId", "role", "address", "protocol", "connectedAt", "lastActivity",
                                "rooms", "messagesIn", "messagesOut", "bytesIn", "bytesOut", "pendingBytes", "thread"})
            QVERIFY2(c.contains(QLatin1String(key)), key);
        if (c.value("userId").toString() == QLatin1String("bob"))
            bob = c;
    }
    QCOMPARE(bob.value("id").toString(), m_bobId);
    QCOMPARE(strings(bob.value("rooms").toArray()), (QStringList{"lobby", "order:1", "user:bob"}));
    QVERIFY(bob.value("address").toString().startsWith(QLatin1String("127.0.0.1:")));
    QCOMPARE(bob.value("protocol").toString(), QStringLiteral("json"));
    QVERIFY(bob.value("messagesOut").toInt() >= 1); // "connected"
    const QDateTime since = QDateTime::fromString(bob.value("connectedAt").toString(), Qt::ISODateWithMs);
    QVERIFY(since.isValid());
    QVERIFY(qAbs(since.secsTo(QDateTime::currentDateTimeUtc())) < 300);

    reply = adminGet(url(QStringLiteral("/api/websocket/connections?userId=alice")));
    QCOMPARE(reply.json().value("count").toInt(), 2);
    reply = adminGet(url(QStringLiteral("/api/websocket/connections?room=order:1")));
    QCOMPARE(reply.json().value("count").toInt(), 1);
    QCOMPARE(reply.json().value("connections").toArray().first().toObject().value("userId").toString(), QStringLiteral("bob"));
    reply = adminGet(url(QStringLiteral("/api/websocket/connections?userId=nobody")));
    QCOMPARE(reply.json().value("count").toInt(), 0);
}

void tst_HttpApi::connectedUsersAndStatus()
{
    HttpReply reply = adminGet(url(QStringLiteral("/connected-users")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("count").toInt(), 3);
    const QJsonArray users = reply.json().value("users").toArray();
    QCOMPARE(users.size(), 3);
    QCOMPARE(users[0].toObject().value("userId").toString(), QStringLiteral("alice")); // sorted
    QCOMPARE(users[0].toObject().value("connections").toInt(), 2);
    QCOMPARE(users[1].toObject().value("userId").toString(), QStringLiteral("bob"));

    reply = adminGet(url(QStringLiteral("/user-status/alice")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("userId").toString(), QStringLiteral("alice"));
    QCOMPARE(reply.json().value("online").toBool(), true);
    QCOMPARE(reply.json().value("connections").toArray().size(), 2);

    reply = adminGet(url(QStringLiteral("/user-status/bob")));
    QCOMPARE(strings(reply.json().value("connections").toArray()), QStringList{m_bobId});

    reply = adminGet(url(QStringLiteral("/user-status/zed")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("online").toBool(), false);
    QVERIFY(reply.json().value("connections").toArray().isEmpty());
}

void tst_HttpApi::rooms()
{
    HttpReply reply = adminGet(url(QStringLiteral("/api/rooms")));
    QCOMPARE(reply.status, 200);
    const QJsonArray rooms = reply.json().value("rooms").toArray();
    QCOMPARE(reply.json().value("count").toInt(), rooms.size());
    QStringList names;
    QHash<QString, int> members;
    for (const QJsonValue &v : rooms) {
        names << v.toObject().value("room").toString();
        members.insert(names.last(), v.toObject().value("members").toInt());
    }
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    QCOMPARE(members.value("lobby"), 3);
    QCOMPARE(members.value("user:alice"), 2);
    QCOMPARE(members.value("order:1"), 1);

    reply = adminGet(url(QStringLiteral("/api/rooms/order:1")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("room").toString(), QStringLiteral("order:1"));
    QCOMPARE(reply.json().value("count").toInt(), 1);
    const QJsonObject member = reply.json().value("members").toArray().first().toObject();
    QCOMPARE(member.value("connectionId").toString(), m_bobId);
    QCOMPARE(member.value("userId").toString(), QStringLiteral("bob"));
    QVERIFY(!member.value("address").toString().isEmpty());

    reply = adminGet(url(QStringLiteral("/api/rooms/lobby")));
    QCOMPARE(reply.json().value("count").toInt(), 3);

    verifyError(adminGet(url(QStringLiteral("/api/rooms/empty-room"))), 404, QStringLiteral("room_not_found"));
}

void tst_HttpApi::roomNamesNeedingEncoding()
{
    // Room names may hold '/', '?', '#', spaces: a client percent-encodes them in the path.
    WsClient client;
    QVERIFY(!client.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("dave")))).isEmpty());
    const QStringList names{QStringLiteral("order:2024/17"), QStringLiteral("chat:a b"), QStringLiteral("q?x#y"),
                            QStringLiteral("ünï:cødé")};
    for (const QString &name : names) {
        client.send({{"type", "subscribe"}, {"channel", name}});
        QCOMPARE(client.waitFor(QStringLiteral("subscribed")).value("channel").toString(), name);
    }
    for (const QString &name : names) {
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(name));
        QUrl target = url(QStringLiteral("/api/rooms/"));
        target.setPath(QStringLiteral("/api/rooms/") + encoded, QUrl::TolerantMode);
        const HttpReply reply = adminGet(target);
        QVERIFY2(reply.status == 200, qPrintable(name + QStringLiteral(": ") + QString::fromUtf8(reply.body)));
        QCOMPARE(reply.json().value("room").toString(), name);
        QCOMPARE(reply.json().value("count").toInt(), 1);
    }
    // The same names as emit targets, and in the user-status route.
    const HttpReply emitted = adminPost(url(QStringLiteral("/api/v1/internal/emit")), {{"event", "e"}, {"room", names.first()}});
    QCOMPARE(emitted.json().value("delivered").toInt(), 1);
    QVERIFY(client.receives(QStringLiteral("e"), 5000));
}

void tst_HttpApi::internalEmit()
{
    const HttpReply reply = adminPost(url(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "greeting"}, {"room", "lobby"}, {"payload", QJsonObject{{"hello", "world"}}}});
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.contentType.startsWith("application/json"));
    const QJsonObject json = reply.json();
    QCOMPARE(json.value("success").toBool(), true);
    QCOMPARE(json.value("delivered").toInt(), 3);
    QVERIFY(!json.value("id").toString().isEmpty());
    for (WsClient *c : {m_alice1, m_alice2, m_bob})
        QCOMPARE(c->waitFor(QStringLiteral("greeting")).value("data").toObject().value("hello").toString(), QStringLiteral("world"));

    // The admin token works as well as the internal key.
    const HttpReply viaToken = http("POST", url(QStringLiteral("/api/v1/internal/emit")),
                                    compact({{"event", "greeting2"}, {"userId", "carol"}}),
                                    {{"Authorization", QByteArray("Bearer ") + kAdminToken}});
    QCOMPARE(viaToken.status, 200);
    QCOMPARE(viaToken.json().value("delivered").toInt(), 1);
    QVERIFY(m_carol->receives(QStringLiteral("greeting2"), 5000));
}

void tst_HttpApi::socketCompat()
{
    HttpReply reply = http("GET", url(QStringLiteral("/api/socket")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("status").toString(), QStringLiteral("running"));
    QCOMPARE(reply.json().value("connections").toInt(), 4);
    QCOMPARE(reply.json().value("users").toInt(), 3);
    QCOMPARE(reply.json().value("endpoint").toString(), m_ts->server().wsUrl());

    // Targeted: to the listed users only.
    reply = adminPost(url(QStringLiteral("/api/socket")),
                      {{"event", QJsonObject{{"type", "notification"}, {"action", "created"}}},
                       {"data", QJsonObject{{"id", 5}}},
                       {"targetUsers", QJsonArray{"alice", "carol", "ghost"}}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("success").toBool(), true);
    QCOMPARE(reply.json().value("delivered").toInt(), 3);
    for (WsClient *c : {m_alice1, m_alice2, m_carol}) {
        const QJsonObject message = c->waitFor(QStringLiteral("notification"));
        QCOMPARE(message.value("data").toObject().value("action").toString(), QStringLiteral("created"));
        QCOMPARE(message.value("data").toObject().value("data").toObject().value("id").toInt(), 5);
    }
    // An empty list broadcasts.
    reply = adminPost(url(QStringLiteral("/api/socket")),
                      {{"event", QJsonObject{{"type", "notification"}, {"action", "all"}}}, {"targetUsers", QJsonArray{}}});
    QCOMPARE(reply.json().value("delivered").toInt(), 4);
    for (WsClient *c : {m_alice1, m_alice2, m_bob, m_carol})
        QCOMPARE(c->waitFor(QStringLiteral("notification")).value("data").toObject().value("action").toString(), QStringLiteral("all"));
    QCOMPARE(m_bob->count(QStringLiteral("notification")), 0);
}

void tst_HttpApi::disconnect_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");

    QTest::addRow("no body: 1000") << QByteArray() << 1000 << "disconnected by operator";
    QTest::addRow("code and reason") << QByteArray(R"({"code":4000,"reason":"maintenance"})") << 4000 << "maintenance";
    QTest::addRow("policy violation") << QByteArray(R"({"code":1008,"reason":"abuse"})") << 1008 << "abuse";
    QTest::addRow("reason only") << QByteArray(R"({"reason":"bye"})") << 1000 << "bye";
    QTest::addRow("application code") << QByteArray(R"({"code":3001})") << 3001 << "disconnected by operator";
}

void tst_HttpApi::disconnect()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    QFETCH(QString, reason);

    WsClient victim;
    const QJsonObject welcome = victim.connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("victim"))));
    const QString id = welcome.value("connectionId").toString();
    const HttpReply reply = http("POST", url(QStringLiteral("/api/connections/%1/disconnect").arg(id)), body, kKeyHeader);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("success").toBool(), true);
    QCOMPARE(reply.json().value("connectionId").toString(), id);
    QCOMPARE(reply.json().value("code").toInt(), code);
    QVERIFY(victim.waitClosed());
    QCOMPARE(victim.closeCode(), code);
    QCOMPARE(victim.closeReason(), reason);
    QTRY_VERIFY(!m_ts->server().registry().connection(id.toULongLong()));
    // Bystanders keep their connections.
    QVERIFY(!m_bob->isClosed());
}

void tst_HttpApi::disconnectErrors_data()
{
    QTest::addColumn<QString>("id"); // "bob" = a live connection
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    QTest::addRow("unknown connection") << "999999" << QByteArray() << 404;
    QTest::addRow("id not a number") << "abc" << QByteArray() << 400;
    QTest::addRow("malformed JSON") << "bob" << QByteArray("{code:") << 400;
    QTest::addRow("code 999") << "bob" << QByteArray(R"({"code":999})") << 400;
    QTest::addRow("code 1005 (reserved)") << "bob" << QByteArray(R"({"code":1005})") << 400;
    QTest::addRow("code 1006 (reserved)") << "bob" << QByteArray(R"({"code":1006})") << 400;
    QTest::addRow("code 2000") << "bob" << QByteArray(R"({"code":2000})") << 400;
    QTest::addRow("code 5000") << "bob" << QByteArray(R"({"code":5000})") << 400;
    QTest::addRow("code as text") << "bob" << QByteArray(R"({"code":"4000"})") << 400;
}

void tst_HttpApi::disconnectErrors()
{
    QFETCH(QString, id);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    if (id == QLatin1String("bob"))
        id = m_bobId;
    const HttpReply reply = http("POST", url(QStringLiteral("/api/connections/%1/disconnect").arg(id)), body, kKeyHeader);
    verifyError(reply, status);
    QVERIFY(m_bob->isClosed() == false);
    m_bob->send({{"type", "ping"}, {"id", "still"}});
    QCOMPARE(m_bob->waitFor(QStringLiteral("pong")).value("id").toString(), QStringLiteral("still"));
}

void tst_HttpApi::eventStats()
{
    const HttpReply before = http("GET", url(QStringLiteral("/api/events/stats")));
    QCOMPARE(before.status, 200);
    const int countBefore = before.json().value("events").toObject().value("stats.probe").toInt();
    const int totalBefore = before.json().value("total").toInt();
    for (int i = 0; i < 3; ++i)
        QCOMPARE(adminPost(url(QStringLiteral("/api/v1/internal/emit")), {{"event", "stats.probe"}, {"broadcast", true}}).status, 200);
    const HttpReply after = http("GET", url(QStringLiteral("/api/events/stats")));
    QCOMPARE(after.json().value("events").toObject().value("stats.probe").toInt(), countBefore + 3);
    QCOMPARE(after.json().value("total").toInt(), totalBefore + 3);
    int sum = 0;
    const QJsonObject events = after.json().value("events").toObject();
    for (auto it = events.begin(); it != events.end(); ++it)
        sum += it.value().toInt();
    QCOMPARE(sum, after.json().value("total").toInt());
}

void tst_HttpApi::eventNameLimit_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("status");
    const QString ascii128(128, 'a');
    const QString twoByte64(64, QChar(0x00e9));   // 128 bytes of UTF-8
    const QString threeByte43(43, QChar(0x20ac)); // 129 bytes, 43 characters
    for (const char *path : {"/api/v1/internal/emit", "/api/socket"}) {
        QTest::addRow("%s 128 ASCII", path) << QString::fromLatin1(path) << ascii128 << 200;
        QTest::addRow("%s 128 bytes as 64 characters", path) << QString::fromLatin1(path) << twoByte64 << 200;
        QTest::addRow("%s 129 ASCII", path) << QString::fromLatin1(path) << QString(129, 'a') << 400;
        QTest::addRow("%s 129 bytes as 43 characters", path) << QString::fromLatin1(path) << threeByte43 << 400;
        QTest::addRow("%s 512 KiB", path) << QString::fromLatin1(path) << QString(1 << 19, 'm') << 400;
    }
}

void tst_HttpApi::eventNameLimit()
{
    QFETCH(QString, path);
    QFETCH(QString, name);
    QFETCH(int, status);
    const bool internal = path.contains(QLatin1String("internal"));
    const QJsonObject body = internal ? QJsonObject{{"event", name}, {"userId", "bob"}}
                                      : QJsonObject{{"event", QJsonObject{{"type", name}}}, {"targetUsers", QJsonArray{"bob"}}};
    const HttpReply reply = http("POST", url(path), compact(body), kKeyHeader);
    if (status == 200) {
        QCOMPARE(reply.status, 200);
        QCOMPARE(m_bob->waitFor(name).value("type").toString(), name);
        return;
    }
    verifyError(reply, 400, QStringLiteral("invalid_event"));
    QVERIFY2(reply.json().value("error").toString().contains(QStringLiteral("longer than 128 bytes")), reply.body.constData());
    // Refused before anything was kept: not counted, not sent.
    QVERIFY(!m_ts->server().metrics().eventsByName().contains(name));
    m_bob->send({{"type", "ping"}, {"id", "sync"}});
    QVERIFY(!m_bob->waitFor(QStringLiteral("pong")).isEmpty());
    QCOMPARE(m_bob->count(name), 0);
}

void tst_HttpApi::publicRoutesRevealNoUserIds()
{
    // Its own server: a user whose id also names a room through a claim template.
    ServerConfig config = testConfig();
    config.claimRooms = {QStringLiteral("rider:{sub}")};
    TestServer ts(config);
    QVERIFY(ts.start());
    const QString secret = QStringLiteral("rider-4711-private");
    WsClient rider;
    QVERIFY(!rider.connectAndWelcome(ts.wsUrl(token(secret, QStringLiteral("driver"), {QStringLiteral("lobby")}))).isEmpty());
    rider.send({{"type", "emit"}, {"room", "lobby"}, {"event", "location"}, {"data", secret}, {"id", "e"}});
    QVERIFY(!rider.waitFor(QStringLiteral("ack")).isEmpty());

    // Positive control: the admin routes do show the id, so it is there to be found.
    QVERIFY(http("GET", ts.httpUrl(QStringLiteral("/connected-users")), {}, kKeyHeader).body.contains(secret.toUtf8()));
    QVERIFY(http("GET", ts.httpUrl(QStringLiteral("/api/rooms")), {}, kKeyHeader).body.contains(secret.toUtf8()));

    for (const char *path : {"/health", "/metrics", "/api/metrics", "/api/websocket/stats", "/api/socket",
                             "/api/events/stats", "/api/queue/stats", "/api/queue/health"}) {
        const HttpReply reply = http("GET", ts.httpUrl(QString::fromLatin1(path)));
        QVERIFY2(reply.status == 200, path);
        QVERIFY2(!reply.body.contains(secret.toUtf8()), path);
        QVERIFY2(!reply.body.contains("user:"), path);
    }
    const QJsonObject stats = http("GET", ts.httpUrl(QStringLiteral("/api/websocket/stats"))).json();
    QCOMPARE(stats.value("totalUsers").toInt(), 1);
    QCOMPARE(stats.value("totalRooms").toInt(), 4); // user:…, rider:…, role:driver, lobby
    const QJsonObject channels = stats.value("channelCounts").toObject();
    QCOMPARE(channels.keys(), (QStringList{"lobby", "role:driver"}));
}

void tst_HttpApi::adminAuth_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("okStatus"); // with valid credentials

    const QByteArray emitJson = compact({{"event", "auth.probe"}, {"userId", "nobody"}});
    const QByteArray socket = compact({{"event", QJsonObject{{"type", "auth.probe"}}}, {"targetUsers", QJsonArray{"nobody"}}});
    QTest::addRow("GET connections") << QByteArray("GET") << "/api/websocket/connections" << QByteArray() << 200;
    QTest::addRow("GET connected-users") << QByteArray("GET") << "/connected-users" << QByteArray() << 200;
    QTest::addRow("GET user-status") << QByteArray("GET") << "/user-status/alice" << QByteArray() << 200;
    QTest::addRow("GET rooms") << QByteArray("GET") << "/api/rooms" << QByteArray() << 200;
    QTest::addRow("GET room") << QByteArray("GET") << "/api/rooms/lobby" << QByteArray() << 200;
    QTest::addRow("POST emit") << QByteArray("POST") << "/api/v1/internal/emit" << emitJson << 200;
    QTest::addRow("POST socket") << QByteArray("POST") << "/api/socket" << socket << 200;
    QTest::addRow("POST disconnect") << QByteArray("POST") << "/api/connections/999999/disconnect" << QByteArray() << 404;
}

void tst_HttpApi::adminAuth()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, okStatus);

    const QList<std::tuple<const char *, Headers, int>> cases = {
        {"no credentials", {}, 401},
        {"wrong key", {{"x-internal-key", "nope"}}, 403},
        {"empty key", {{"x-internal-key", ""}}, 401},
        {"wrong bearer", {{"Authorization", "Bearer nope"}}, 403},
        {"internal key as bearer", {{"Authorization", QByteArray("Bearer ") + kInternalKey}}, 403},
        {"admin token as key", {{"x-internal-key", kAdminToken}}, 403},
        {"basic auth", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}, 401},
        {"a client JWT as bearer", {{"Authorization", "Bearer " + token(QStringLiteral("alice"), QStringLiteral("admin"))}}, 401},
        {"internal key", {{"x-internal-key", kInternalKey}}, okStatus},
        {"internal key, header case", {{"X-Internal-Key", kInternalKey}}, okStatus},
        {"admin token", {{"Authorization", QByteArray("Bearer ") + kAdminToken}}, okStatus},
        {"admin token, lowercase scheme", {{"authorization", QByteArray("bearer ") + kAdminToken}}, okStatus},
        {"wrong key, right token", {{"x-internal-key", "nope"}, {"Authorization", QByteArray("Bearer ") + kAdminToken}}, okStatus},
    };
    for (const auto &[name, headers, status] : cases) {
        const HttpReply reply = http(method, url(path), body, headers);
        QVERIFY2(reply.status == status, qPrintable(QStringLiteral("%1: got %2, expected %3: %4")
                                                        .arg(QLatin1String(name)).arg(reply.status).arg(status)
                                                        .arg(QString::fromUtf8(reply.body))));
        if (status == 401 || status == 403)
            verifyError(reply, status, status == 401 ? QStringLiteral("unauthorized") : QStringLiteral("forbidden"));
    }
}

void tst_HttpApi::publicRoutes_data()
{
    QTest::addColumn<QString>("path");
    for (const char *path : {"/health", "/ready", "/metrics", "/api/metrics", "/api/websocket/stats", "/api/socket", "/api/events/stats"})
        QTest::addRow("%s", path) << QString::fromLatin1(path);
}

void tst_HttpApi::publicRoutes()
{
    QFETCH(QString, path);
    QCOMPARE(http("GET", url(path)).status, 200);
    // Credentials do not hurt, even wrong ones.
    QCOMPARE(http("GET", url(path), {}, {{"x-internal-key", "wrong"}}).status, 200);
}

void tst_HttpApi::notFound_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addRow("GET unknown") << QByteArray("GET") << "/nope";
    QTest::addRow("GET root") << QByteArray("GET") << "/";
    QTest::addRow("GET prefix of a route") << QByteArray("GET") << "/api";
    QTest::addRow("GET extra segment") << QByteArray("GET") << "/health/more";
    QTest::addRow("GET missing parameter") << QByteArray("GET") << "/user-status";
    QTest::addRow("POST unknown") << QByteArray("POST") << "/api/v2/internal/emit";
    QTest::addRow("DELETE unknown") << QByteArray("DELETE") << "/api/everything";
}

void tst_HttpApi::notFound()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    verifyError(http(method, url(path), {}, kKeyHeader), 404, QStringLiteral("not_found"));
    // ... also without credentials: an unknown route is not an auth question.
    QCOMPARE(http(method, url(path)).status, 404);
}

void tst_HttpApi::methodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addRow("POST health") << QByteArray("POST") << "/health";
    QTest::addRow("DELETE health") << QByteArray("DELETE") << "/health";
    QTest::addRow("PUT metrics") << QByteArray("PUT") << "/api/metrics";
    QTest::addRow("GET emit") << QByteArray("GET") << "/api/v1/internal/emit";
    QTest::addRow("DELETE socket") << QByteArray("DELETE") << "/api/socket";
    QTest::addRow("GET disconnect") << QByteArray("GET") << "/api/connections/1/disconnect";
    QTest::addRow("POST rooms") << QByteArray("POST") << "/api/rooms";
    QTest::addRow("PATCH room") << QByteArray("PATCH") << "/api/rooms/lobby";
}

void tst_HttpApi::methodNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    verifyError(http(method, url(path), {}, kKeyHeader), 405, QStringLiteral("method_not_allowed"));
}

void tst_HttpApi::badEmitRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message"); // substring of "error"

    QTest::addRow("malformed JSON") << QByteArray(R"({"event": "x", "room": )") << "malformed JSON";
    QTest::addRow("empty body") << QByteArray() << "empty";
    QTest::addRow("JSON array") << QByteArray(R"(["event"])") << "object";
    QTest::addRow("JSON string") << QByteArray(R"("event")") << "";
    QTest::addRow("missing event") << QByteArray(R"({"room":"lobby","payload":{}})") << "event";
    QTest::addRow("empty event") << QByteArray(R"({"event":"","room":"lobby"})") << "event";
    QTest::addRow("event not a string") << QByteArray(R"({"event":5,"room":"lobby"})") << "event";
    QTest::addRow("no target") << QByteArray(R"({"event":"e"})") << "target";
    QTest::addRow("broadcast false") << QByteArray(R"({"event":"e","broadcast":false})") << "target";
    QTest::addRow("room and userId") << QByteArray(R"({"event":"e","room":"lobby","userId":"alice"})") << "exactly one";
    QTest::addRow("broadcast and room") << QByteArray(R"({"event":"e","broadcast":true,"room":"lobby"})") << "exactly one";
    QTest::addRow("userId and connectionId") << QByteArray(R"({"event":"e","userId":"a","connectionId":"1"})") << "exactly one";
    QTest::addRow("connectionId not a number") << QByteArray(R"({"event":"e","connectionId":"abc"})") << "connectionId";
    QTest::addRow("except is an array") << QByteArray(R"({"event":"e","broadcast":true,"except":["a"]})") << "except";
}

void tst_HttpApi::badEmitRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const HttpReply reply = http("POST", url(QStringLiteral("/api/v1/internal/emit")), body, kKeyHeader);
    verifyError(reply, 400);
    QVERIFY2(reply.json().value("error").toString().contains(message, Qt::CaseInsensitive), reply.body.constData());
    // Nothing was sent to anyone.
    m_bob->send({{"type", "ping"}, {"id", "sync"}});
    QVERIFY(!m_bob->waitFor(QStringLiteral("pong")).isEmpty());
    QCOMPARE(m_bob->count(QStringLiteral("e")), 0);
}

void tst_HttpApi::badSocketRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addRow("malformed JSON") << QByteArray("{");
    QTest::addRow("no event") << QByteArray(R"({"data":{}})");
    QTest::addRow("event without type") << QByteArray(R"({"event":{"action":"x"}})");
    QTest::addRow("event is a string") << QByteArray(R"({"event":"notification"})");
    QTest::addRow("targetUsers not an array") << QByteArray(R"({"event":{"type":"n"},"targetUsers":"alice"})");
}

void tst_HttpApi::badSocketRequests()
{
    QFETCH(QByteArray, body);
    verifyError(http("POST", url(QStringLiteral("/api/socket")), body, kKeyHeader), 400);
}

void tst_HttpApi::plainGetOnWebSocketEndpoint()
{
    const HttpReply reply = http("GET", url(QStringLiteral("/ws")));
    verifyError(reply, 426, QStringLiteral("upgrade_required"));
}

QTEST_GUILESS_MAIN(tst_HttpApi)
#include "tst_httpapi.moc"
