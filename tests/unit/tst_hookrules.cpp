// Unit tests for the event proxy's pure parts (docs/hooks.md): the --hooks file (every field
// checked, the error naming it), event-name patterns, the request signature, and how a back
// end's answer becomes the client's answer and emits.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include "core/config.h"
#include "hooks/connectproxy.h"
#include "hooks/eventproxy.h"
#include "hooks/hookclient.h"
#include "hooks/hookrules.h"

using Switchboard::ClientEvent;
using Switchboard::ConfigLoader;
using Switchboard::ServerConfig;
using Switchboard::EmitRequest;
using Switchboard::EventProxy;
using Switchboard::HookClient;
using Switchboard::HookRules;
using Switchboard::HookSettings;

class tst_HookRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void example();
    void invalid_data();
    void invalid();
    void matches_data();
    void matches();
    void signature();
    void decide_data();
    void decide();
    void requestBody();
    void config();
    // The subscribe proxy's part of the file (docs/hooks.md, "The subscribe proxy").
    void subscribe();
    void subscribeInvalid_data();
    void subscribeInvalid() { invalid(); }
    void connectProxy();
};

void tst_HookRules::example()
{
    const QByteArray json = R"({"maxInFlight": 8, "maxResponseBytes": 4096, "events": [
      {"name": "notifications", "match": "mark_read", "url": "http://127.0.0.1:4000/hooks/mark_read",
       "timeoutMs": 2000, "idempotent": true},
      {"match": ["location_*", "driver_?"], "url": "https://rides.example/hooks", "idempotent": true, "retries": 0},
      {"match": "booking_request", "queue": "booking_queue"}]})";
    HookSettings s;
    QString error;
    QVERIFY2(HookRules::parse(json, &s, &error), qPrintable(error));
    QCOMPARE(s.maxInFlight, 8);
    QCOMPARE(s.maxResponseBytes, 4096);
    QCOMPARE(s.events.size(), 3);
    QCOMPARE(s.events[0].name, QStringLiteral("notifications"));
    QCOMPARE(s.events[0].timeoutMs, 2000);
    QCOMPARE(s.events[0].retries, 2); // idempotent: two retries unless set
    QCOMPARE(s.events[1].name, QStringLiteral("location_*,driver_?"));
    QCOMPARE(s.events[1].retries, 0);
    QCOMPARE(s.events[1].timeoutMs, 5000);
    QCOMPARE(s.events[2].queue, QStringLiteral("booking_queue"));
    QVERIFY(s.events[2].url.isEmpty());
    QVERIFY(s.needsSecret());
    QCOMPARE(HookRules::find(s, QStringLiteral("mark_read")), 0);
    QCOMPARE(HookRules::find(s, QStringLiteral("location_update")), 1);
    QCOMPARE(HookRules::find(s, QStringLiteral("driver_x")), 1);
    QCOMPARE(HookRules::find(s, QStringLiteral("driver_xy")), -1);
    QCOMPARE(HookRules::find(s, QStringLiteral("booking_request")), 2);
    QCOMPARE(HookRules::find(s, QStringLiteral("mark_read2")), -1);

    QCOMPARE(s.maxInFlightPerConnection, 8);
    QCOMPARE(s.events[2].maxQueueDepth, qint64(10000));

    QVERIFY(HookRules::parse(R"({"events":[{"match":"a","queue":"q"}]})", &s, &error));
    QVERIFY(!s.needsSecret());
    QVERIFY2(HookRules::parse(R"({"maxInFlightPerConnection":3,"events":[{"match":"a","queue":"q","maxQueueDepth":7}]})", &s, &error),
             qPrintable(error));
    QCOMPARE(s.maxInFlightPerConnection, 3);
    QCOMPARE(s.events[0].maxQueueDepth, qint64(7));
}

