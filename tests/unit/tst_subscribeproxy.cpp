// Unit tests for the subscribe proxy's pure parts (docs/hooks.md, "The subscribe proxy"): the
// decision cache (expiry, least-recently-used eviction within its byte cap, counted evictions),
// how a back end's answer becomes a decision, the request body and the cache key.
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include "hooks/decisioncache.h"
#include "hooks/subscribeproxy.h"

using Switchboard::DecisionCache;
using Switchboard::HookClient;
using Switchboard::JoinDecision;
using Switchboard::JoinRequest;
using Switchboard::SubscribeProxy;

class tst_SubscribeProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cacheExpiry();
    void cacheEviction();
    void cacheReplaceAndOversize();
    void decide_data();
    void decide();
    void requestBody();
    void cacheKey();
};

namespace {
const JoinDecision allow{true, {}, {}};
const JoinDecision refuse{false, QStringLiteral("not_member"), QStringLiteral("not in this chat")};
} // namespace

void tst_SubscribeProxy::cacheExpiry()
{
    DecisionCache cache(1 << 20);
    cache.insert(QStringLiteral("a"), allow, 1000);
    cache.insert(QStringLiteral("b"), refuse, 2000);
    QCOMPARE(cache.size(), 2);
    QVERIFY(cache.find(QStringLiteral("a"), 999).has_value());
    QCOMPARE(cache.find(QStringLiteral("a"), 999)->allowed, true);
    const auto refused = cache.find(QStringLiteral("b"), 1500);
    QVERIFY(refused.has_value());
    QCOMPARE(refused->code, QStringLiteral("not_member"));
    QCOMPARE(refused->message, QStringLiteral("not in this chat"));
    // Expired at its time: dropped when looked up, not counted as an eviction.
    QVERIFY(!cache.find(QStringLiteral("a"), 1000).has_value());
    QCOMPARE(cache.size(), 1);
    QCOMPARE(cache.bytes(), DecisionCache::cost(QStringLiteral("b"), refuse));
    QCOMPARE(cache.evictions(), 0u);
    QVERIFY(!cache.find(QStringLiteral("missing"), 0).has_value());
}

void tst_SubscribeProxy::cacheEviction()
{
    const qint64 each = DecisionCache::cost(QStringLiteral("k0"), allow);
    DecisionCache cache(3 * each);
    for (int i = 0; i < 3; ++i)
        cache.insert(QStringLiteral("k%1").arg(i), allow, 1000);
    QCOMPARE(cache.bytes(), 3 * each);
    // k0 was used last: k1 is the least recently used and goes first.
    QVERIFY(cache.find(QStringLiteral("k0"), 0).has_value());
    cache.insert(QStringLiteral("k3"), allow, 1000);
    QCOMPARE(cache.size(), 3);
    QCOMPARE(cache.evictions(), 1u);
    QVERIFY(!cache.find(QStringLiteral("k1"), 0).has_value());
    QVERIFY(cache.find(QStringLiteral("k0"), 0).has_value());
    QVERIFY(cache.find(QStringLiteral("k2"), 0).has_value());
    QVERIFY(cache.find(QStringLiteral("k3"), 0).has_value());
    // Many more keys: never over the cap, every one beyond it counted.
    for (int i = 4; i < 1004; ++i) {
        cache.insert(QStringLiteral("k%1").arg(i % 10 + 4), allow, 1000); // keys k4..k13
        QVERIFY(cache.bytes() <= cache.maxBytes());
    }
    QCOMPARE(cache.size(), 3);
    QCOMPARE(cache.evictions(), 1u + 1000u); // each insert of a key not held evicts one
}

void tst_SubscribeProxy::cacheReplaceAndOversize()
{
    const JoinDecision longRefusal{false, QStringLiteral("forbidden"), QString(500, QLatin1Char('x'))};
    DecisionCache cache(DecisionCache::cost(QStringLiteral("k"), longRefusal));
    cache.insert(QStringLiteral("k"), allow, 1000);
    cache.insert(QStringLiteral("k"), longRefusal, 2000); // replaces, no eviction
    QCOMPARE(cache.size(), 1);
    QCOMPARE(cache.evictions(), 0u);
    QCOMPARE(cache.find(QStringLiteral("k"), 1500)->code, QStringLiteral("forbidden"));
    QCOMPARE(cache.bytes(), cache.maxBytes());
    // An entry larger than the whole cap is not kept (and evicts nothing).
    cache.insert(QString(1000, QLatin1Char('y')), allow, 1000);
    QCOMPARE(cache.size(), 1);
    QCOMPARE(cache.evictions(), 0u);
    DecisionCache none(0);
    none.insert(QStringLiteral("k"), allow, 1000);
    QCOMPARE(none.size(), 0);
    QCOMPARE(none.bytes(), 0);
}

