// Identity and in-band authentication on the native protocol (issue 14): --user-id-claim,
// {"type":"authenticate"} within --auth-grace-ms and its pre-auth budget, query parameters in
// room templates (--claim-rooms-query), subscribe with "topics", and --relay-room-key.
// Real QWebSocket clients against an in-process server.
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

#include "auth/jwt.h"
#include "rawclients.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

/// A token whose user id is only in "_id" (a MongoDB-style service's tokens).
QByteArray idToken(const QString &id, qint64 expiresIn = 3600)
{
    return Jwt::sign(QJsonObject{{QStringLiteral("_id"), id},
                                 {QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + expiresIn}},
                     kSecret);
}

ServerConfig graceConfig(int graceMs = 5000)
{
    ServerConfig config = testConfig();
    config.authGraceMs = graceMs;
    return config;
}

QJsonObject authenticate(const QByteArray &tok, const QJsonValue &id = QJsonValue::Undefined)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("authenticate")}, {QStringLiteral("token"), QString::fromLatin1(tok)}};
    if (!id.isUndefined())
        message.insert(QStringLiteral("id"), id);
    return message;
}

/// The close frame a raw client got: code and reason. QWebSocket in Qt 6.4 treats 1012-1014
/// as invalid close codes and reports 1002, so 1013 is read off the wire.
std::pair<int, QByteArray> closeFrame(const RawWsClient &client)
{
    for (const auto &frame : client.frames()) {
        if (frame.opcode == RawWsClient::Close && frame.payload.size() >= 2)
            return {(quint8(frame.payload[0]) << 8) | quint8(frame.payload[1]), frame.payload.mid(2)};
    }
    return {0, {}};
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

} // namespace

class TestInBandAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userIdClaim();
    void userIdClaimCountsPerUser();
    void inBandAuthenticate();
    void inBandRefusals();
    void graceTimeoutCloses();
    void failedTokensClose();
    void preAuthBudget_data();
    void preAuthBudget();
    void withoutGraceATokenIsRequired();
    void inBandComposesWithTokenExpiry();
    void inBandComposesWithUserLimit();
    void inBandCountsClusterWide();
    void queryRoomTemplates_data();
    void queryRoomTemplates();
    void queryRoomsInBand();
    void subscribeTopics();
    void relayRoomKey();
};

void TestInBandAuth::userIdClaim()
{
    ServerConfig config = testConfig();
    config.userIdClaims = {QStringLiteral("_id")};
    config.claimRooms = {QStringLiteral("member:{_id}")};
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(ts.wsUrl(idToken(QStringLiteral("64f0c2"))));
    QCOMPARE(welcome.value("userId").toString(), QStringLiteral("64f0c2"));
    QVERIFY(strings(welcome.value("rooms")).contains(QStringLiteral("user:64f0c2")));
    QVERIFY(strings(welcome.value("rooms")).contains(QStringLiteral("member:64f0c2")));
    // A refresh compares the same claim.
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("refresh")}, {QStringLiteral("token"), QString::fromLatin1(idToken(QStringLiteral("64f0c2")))}});
    QVERIFY(!client.waitFor(QStringLiteral("refreshed")).isEmpty());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("refresh")}, {QStringLiteral("token"), QString::fromLatin1(idToken(QStringLiteral("other")))}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("user_mismatch"));

    // A token with "sub" but no "_id" has no user for this server.
    WsClient subOnly;
    QVERIFY(subOnly.open(ts.wsUrl(token(QStringLiteral("alice")))));
    QVERIFY(subOnly.waitClosed());
    QCOMPARE(subOnly.closeCode(), 4002);
    QVERIFY2(subOnly.closeReason().contains(QStringLiteral("_id")), qPrintable(subOnly.closeReason()));
}

void TestInBandAuth::userIdClaimCountsPerUser()
{
    // --max-connections-per-user counts the id from --user-id-claim, not "sub".
    ServerConfig config = testConfig();
    config.userIdClaims = {QStringLiteral("_id")};
    config.maxConnectionsPerUser = 1;
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient first;
    QVERIFY(!first.connectAndWelcome(ts.wsUrl(token(QStringLiteral("sub-a"), {}, {}, {{QStringLiteral("_id"), QStringLiteral("same")}}))).isEmpty());
    RawWsClient second;
    QVERIFY(second.handshake(ts.port(), "/ws?token=" + token(QStringLiteral("sub-b"), {}, {}, {{QStringLiteral("_id"), QStringLiteral("same")}})));
    QTRY_COMPARE(second.count(RawWsClient::Close), 1);
    QCOMPARE(closeFrame(second), std::make_pair(1013, QByteArray("too many connections for this user")));
}