void tst_HookRules::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::addRow("not json") << QByteArray("{") << "not JSON";
    QTest::addRow("array") << QByteArray("[]") << "the document must be an object";
    QTest::addRow("unknown top") << QByteArray(R"({"event":[]})") << "event: unknown field";
    QTest::addRow("no events") << QByteArray(R"({})") << "events: must be an array of 1 to 256 rules";
    QTest::addRow("empty events") << QByteArray(R"({"events":[]})") << "events: must be an array";
    QTest::addRow("in flight") << QByteArray(R"({"maxInFlight":0,"events":[{"match":"a","queue":"q"}]})")
                               << "maxInFlight: must be an integer from 1 to 10000";
    QTest::addRow("response bytes") << QByteArray(R"({"maxResponseBytes":1.5,"events":[{"match":"a","queue":"q"}]})")
                                    << "maxResponseBytes: must be an integer";
    QTest::addRow("rule not object") << QByteArray(R"({"events":[1]})") << "events[0]: must be an object";
    QTest::addRow("unknown field") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","timeout":5}]})")
                                   << "events[0].timeout: unknown field";
    QTest::addRow("no match") << QByteArray(R"({"events":[{"url":"http://h/"}]})") << "events[0].match: required";
    QTest::addRow("empty pattern") << QByteArray(R"({"events":[{"match":["a",""],"url":"http://h/"}]})")
                                   << "events[0].match[1]: must be a non-empty string";
    QTest::addRow("url and queue") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","queue":"q"}]})")
                                   << "events[0].url: exactly one of";
    QTest::addRow("neither") << QByteArray(R"({"events":[{"match":"a"}]})") << "events[0].url: exactly one of";
    QTest::addRow("ftp url") << QByteArray(R"({"events":[{"match":"a","url":"ftp://h/x"}]})")
                             << "events[0].url: must be an http:// or https:// URL";
    QTest::addRow("no host") << QByteArray(R"({"events":[{"match":"a","url":"http:///x"}]})")
                             << "events[0].url: must be an http:// or https:// URL";
    QTest::addRow("bad queue") << QByteArray(R"({"events":[{"match":"a","queue":"a b"}]})")
                               << "events[0].queue: must be a queue name";
    QTest::addRow("timeout") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","timeoutMs":0}]})")
                             << "events[0].timeoutMs: must be an integer from 1 to 60000";
    QTest::addRow("idempotent") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","idempotent":"yes"}]})")
                                << "events[0].idempotent: must be true or false";
    QTest::addRow("retries not idempotent") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","retries":1}]})")
                                            << "events[0].retries: only an \"idempotent\": true event";
    QTest::addRow("retries too many") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","idempotent":true,"retries":6}]})")
                                      << "events[0].retries: must be an integer from 0 to 5";
    QTest::addRow("queue timeout") << QByteArray(R"({"events":[{"match":"a","queue":"q","timeoutMs":10}]})")
                                   << "events[0].timeoutMs: not used with \"queue\"";
    QTest::addRow("per connection") << QByteArray(R"({"maxInFlightPerConnection":0,"events":[{"match":"a","queue":"q"}]})")
                                    << "maxInFlightPerConnection: must be an integer from 1 to 10000";
    QTest::addRow("depth without queue") << QByteArray(R"({"events":[{"match":"a","url":"http://h/","maxQueueDepth":5}]})")
                                         << "events[0].maxQueueDepth: only with \"queue\"";
    QTest::addRow("depth zero") << QByteArray(R"({"events":[{"match":"a","queue":"q","maxQueueDepth":0}]})")
                                << "events[0].maxQueueDepth: must be an integer from 1 to 10000000";
    QTest::addRow("same name") << QByteArray(R"({"events":[{"match":"a","queue":"q"},{"match":"a","queue":"r"}]})")
                               << "events[1].name: \"a\" is already the name of an earlier rule";
    // The connect proxy's "connect" object.
    QTest::addRow("connect not object") << QByteArray(R"({"connect":"http://h/"})") << "connect.must be an object";
    QTest::addRow("connect no url") << QByteArray(R"({"connect":{}})") << "connect.url: required";
    QTest::addRow("connect ftp") << QByteArray(R"({"connect":{"url":"ftp://h/"}})") << "connect.url: required, an http://";
    QTest::addRow("connect unknown") << QByteArray(R"({"connect":{"url":"http://h/","timeout":5}})")
                                     << "connect.timeout: unknown field";
    QTest::addRow("connect timeout") << QByteArray(R"({"connect":{"url":"http://h/","timeoutMs":60001}})")
                                     << "connect.timeoutMs: must be an integer from 1 to 60000";
    QTest::addRow("connect retries") << QByteArray(R"({"connect":{"url":"http://h/","retries":6}})")
                                     << "connect.retries: must be an integer from 0 to 5";
    QTest::addRow("connect headers") << QByteArray(R"({"connect":{"url":"http://h/","headers":"cookie"}})")
                                     << "connect.headers: must be an array of at most 32";
    QTest::addRow("connect header name") << QByteArray(R"({"connect":{"url":"http://h/","headers":["cookie","x y"]}})")
                                         << "connect.headers[1]: must be a header name";
    QTest::addRow("connect header twice") << QByteArray(R"({"connect":{"url":"http://h/","headers":["Cookie","cookie"]}})")
                                          << "connect.headers[1]: \"cookie\" is listed twice";
    QTest::addRow("connect bad events") << QByteArray(R"({"connect":{"url":"http://h/"},"events":[]})")
                                        << "events: must be an array";
}

void tst_HookRules::invalid()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    HookSettings s;
    QString why;
    QVERIFY(!HookRules::parse(json, &s, &why));
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

void tst_HookRules::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("matches");
    QTest::addRow("exact") << "mark_read" << "mark_read" << true;
    QTest::addRow("exact other") << "mark_read" << "mark_reads" << false;
    QTest::addRow("star tail") << "location_*" << "location_update" << true;
    QTest::addRow("star empty") << "location_*" << "location_" << true;
    QTest::addRow("star prefix only") << "location_*" << "xlocation_update" << false;
    QTest::addRow("star middle") << "a*b*c" << "aXXbYbZc" << true;
    QTest::addRow("star middle no") << "a*b*c" << "aXXbYbZ" << false;
    QTest::addRow("question") << "driver_?" << "driver_1" << true;
    QTest::addRow("question empty") << "driver_?" << "driver_" << false;
    QTest::addRow("slash is plain") << "chat/*" << "chat/room/1" << true;
    QTest::addRow("only star") << "*" << "" << true;
}

void tst_HookRules::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, name);
    QFETCH(bool, matches);
    QCOMPARE(HookRules::matches(pattern, name), matches);
}

void tst_HookRules::signature()
{
    // The same as node: crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')
    // (and `openssl dgst -sha256 -hmac`).
    QCOMPARE(HookClient::sign("whsec-test-0123456789", 1700000000, R"({"a":1})"),
             QByteArray("ba8ec7f38c4e076a99176a1bf98ae9f2f3f4e18412b46a5913ddcf5685932c6a"));
    QVERIFY(HookClient::sign("whsec-test-0123456789", 1700000001, R"({"a":1})")
            != HookClient::sign("whsec-test-0123456789", 1700000000, R"({"a":1})"));
}

void tst_HookRules::decide_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("code");    // !ok
    QTest::addColumn<QByteArray>("reply"); // ok: compact JSON of [reply]
    QTest::addColumn<int>("emits");
    QTest::addRow("empty") << QByteArray("") << true << QString() << QByteArray("[null]") << 0;
    QTest::addRow("no reply") << QByteArray("{}") << true << QString() << QByteArray("[null]") << 0;
    QTest::addRow("reply") << QByteArray(R"({"reply":{"read":3}})") << true << QString() << QByteArray(R"([{"read":3}])") << 0;
    QTest::addRow("emits") << QByteArray(R"({"reply":1,"emits":[{"event":"e","room":"r","payload":1},{"event":"f","userId":"7","data":2}]})")
                           << true << QString() << QByteArray("[1]") << 2;
    QTest::addRow("error") << QByteArray(R"({"error":{"code":"not_allowed","message":"no"},"emits":[{"event":"e","room":"r"}]})")
                           << false << "not_allowed" << QByteArray() << 0;
    QTest::addRow("error no code") << QByteArray(R"({"error":{"message":"no"}})") << false << "hook_failed" << QByteArray() << 0;
    QTest::addRow("error bad code") << QByteArray(R"({"error":{"code":"a b"}})") << false << "hook_failed" << QByteArray() << 0;
    QTest::addRow("not json") << QByteArray("<html>") << false << "hook_failed" << QByteArray() << 0;
    QTest::addRow("array") << QByteArray("[1]") << false << "hook_failed" << QByteArray() << 0;
    QTest::addRow("emits not array") << QByteArray(R"({"emits":{}})") << false << "hook_failed" << QByteArray() << 0;
    QTest::addRow("one bad emit") << QByteArray(R"({"emits":[{"event":"e","room":"r"},{"room":"r"}]})")
                                  << false << "hook_failed" << QByteArray() << 0;
    QByteArray many = R"({"emits":[)";
    for (int i = 0; i < 101; ++i)
        many += QByteArray(i ? "," : "") + R"({"event":"e","room":"r"})";
    QTest::addRow("too many emits") << many + "]}" << false << "hook_failed" << QByteArray() << 0;
}

void tst_HookRules::decide()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, code);
    QFETCH(QByteArray, reply);
    QFETCH(int, emits);
    const EventProxy::Decision d = EventProxy::decide(body);
    QCOMPARE(d.client.ok, ok);
    QCOMPARE(d.emits.size(), emits);
    // Only Switchboard's own refusal of the answer is a failed call; the back end's error is not.
    QCOMPARE(d.invalid, !ok && code == QLatin1String("hook_failed"));
    if (!ok) {
        QCOMPARE(d.client.code, code);
        QVERIFY(!d.client.message.isEmpty() || code != QLatin1String("hook_failed"));
        return;
    }
    QCOMPARE(QJsonDocument(QJsonArray{d.client.reply}).toJson(QJsonDocument::Compact), reply);
    if (emits == 2) {
        QCOMPARE(d.emits[0].target, EmitRequest::Target::Room);
        QCOMPARE(d.emits[0].room, QStringLiteral("r"));
        QCOMPARE(d.emits[1].target, EmitRequest::Target::User);
        QCOMPARE(d.emits[1].payload, QJsonValue(2));
    }
}

void tst_HookRules::requestBody()
{
    ClientEvent e;
    e.event = QStringLiteral("mark_read");
    e.data = QJsonObject{{QStringLiteral("id"), 5}};
    e.args = QJsonArray{1, 2};
    e.protocol = QStringLiteral("socket.io");
    e.nsp = QStringLiteral("/");
    e.connectionId = 42;
    e.userId = QStringLiteral("u1");
    e.claims = QJsonObject{{QStringLiteral("sub"), QStringLiteral("u1")}};
    const QJsonObject o = QJsonDocument::fromJson(EventProxy::requestBody(e, QStringLiteral("n"), QStringLiteral("rid"))).object();
    QCOMPARE(o.value("requestId").toString(), QStringLiteral("rid"));
    QCOMPARE(o.value("event").toString(), QStringLiteral("mark_read"));
    QCOMPARE(o.value("rule").toString(), QStringLiteral("n"));
    QCOMPARE(o.value("data").toObject().value("id").toInt(), 5);
    QCOMPARE(o.value("args").toArray().size(), 2);
    QCOMPARE(o.value("protocol").toString(), QStringLiteral("socket.io"));
    QCOMPARE(o.value("namespace").toString(), QStringLiteral("/"));
    QCOMPARE(o.value("connectionId").toString(), QStringLiteral("42"));
    QCOMPARE(o.value("userId").toString(), QStringLiteral("u1"));
    QCOMPARE(o.value("claims").toObject().value("sub").toString(), QStringLiteral("u1"));
    QVERIFY(!o.contains("id"));
}

// --hooks and --hooks-secret from flags, environment and config file, like every option; a rule
// with a url needs the secret; a bad file names itself and the field.
void tst_HookRules::connectProxy()
{
    // A file with only the connect proxy: no events, headers lowercased, defaults.
    HookSettings s;
    QString why;
    const QByteArray file = R"({"connect":{"url":"http://127.0.0.1:4000/connect","headers":["Cookie","x-forwarded-for"]}})";
    QVERIFY2(HookRules::parse(file, &s, &why), qPrintable(why));
    QVERIFY(s.events.isEmpty());
    QVERIFY(s.connect.enabled());
    QVERIFY(s.needsSecret());
    QCOMPARE(s.connect.url, QUrl(QStringLiteral("http://127.0.0.1:4000/connect")));
    QCOMPARE(s.connect.timeoutMs, 3000);
    QCOMPARE(s.connect.retries, 0);
    QCOMPARE(s.connect.headers, (QByteArrayList{"cookie", "x-forwarded-for"}));
    HookSettings none;
    const QByteArray eventsOnly = R"({"events":[{"match":"a","queue":"q"}]})";
    QVERIFY(HookRules::parse(eventsOnly, &none, &why));
    QVERIFY(!none.connect.enabled());

    // Answers: the back end's user, rooms and claims (its claims win), refusals, invalid ones.
    Switchboard::ConnectRequest verified;
    verified.token = QStringLiteral("t");
    verified.tokenVerified = true;
    verified.userId = QStringLiteral("42");
    verified.claims = QJsonObject{{QStringLiteral("sub"), QStringLiteral("42")}, {QStringLiteral("role"), QStringLiteral("rider")}};
    bool invalid = true;
    auto d = Switchboard::ConnectProxy::decide(verified, R"({"rooms":["booking:7","booking:7"],"claims":{"role":"driver"}})", &invalid);
    QVERIFY(!invalid);
    QVERIFY(d.admitted);
    QCOMPARE(d.userId, QStringLiteral("42"));
    QCOMPARE(d.rooms, QStringList{QStringLiteral("booking:7")});
    QCOMPARE(d.claims.value(QStringLiteral("role")).toString(), QStringLiteral("driver"));
    QCOMPARE(d.claims.value(QStringLiteral("sub")).toString(), QStringLiteral("42"));
    d = Switchboard::ConnectProxy::decide(verified, "", &invalid);
    QVERIFY(d.admitted && !invalid); // an empty 2xx: the token's user
    Switchboard::ConnectRequest anonymous;
    d = Switchboard::ConnectProxy::decide(anonymous, "{}", &invalid);
    QVERIFY(!d.admitted && !invalid);
    QCOMPARE(d.code, QStringLiteral("connect_refused"));
    d = Switchboard::ConnectProxy::decide(anonymous, R"({"user":"cookie-user"})", &invalid);
    QVERIFY(d.admitted);
    QCOMPARE(d.userId, QStringLiteral("cookie-user"));
    d = Switchboard::ConnectProxy::decide(verified, R"({"error":{"code":"banned","message":"no"}})", &invalid);
    QVERIFY(!d.admitted && !invalid && !d.unavailable);
    QCOMPARE(d.code, QStringLiteral("banned"));
    for (const QByteArray body : {QByteArray("[]"), QByteArray(R"({"user":5})"), QByteArray(R"({"rooms":[""]})"),
                                  QByteArray(R"({"claims":[]})"), QByteArray(R"({"error":{"code":"a b"}})")}) {
        d = Switchboard::ConnectProxy::decide(verified, body, &invalid);
        QVERIFY2(invalid && !d.admitted && d.unavailable, body.constData());
        QCOMPARE(d.code, QStringLiteral("connect_unavailable"));
    }
    QByteArray many = R"({"rooms":[)";
    for (int i = 0; i <= Switchboard::ConnectProxy::kMaxRooms; ++i)
        many += (i ? ",\"r" : "\"r") + QByteArray::number(i) + '"';
    many += "]}";
    Switchboard::ConnectProxy::decide(verified, many, &invalid);
    QVERIFY(invalid);
}

void tst_HookRules::config()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString &name, const QByteArray &content) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
            return QString();
        return f.fileName();
    };
    const QString hooks = write(QStringLiteral("hooks.json"), R"({"events":[{"match":"mark_read","url":"http://127.0.0.1:4000/"}]})");
    const QString queueOnly = write(QStringLiteral("queue.json"), R"({"events":[{"match":"b","queue":"q"}]})");
    const QString bad = write(QStringLiteral("bad.json"), R"({"events":[{"match":"a","url":"http://h/","retries":1}]})");
    const QString file = write(QStringLiteral("config.json"), R"({"hooksSecret":"from-the-config-file-0123"})");
    QVERIFY(!hooks.isEmpty() && !queueOnly.isEmpty() && !bad.isEmpty() && !file.isEmpty());

    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({{"hooks", hooks}}, {{"SWITCHBOARD_HOOKS_SECRET", "from-the-environment-0123"}}, &c, &error), qPrintable(error));
    QCOMPARE(c.hooksFile, hooks);
    QCOMPARE(c.hooks.events.size(), 1);
    QCOMPARE(c.hooksSecret, QStringLiteral("from-the-environment-0123"));

    QVERIFY2(ConfigLoader::load({{"config", file}}, {{"SWITCHBOARD_HOOKS", hooks}}, &c, &error), qPrintable(error));
    QCOMPARE(c.hooksSecret, QStringLiteral("from-the-config-file-0123"));

    QVERIFY(!ConfigLoader::load({{"hooks", hooks}}, {}, &c, &error));
    QVERIFY2(error.contains(QLatin1String("--hooks-secret must be set")), qPrintable(error));
    QVERIFY(!ConfigLoader::load({{"hooks", hooks}, {"hooks-secret", "short"}}, {}, &c, &error));
    QVERIFY2(error.contains(QLatin1String("at least 16")), qPrintable(error));
    // Queue rules sign nothing: no secret needed.
    QVERIFY2(ConfigLoader::load({{"hooks", queueOnly}}, {}, &c, &error), qPrintable(error));

    QVERIFY(!ConfigLoader::load({{"hooks", bad}, {"hooks-secret", "0123456789abcdef"}}, {}, &c, &error));
    QVERIFY2(error.startsWith(QStringLiteral("invalid value for hooks: %1: events[0].retries:").arg(bad)), qPrintable(error));
    QVERIFY(!ConfigLoader::load({{"hooks", dir.filePath(QStringLiteral("missing.json"))}}, {}, &c, &error));
    QVERIFY2(error.contains(QLatin1String("cannot read")), qPrintable(error));
}

void tst_HookRules::subscribe()
{
    const QByteArray json = R"({"subscribeCacheMaxBytes": 1048576, "subscribeMaxPending": 4, "subscribe": [
      {"name": "chats", "match": "chat:*", "url": "http://127.0.0.1:4000/subscribe", "timeoutMs": 500, "cacheMs": 30000},
      {"match": ["team:?", "org:*"], "url": "https://auth.example/rooms"}]})";
    HookSettings s;
    QString error;
    QVERIFY2(HookRules::parse(json, &s, &error), qPrintable(error));
    QVERIFY(s.events.isEmpty()); // "events" may be left out next to "subscribe"
    QCOMPARE(s.subscribe.size(), 2);
    QCOMPARE(s.subscribeCacheMaxBytes, 1048576);
    QCOMPARE(s.subscribeMaxPending, 4);
    QCOMPARE(s.subscribe[0].name, QStringLiteral("chats"));
    QCOMPARE(s.subscribe[0].timeoutMs, 500);
    QCOMPARE(s.subscribe[0].cacheMs, 30000);
    QCOMPARE(s.subscribe[0].url, QUrl(QStringLiteral("http://127.0.0.1:4000/subscribe")));
    QCOMPARE(s.subscribe[1].name, QStringLiteral("team:?,org:*"));
    QCOMPARE(s.subscribe[1].timeoutMs, 2000);
    QCOMPARE(s.subscribe[1].cacheMs, 0);
    QVERIFY(s.needsSecret());
    QCOMPARE(HookRules::findSubscribe(s, QStringLiteral("chat:1")), 0);
    QCOMPARE(HookRules::findSubscribe(s, QStringLiteral("team:a")), 1);
    QCOMPARE(HookRules::findSubscribe(s, QStringLiteral("team:ab")), -1);
    QCOMPARE(HookRules::findSubscribe(s, QStringLiteral("org:x:y")), 1);
    QCOMPARE(HookRules::findSubscribe(s, QStringLiteral("lobby")), -1);
    // Subscribe rules are not event rules.
    QCOMPARE(HookRules::find(s, QStringLiteral("chat:1")), -1);

    // Defaults, next to event rules.
    // (Not inside a macro's arguments: moc reads the "//" of a raw string there as a comment.)
    const QByteArray both = R"({"events":[{"match":"a","queue":"q"}],"subscribe":[{"match":"r:*","url":"http://h/"}]})";
    QVERIFY2(HookRules::parse(both, &s, &error), qPrintable(error));
    QCOMPARE(s.events.size(), 1);
    QCOMPARE(s.subscribe.size(), 1);
    QCOMPARE(s.subscribeCacheMaxBytes, 4 * 1024 * 1024);
    QCOMPARE(s.subscribeMaxPending, 16);
    QVERIFY(s.needsSecret()); // the queue rule alone would not
}