void tst_SubscribeProxy::decide_data()
{
    QTest::addColumn<int>("outcome");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("failed");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("code");
    const int ok = int(HookClient::Outcome::Ok);
    const int failed = int(HookClient::Outcome::Failed);
    QTest::addRow("allow") << ok << 200 << QByteArray(R"({"allow":true})") << false << true << QString();
    QTest::addRow("allow false") << ok << 200 << QByteArray(R"({"allow":false})") << false << false << "forbidden";
    QTest::addRow("error") << ok << 200 << QByteArray(R"({"error":{"code":"not_member","message":"no"}})") << false << false << "not_member";
    QTest::addRow("error wins") << ok << 200 << QByteArray(R"({"allow":true,"error":{"code":"banned","message":"banned"}})") << false << false << "banned";
    QTest::addRow("bad code") << ok << 200 << QByteArray(R"({"error":{"code":"a b"}})") << true << false << "subscribe_unavailable";
    QTest::addRow("empty") << ok << 204 << QByteArray() << true << false << "subscribe_unavailable";
    QTest::addRow("no allow") << ok << 200 << QByteArray(R"({"ok":true})") << true << false << "subscribe_unavailable";
    QTest::addRow("allow string") << ok << 200 << QByteArray(R"({"allow":"yes"})") << true << false << "subscribe_unavailable";
    QTest::addRow("not json") << ok << 200 << QByteArray("<html>") << true << false << "subscribe_unavailable";
    QTest::addRow("403") << failed << 403 << QByteArray() << false << false << "forbidden";
    QTest::addRow("401") << failed << 401 << QByteArray() << true << false << "subscribe_unavailable";
    QTest::addRow("500") << failed << 500 << QByteArray() << true << false << "subscribe_unavailable";
    QTest::addRow("network") << failed << 0 << QByteArray() << true << false << "subscribe_unavailable";
    QTest::addRow("timeout") << int(HookClient::Outcome::Timeout) << 0 << QByteArray() << true << false << "subscribe_unavailable";
    QTest::addRow("busy") << int(HookClient::Outcome::Busy) << 0 << QByteArray() << true << false << "hook_busy";
    QTest::addRow("stopping") << int(HookClient::Outcome::Unavailable) << 0 << QByteArray() << true << false << "unavailable";
}

void tst_SubscribeProxy::decide()
{
    QFETCH(int, outcome);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, failed);
    QFETCH(bool, allowed);
    QFETCH(QString, code);
    HookClient::Result result;
    result.outcome = HookClient::Outcome(outcome);
    result.status = status;
    result.body = body;
    result.error = QStringLiteral("why");
    bool isFailure = !failed;
    const JoinDecision d = SubscribeProxy::decide(result, &isFailure);
    QCOMPARE(isFailure, failed);
    QCOMPARE(d.allowed, allowed);
    QCOMPARE(d.code, code);
    QCOMPARE(d.message.isEmpty(), allowed);
}

void tst_SubscribeProxy::requestBody()
{
    JoinRequest r;
    r.room = QStringLiteral("chat:1");
    r.protocol = QStringLiteral("socket.io");
    r.nsp = QStringLiteral("/admin");
    r.connectionId = 17;
    r.userId = QStringLiteral("42");
    r.claims = QJsonObject{{QStringLiteral("sub"), QStringLiteral("42")}};
    const QJsonObject body = QJsonDocument::fromJson(SubscribeProxy::requestBody(r, QStringLiteral("chats"), QStringLiteral("rid"))).object();
    QCOMPARE(body, (QJsonObject{{QStringLiteral("requestId"), QStringLiteral("rid")},
                                {QStringLiteral("room"), QStringLiteral("chat:1")},
                                {QStringLiteral("rule"), QStringLiteral("chats")},
                                {QStringLiteral("protocol"), QStringLiteral("socket.io")},
                                {QStringLiteral("namespace"), QStringLiteral("/admin")},
                                {QStringLiteral("userId"), QStringLiteral("42")},
                                {QStringLiteral("connectionId"), QStringLiteral("17")},
                                {QStringLiteral("claims"), r.claims}}));
    r.nsp.clear();
    r.protocol = QStringLiteral("native");
    QVERIFY(!QJsonDocument::fromJson(SubscribeProxy::requestBody(r, QStringLiteral("chats"), QStringLiteral("rid"))).object().contains(QLatin1String("namespace")));
}

void tst_SubscribeProxy::cacheKey()
{
    // No user id and room can stand for another pair.
    QVERIFY(SubscribeProxy::cacheKey(QStringLiteral("a"), QStringLiteral("bc")) != SubscribeProxy::cacheKey(QStringLiteral("ab"), QStringLiteral("c")));
    QCOMPARE(SubscribeProxy::cacheKey(QStringLiteral("a"), QStringLiteral("b")), SubscribeProxy::cacheKey(QStringLiteral("a"), QStringLiteral("b")));
}

QTEST_GUILESS_MAIN(tst_SubscribeProxy)
#include "tst_subscribeproxy.moc"