void TestInBandAuth::inBandAuthenticate()
{
    TestServer ts(graceConfig());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(client.open(ts.wsUrl()));
    // Nothing else is served before authenticating.
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("channel"), QStringLiteral("lobby")},
                            {QStringLiteral("id"), 1}});
    QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("unauthenticated"));
    QCOMPARE(error.value("id").toInt(), 1);
    client.send(authenticate("not.a.token", QStringLiteral("a0")));
    error = client.waitFor(QStringLiteral("auth_error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_token"));
    QCOMPARE(error.value("id").toString(), QStringLiteral("a0"));
    QVERIFY(!client.isClosed());

    client.send(authenticate(token(QStringLiteral("late"), QStringLiteral("driver")), QStringLiteral("a1")));
    const QJsonObject authenticated = client.waitFor(QStringLiteral("authenticated"));
    QCOMPARE(authenticated.value("userId").toString(), QStringLiteral("late"));
    QCOMPARE(authenticated.value("id").toString(), QStringLiteral("a1"));
    const QJsonObject welcome = client.waitFor(QStringLiteral("connected"));
    QCOMPARE(welcome.value("connectionId").toString(), authenticated.value("connectionId").toString());
    QVERIFY(strings(welcome.value("rooms")).contains(QStringLiteral("role:driver")));
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("channel"), QStringLiteral("lobby")}});
    QVERIFY(!client.waitFor(QStringLiteral("subscribed")).isEmpty());
    // Emits reach it like any client.
    const HttpReply reply = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      QJsonObject{{QStringLiteral("event"), QStringLiteral("hello")}, {QStringLiteral("userId"), QStringLiteral("late")},
                                                  {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 1}}}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(client.waitFor(QStringLiteral("hello")).value("data").toObject().value("n").toInt(), 1);
    // authenticate again on an authenticated connection: the same user is fine, another is not.
    client.send(authenticate(token(QStringLiteral("late")), 2));
    QCOMPARE(client.waitFor(QStringLiteral("authenticated")).value("id").toInt(), 2);
    client.send(authenticate(token(QStringLiteral("someone-else")), 3));
    QCOMPARE(client.waitFor(QStringLiteral("auth_error")).value("code").toString(), QStringLiteral("user_mismatch"));
    QVERIFY(!client.isClosed());
}

void TestInBandAuth::inBandRefusals()
{
    TestServer ts(graceConfig());
    QVERIFY(ts.start());
    const auto failuresBefore = ts.server().metrics().authFailures.load();
    WsClient client;
    QVERIFY(client.open(ts.wsUrl({}, QStringLiteral("userId=u1"))));
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("authenticate")}});
    QCOMPARE(client.waitFor(QStringLiteral("auth_error")).value("code").toString(), QStringLiteral("missing_token"));
    // ?userId= must match the token's user, as with a handshake token.
    client.send(authenticate(token(QStringLiteral("u2"))));
    QCOMPARE(client.waitFor(QStringLiteral("auth_error")).value("code").toString(), QStringLiteral("user_mismatch"));
    QCOMPARE(ts.server().metrics().authFailures.load(), failuresBefore + 2);
    client.send(authenticate(token(QStringLiteral("u1"))));
    QCOMPARE(client.waitFor(QStringLiteral("authenticated")).value("userId").toString(), QStringLiteral("u1"));
}