void tst_HookRules::subscribeInvalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::addRow("not array") << QByteArray(R"({"subscribe":{}})") << "subscribe: must be an array of 1 to 256 rules";
    QTest::addRow("empty") << QByteArray(R"({"subscribe":[]})") << "subscribe: must be an array of 1 to 256 rules";
    QTest::addRow("rule not object") << QByteArray(R"({"subscribe":[1]})") << "subscribe[0]: must be an object";
    QTest::addRow("unknown field") << QByteArray(R"({"subscribe":[{"match":"a","url":"http://h/","idempotent":true}]})")
                                   << "subscribe[0].idempotent: unknown field";
    QTest::addRow("queue") << QByteArray(R"({"subscribe":[{"match":"a","queue":"q"}]})") << "subscribe[0].queue: unknown field";
    QTest::addRow("no match") << QByteArray(R"({"subscribe":[{"url":"http://h/"}]})") << "subscribe[0].match: required";
    QTest::addRow("bad pattern") << QByteArray(R"({"subscribe":[{"match":[""],"url":"http://h/"}]})")
                                 << "subscribe[0].match[0]: must be a non-empty string";
    QTest::addRow("no url") << QByteArray(R"({"subscribe":[{"match":"a"}]})") << "subscribe[0].url: required";
    QTest::addRow("ftp url") << QByteArray(R"({"subscribe":[{"match":"a","url":"ftp://h/"}]})") << "subscribe[0].url: required";
    QTest::addRow("timeout") << QByteArray(R"({"subscribe":[{"match":"a","url":"http://h/","timeoutMs":60001}]})")
                             << "subscribe[0].timeoutMs: must be an integer from 1 to 60000";
    QTest::addRow("cache negative") << QByteArray(R"({"subscribe":[{"match":"a","url":"http://h/","cacheMs":-1}]})")
                                    << "subscribe[0].cacheMs: must be an integer from 0 to 86400000";
    QTest::addRow("cache fraction") << QByteArray(R"({"subscribe":[{"match":"a","url":"http://h/","cacheMs":1.5}]})")
                                    << "subscribe[0].cacheMs: must be an integer";
    QTest::addRow("same name") << QByteArray(R"({"subscribe":[{"match":"a","url":"http://h/"},{"name":"a","match":"b","url":"http://h/"}]})")
                               << "subscribe[1].name: \"a\" is already the name of an earlier rule";
    QTest::addRow("cache bytes") << QByteArray(R"({"subscribeCacheMaxBytes":-1,"subscribe":[{"match":"a","url":"http://h/"}]})")
                                 << "subscribeCacheMaxBytes: must be an integer from 0 to 1073741824";
    QTest::addRow("pending") << QByteArray(R"({"subscribeMaxPending":0,"subscribe":[{"match":"a","url":"http://h/"}]})")
                             << "subscribeMaxPending: must be an integer from 1 to 1000";
    // Without "subscribe", "events" stays required.
    QTest::addRow("neither") << QByteArray(R"({"subscribeMaxPending":4})") << "events: must be an array of 1 to 256 rules";
}

QTEST_GUILESS_MAIN(tst_HookRules)
#include "tst_hookrules.moc"