void TestInBandAuth::graceTimeoutCloses()
{
    TestServer ts(graceConfig(300));
    QVERIFY(ts.start());
    WsClient silent;
    QVERIFY(silent.open(ts.wsUrl()));
    QVERIFY(silent.waitClosed(5000));
    QCOMPARE(silent.closeCode(), 4001);
    QCOMPARE(silent.closeReason(), QStringLiteral("authentication timeout"));
    // Its slots are given back: the pending count is zero again.
    QTRY_COMPARE(ts.server().pendingSessions(), 0);
    QTRY_COMPARE(ts.server().metrics().connectionsCurrent.load(), 0);
    // One that authenticates in time stays past the grace period.
    WsClient prompt;
    QVERIFY(prompt.open(ts.wsUrl()));
    prompt.send(authenticate(token(QStringLiteral("prompt"))));
    QVERIFY(!prompt.waitFor(QStringLiteral("connected")).isEmpty());
    QTest::qWait(600); // past the grace period: what is tested is that nothing closes it
    prompt.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
    QVERIFY(!prompt.waitFor(QStringLiteral("pong")).isEmpty());
    QVERIFY(!prompt.isClosed());
}

void TestInBandAuth::failedTokensClose()
{
    TestServer ts(graceConfig());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(client.open(ts.wsUrl()));
    for (int i = 0; i < 3; ++i)
        client.send(authenticate(token(QStringLiteral("x"), {}, {}, {}, "wrong-secret")));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 4002);
    QCOMPARE(client.closeReason(), QStringLiteral("too many failed authentications"));
    QCOMPARE(client.count(QStringLiteral("auth_error")), 3);
}

void TestInBandAuth::preAuthBudget_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<int>("code");
    QTest::addRow("message over 16 KiB") << "big" << 1009;
    QTest::addRow("more than 10 other messages") << "many" << 1008;
    QTest::addRow("binary frame") << "binary" << 1008;
}

void TestInBandAuth::preAuthBudget()
{
    QFETCH(QString, what);
    QFETCH(int, code);
    TestServer ts(graceConfig());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(client.open(ts.wsUrl()));
    if (what == QLatin1String("big")) {
        client.send(authenticate(QByteArray(17 * 1024, 'a')));
    } else if (what == QLatin1String("many")) {
        for (int i = 0; i < 11; ++i)
            client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
    } else {
        client.socket().sendBinaryMessage(QByteArray("\x01\x02", 2));
    }
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), code);
    if (what == QLatin1String("many"))
        QCOMPARE(client.count(QStringLiteral("error")), 10);
    QTRY_COMPARE(ts.server().pendingSessions(), 0);
}

void TestInBandAuth::withoutGraceATokenIsRequired()
{
    TestServer ts; // --auth-grace-ms unset
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(client.open(ts.wsUrl()));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 4001);
    QCOMPARE(client.closeReason(), QStringLiteral("missing credentials"));
}

void TestInBandAuth::inBandComposesWithTokenExpiry()
{
    // A token authenticated in-band ends the session at its exp, like a handshake token.
    ServerConfig config = graceConfig();
    config.jwtLeewaySeconds = 0;
    config.tokenExpiryWarningSeconds = 1;
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(client.open(ts.wsUrl()));
    client.send(authenticate(token(QStringLiteral("brief"), {}, {}, {{QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + 2}})));
    QVERIFY(!client.waitFor(QStringLiteral("connected")).isEmpty());
    QVERIFY(!client.waitFor(QStringLiteral("token_expiring"), 5000).isEmpty());
    QVERIFY(client.waitClosed(5000));
    QCOMPARE(client.closeCode(), 4002);
    QCOMPARE(client.closeReason(), QStringLiteral("token expired"));
}

void TestInBandAuth::inBandComposesWithUserLimit()
{
    ServerConfig config = graceConfig();
    config.maxConnectionsPerUser = 1;
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient first;
    QVERIFY(!first.connectAndWelcome(ts.wsUrl(token(QStringLiteral("solo")))).isEmpty());
    RawWsClient second;
    QVERIFY(second.handshake(ts.port(), "/ws"));
    second.sendText(QJsonDocument(authenticate(token(QStringLiteral("solo")))).toJson(QJsonDocument::Compact));
    QTRY_COMPARE(second.count(RawWsClient::Close), 1);
    QCOMPARE(closeFrame(second), std::make_pair(1013, QByteArray("too many connections for this user")));
    QVERIFY(!first.isClosed());
}

void TestInBandAuth::inBandCountsClusterWide()
{
    // Two nodes on a real redis-server: the in-band connection on node B is counted with the
    // user's connection on node A (RedisBroker::admitUser), and refused over the limit.
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    ServerConfig configA = graceConfig();
    configA.redisUrl = redis.url();
    configA.maxConnectionsPerUser = 1;
    configA.nodeName = QStringLiteral("node-a");
    ServerConfig configB = configA;
    configB.nodeName = QStringLiteral("node-b");
    TestServer a(configA);
    TestServer b(configB);
    QVERIFY(a.start());
    QVERIFY(b.start());
    WsClient first;
    QVERIFY(!first.connectAndWelcome(a.wsUrl(token(QStringLiteral("roamer")))).isEmpty());
    RawWsClient second;
    QVERIFY(second.handshake(b.port(), "/ws"));
    second.sendText(QJsonDocument(authenticate(token(QStringLiteral("roamer")))).toJson(QJsonDocument::Compact));
    QTRY_COMPARE(second.count(RawWsClient::Close), 1);
    QCOMPARE(closeFrame(second), std::make_pair(1013, QByteArray("too many connections for this user")));
    // Another user on node B is admitted in-band through the same cluster count.
    WsClient other;
    QVERIFY(other.open(b.wsUrl()));
    other.send(authenticate(token(QStringLiteral("homebody"))));
    QCOMPARE(other.waitFor(QStringLiteral("authenticated")).value("userId").toString(), QStringLiteral("homebody"));
    QVERIFY(!first.isClosed());
}

void TestInBandAuth::queryRoomTemplates_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("room");   // empty: refused with 1008
    QTest::addRow("allowed") << "user_type=driver" << "driver:q1";
    QTest::addRow("a claim wins") << "user_type=driver&claim=1" << "rider:q1";
    QTest::addRow("not given") << "" << "";
    QTest::addRow("over-long") << "user_type=" + QString(65, 'd') << "";
    QTest::addRow("colon") << "user_type=user%3Aq2" << "";
    QTest::addRow("forbidden by the allow-list") << "user_type=admin" << "";
}

void TestInBandAuth::queryRoomTemplates()
{
    QFETCH(QString, query);
    QFETCH(QString, room);
    ServerConfig config = testConfig();
    config.claimRooms = {QStringLiteral("{user_type}:{sub}")};
    config.claimRoomsQuery = {QStringLiteral("user_type")};
    config.allowedRooms = {QStringLiteral("driver:*"), QStringLiteral("rider:*"), QStringLiteral("order:*")};
    TestServer ts(config);
    QVERIFY(ts.start());
    const bool withClaim = query.contains(QLatin1String("claim=1"));
    const QByteArray tok = token(QStringLiteral("q1"), {}, {},
                                 withClaim ? QJsonObject{{QStringLiteral("user_type"), QStringLiteral("rider")}} : QJsonObject{});
    WsClient client;
    QVERIFY(client.open(ts.wsUrl(tok, query)));
    const bool refused = room.isEmpty() && !query.isEmpty();
    if (refused) {
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1008);
        QVERIFY2(client.closeReason().contains(QStringLiteral("user_type")) || client.closeReason().contains(QStringLiteral("not allowed")),
                 qPrintable(client.closeReason()));
        return;
    }
    const QStringList rooms = strings(client.waitFor(QStringLiteral("connected")).value("rooms"));
    if (room.isEmpty())
        QCOMPARE(rooms, QStringList{QStringLiteral("user:q1")});
    else
        QVERIFY2(rooms.contains(room), qPrintable(rooms.join(',')));
}

void TestInBandAuth::queryRoomsInBand()
{
    // The query of the upgrade feeds the templates when the token comes later.
    ServerConfig config = graceConfig();
    config.claimRooms = {QStringLiteral("{user_type}:{sub}")};
    config.claimRoomsQuery = {QStringLiteral("user_type")};
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient ok;
    QVERIFY(ok.open(ts.wsUrl({}, QStringLiteral("user_type=rider"))));
    ok.send(authenticate(token(QStringLiteral("r1"))));
    QVERIFY(strings(ok.waitFor(QStringLiteral("connected")).value("rooms")).contains(QStringLiteral("rider:r1")));
    WsClient bad;
    QVERIFY(bad.open(ts.wsUrl({}, QStringLiteral("user_type=no%20spaces"))));
    bad.send(authenticate(token(QStringLiteral("r2"))));
    QCOMPARE(bad.waitFor(QStringLiteral("auth_error")).value("code").toString(), QStringLiteral("invalid_query"));
    QVERIFY(bad.waitClosed());
    QCOMPARE(bad.closeCode(), 1008);
}

void TestInBandAuth::subscribeTopics()
{
    ServerConfig config = testConfig();
    config.allowedRooms = {QStringLiteral("order:*"), QStringLiteral("chat:*")};
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("t1")))).isEmpty());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("id"), 7},
                            {QStringLiteral("topics"), QJsonArray{"order:1", "chat:2", "user:other", "secret", 5}}});
    QJsonObject reply = client.waitFor(QStringLiteral("subscribed"));
    QCOMPARE(reply.value("id").toInt(), 7);
    QCOMPARE(strings(reply.value("topics")), (QStringList{"order:1", "chat:2"}));
    const QJsonArray refused = reply.value("refused").toArray();
    QCOMPARE(refused.size(), 3);
    QCOMPARE(refused.at(0).toObject().value("channel").toString(), QStringLiteral("user:other"));
    QCOMPARE(refused.at(0).toObject().value("code").toString(), QStringLiteral("forbidden"));
    QCOMPARE(refused.at(1).toObject().value("channel").toString(), QStringLiteral("secret"));
    QCOMPARE(refused.at(2).toObject().value("code").toString(), QStringLiteral("invalid_message"));
    // Joined for real: a room emit arrives.
    QCOMPARE(adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                       QJsonObject{{QStringLiteral("event"), QStringLiteral("order_update")}, {QStringLiteral("room"), QStringLiteral("order:1")}})
                 .status, 200);
    QVERIFY(!client.waitFor(QStringLiteral("order_update")).isEmpty());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("unsubscribe")},
                            {QStringLiteral("topics"), QJsonArray{"order:1", "user:t1"}}});
    reply = client.waitFor(QStringLiteral("unsubscribed"));
    QCOMPARE(strings(reply.value("topics")), QStringList{"order:1"});
    QCOMPARE(reply.value("refused").toArray().at(0).toObject().value("channel").toString(), QStringLiteral("user:t1"));
    // Not a list, an empty one, or one too long: refused as a whole.
    QJsonArray tooMany;
    for (int i = 0; i < 101; ++i)
        tooMany.append(QStringLiteral("chat:%1").arg(i));
    for (const QJsonValue &topics : {QJsonValue(QStringLiteral("order:1")), QJsonValue(QJsonArray{}), QJsonValue(tooMany)}) {
        client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("topics"), topics}});
        QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("invalid_message"));
    }
    QCOMPARE(client.count(QStringLiteral("subscribed")), 0);
}

void TestInBandAuth::relayRoomKey()
{
    ServerConfig config = testConfig();
    config.relayRoomKey = QStringLiteral("roomId");
    TestServer ts(config);
    QVERIFY(ts.start());
    WsClient a;
    WsClient b;
    QVERIFY(!a.connectAndWelcome(ts.wsUrl(token(QStringLiteral("a")))).isEmpty());
    QVERIFY(!b.connectAndWelcome(ts.wsUrl(token(QStringLiteral("b")))).isEmpty());
    for (WsClient *c : {&a, &b}) {
        c->send(QJsonObject{{QStringLiteral("type"), QStringLiteral("join")}, {QStringLiteral("channel"), QStringLiteral("booking:9")}});
        QVERIFY(!c->waitFor(QStringLiteral("subscribed")).isEmpty());
    }
    a.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("emit")}, {QStringLiteral("roomId"), QStringLiteral("booking:9")},
                       {QStringLiteral("event"), QStringLiteral("typing")}, {QStringLiteral("id"), QStringLiteral("e1")}});
    QCOMPARE(a.waitFor(QStringLiteral("ack")).value("delivered").toInt(), 1);
    QCOMPARE(b.waitFor(QStringLiteral("typing")).value("room").toString(), QStringLiteral("booking:9"));
    // Without a room under either key the error names the configured key.
    a.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("emit")}, {QStringLiteral("event"), QStringLiteral("typing")}});
    QVERIFY(a.waitFor(QStringLiteral("error")).value("message").toString().contains(QStringLiteral("roomId")));
}

QTEST_MAIN(TestInBandAuth)
#include "tst_inbandauth.moc"
