// Server-originated events (POST /api/v1/internal/emit) reaching exactly the right sockets,
// with clients spread over several I/O threads; acked emits.
#include <QtCore/QJsonArray>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {
constexpr int kUsers = 10;
constexpr int kPerUser = 2;
constexpr int kClients = kUsers * kPerUser;

/// Client i belongs to user 100 + i / 2; users 100-104 are in "team:red", 105-109 in "team:blue".
QString userOf(int client) { return QString::number(100 + client / kPerUser); }
QString teamOf(int client) { return client < kClients / 2 ? QStringLiteral("team:red") : QStringLiteral("team:blue"); }

using Indexes = QList<int>;
} // namespace

class tst_Emit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void clientsSpreadOverThreads();
    void targets_data();
    void targets();
    void payloadTypes_data();
    void payloadTypes();
    void callerChosenId();
    void ackedEmit();
    void nack();
    void directApi();
    void serverSideMembership();
    void concurrentEmitters();
    void churnDuringEmits();

private:
    QJsonObject emitBody(const QJsonObject &body, const QString &event) const;
    /// Broadcasts a marker and waits until every client has it: anything sent to a client
    /// before the marker has then arrived too (each socket's frames are ordered).
    void barrier(const QString &tag);

    std::unique_ptr<TestServer> m_ts;
    QList<WsClient *> m_clients;
    QList<quint64> m_ids; // connection id of each client
};

void tst_Emit::initTestCase()
{
    ServerConfig config = testConfig();
    config.threads = 2;
    m_ts = std::make_unique<TestServer>(config);
    QVERIFY(m_ts->start());
    for (int i = 0; i < kClients; ++i) {
        auto *client = new WsClient(this);
        const QJsonObject welcome = client->connectAndWelcome(m_ts->wsUrl(token(userOf(i), {}, {teamOf(i)})));
        QVERIFY2(!welcome.isEmpty(), qPrintable(QString::number(i)));
        m_clients << client;
        m_ids << welcome.value("connectionId").toString().toULongLong();
    }
    QCOMPARE(m_ts->server().registry().connectionCount(), kClients);
}

void tst_Emit::cleanupTestCase()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_ts.reset();
}

void tst_Emit::clientsSpreadOverThreads()
{
    // Through the admin API ...
    const HttpReply reply = adminGet(m_ts->httpUrl(QStringLiteral("/api/websocket/connections")));
    QCOMPARE(reply.status, 200);
    const QJsonArray list = reply.json().value("connections").toArray();
    QCOMPARE(list.size(), kClients);
    QSet<int> threads;
    for (const QJsonValue &c : list)
        threads.insert(c.toObject().value("thread").toInt(-1));
    QVERIFY2(threads.size() >= 2, "the kernel put every client on one I/O thread; the fan-out tests would not cross threads");
    QVERIFY(!threads.contains(-1));
    // ... and the registry agree.
    QSet<int> workers;
    for (const ConnectionSnapshot &s : m_ts->server().registry().connections())
        workers.insert(s.worker);
    QCOMPARE(workers, threads);
}

QJsonObject tst_Emit::emitBody(const QJsonObject &body, const QString &event) const
{
    QJsonObject out = body;
    out.insert("event", event);
    // Placeholders for connection ids, which are known only at run time.
    auto resolve = [this](QJsonValue v) {
        if (v.isString() && v.toString().startsWith(QLatin1String("#")))
            return QJsonValue(QString::number(m_ids.value(v.toString().mid(1).toInt())));
        return v;
    };
    if (out.contains("connectionId"))
        out.insert("connectionId", resolve(out.value("connectionId")));
    if (out.value("except").isObject()) {
        QJsonObject except = out.value("except").toObject();
        if (except.contains("connectionId"))
            except.insert("connectionId", resolve(except.value("connectionId")));
        out.insert("except", except);
    }
    return out;
}

void tst_Emit::barrier(const QString &tag)
{
    const QString marker = QStringLiteral("barrier.") + tag;
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", marker}, {"broadcast", true}});
    QCOMPARE(reply.json().value("delivered").toInt(), kClients);
    for (int i = 0; i < kClients; ++i)
        QVERIFY2(m_clients[i]->receives(marker, 5000), qPrintable(QStringLiteral("client %1 missed the barrier").arg(i)));
}

void tst_Emit::targets_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<Indexes>("expected");

    Indexes all, red, blue;
    for (int i = 0; i < kClients; ++i) {
        all << i;
        (i < kClients / 2 ? red : blue) << i;
    }
    auto without = [](Indexes list, const Indexes &drop) {
        for (int i : drop)
            list.removeAll(i);
        return list;
    };

    QTest::addRow("user: both connections") << QJsonObject{{"userId", "103"}} << Indexes{6, 7};
    QTest::addRow("user as a number") << QJsonObject{{"userId", 103}} << Indexes{6, 7};
    QTest::addRow("user offline") << QJsonObject{{"userId", "999"}} << Indexes{};
    QTest::addRow("room") << QJsonObject{{"room", "team:red"}} << red;
    QTest::addRow("user room by name") << QJsonObject{{"room", "user:108"}} << Indexes{16, 17};
    QTest::addRow("empty room") << QJsonObject{{"room", "team:green"}} << Indexes{};
    QTest::addRow("broadcast") << QJsonObject{{"broadcast", true}} << all;
    QTest::addRow("broadcast except user") << QJsonObject{{"broadcast", true}, {"except", "101"}} << without(all, {2, 3});
    QTest::addRow("broadcast except numeric user") << QJsonObject{{"broadcast", true}, {"except", 101}} << without(all, {2, 3});
    QTest::addRow("broadcast except connection")
        << QJsonObject{{"broadcast", true}, {"except", QJsonObject{{"connectionId", "#0"}}}} << without(all, {0});
    QTest::addRow("broadcast except user and connection")
        << QJsonObject{{"broadcast", true}, {"except", QJsonObject{{"userId", "109"}, {"connectionId", "#4"}}}}
        << without(all, {4, 18, 19});
    QTest::addRow("broadcast except user and own connection")
        << QJsonObject{{"broadcast", true}, {"except", QJsonObject{{"userId", "109"}, {"connectionId", "#19"}}}}
        << without(all, {18, 19});
    QTest::addRow("room except user") << QJsonObject{{"room", "team:blue"}, {"except", QJsonObject{{"userId", "107"}}}}
                                      << without(blue, {14, 15});
    QTest::addRow("room except outsider") << QJsonObject{{"room", "team:blue"}, {"except", "100"}} << blue;
    QTest::addRow("user except one connection")
        << QJsonObject{{"userId", "102"}, {"except", QJsonObject{{"connectionId", "#5"}}}} << Indexes{4};
    QTest::addRow("connection") << QJsonObject{{"connectionId", "#5"}} << Indexes{5};
    QTest::addRow("connection, other thread") << QJsonObject{{"connectionId", "#12"}} << Indexes{12};
    QTest::addRow("connection excepted") << QJsonObject{{"connectionId", "#5"}, {"except", QJsonObject{{"connectionId", "#5"}}}} << Indexes{};
}

void tst_Emit::targets()
{
    QFETCH(QJsonObject, body);
    QFETCH(Indexes, expected);

    const QString event = QStringLiteral("evt.%1").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    QJsonObject request = emitBody(body, event);
    request.insert("payload", QJsonObject{{"tag", QString::fromLatin1(QTest::currentDataTag())}});
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")), request);
    QCOMPARE(reply.status, 200);
    const QJsonObject result = reply.json();
    QCOMPARE(result.value("success").toBool(), true);
    QCOMPARE(result.value("delivered").toInt(), expected.size());
    const QString id = result.value("id").toString();
    QVERIFY(!id.isEmpty());

    for (int i : expected) {
        const QJsonObject message = m_clients[i]->waitFor(event);
        QVERIFY2(!message.isEmpty(), qPrintable(QStringLiteral("client %1 did not get the event").arg(i)));
        QCOMPARE(message.value("id").toString(), id);
        QCOMPARE(message.value("data").toObject().value("tag").toString(), QString::fromLatin1(QTest::currentDataTag()));
        QVERIFY(!message.contains("ack"));
        if (body.contains("room"))
            QCOMPARE(message.value("room").toString(), body.value("room").toString());
    }
    barrier(event);
    for (int i = 0; i < kClients; ++i)
        QVERIFY2(m_clients[i]->count(event) == 0, qPrintable(QStringLiteral("client %1 got the event %2").arg(i).arg(expected.contains(i) ? "twice" : "but should not")));
}

void tst_Emit::payloadTypes_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("payload");

    QTest::addRow("object") << "payload" << QJsonValue(QJsonObject{{"a", 1}, {"nested", QJsonObject{{"b", QJsonArray{1, 2}}}}});
    QTest::addRow("array") << "payload" << QJsonValue(QJsonArray{1, "two", 3.5, QJsonValue::Null});
    QTest::addRow("string") << "payload" << QJsonValue(QStringLiteral("häßlich ✓"));
    QTest::addRow("number") << "payload" << QJsonValue(42.5);
    QTest::addRow("bool") << "payload" << QJsonValue(false);
    QTest::addRow("null") << "payload" << QJsonValue(QJsonValue::Null);
    QTest::addRow("data alias") << "data" << QJsonValue(QJsonObject{{"via", "data"}});
}

void tst_Emit::payloadTypes()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, payload);
    const QString event = QStringLiteral("payload.%1").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", event}, {"userId", "100"}, {key, payload}});
    QCOMPARE(reply.json().value("delivered").toInt(), 2);
    const QJsonObject message = m_clients[0]->waitFor(event);
    QVERIFY(message.contains("data"));
    QCOMPARE(message.value("data"), payload);
    QVERIFY(m_clients[1]->receives(event, 5000));
}

void tst_Emit::callerChosenId()
{
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "job.done"}, {"userId", "104"}, {"id", "job-17"}});
    QCOMPARE(reply.json().value("id").toString(), QStringLiteral("job-17"));
    QCOMPARE(m_clients[8]->waitFor(QStringLiteral("job.done")).value("id").toString(), QStringLiteral("job-17"));
    QCOMPARE(m_clients[9]->waitFor(QStringLiteral("job.done")).value("id").toString(), QStringLiteral("job-17"));
}

struct Ack
{
    QString emitId;
    quint64 connectionId;
    QString userId;
    bool ok;
    QString error;
};

void tst_Emit::ackedEmit()
{
    // Acks are reported from the I/O threads; a context object in this thread queues them here.
    QList<Ack> acks;
    QObject context;
    connect(&m_ts->server(), &Server::ackReceived, &context,
            [&acks](const QString &emitId, quint64 connectionId, const QString &userId, bool ok, const QString &error) {
                acks.append({emitId, connectionId, userId, ok, error});
            });

    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "invoice.ready"}, {"userId", "106"}, {"ack", true}, {"payload", QJsonObject{{"n", 3}}}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("delivered").toInt(), 2);
    const QString id = reply.json().value("id").toString();

    for (int i : {12, 13}) {
        const QJsonObject message = m_clients[i]->waitFor(QStringLiteral("invoice.ready"));
        QCOMPARE(message.value("ack").toBool(), true);
        QCOMPARE(message.value("id").toString(), id);
    }
    QVERIFY(acks.isEmpty()); // nobody answered yet

    m_clients[13]->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(acks.size(), 1);
    QCOMPARE(acks[0].emitId, id);
    QCOMPARE(acks[0].connectionId, m_ids[13]);
    QCOMPARE(acks[0].userId, QStringLiteral("106"));
    QCOMPARE(acks[0].ok, true);

    m_clients[12]->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(acks.size(), 2);
    QCOMPARE(acks[1].connectionId, m_ids[12]);

    // A plain emit does not ask for an ack.
    adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")), {{"event", "plain"}, {"userId", "106"}});
    QVERIFY(!m_clients[12]->waitFor(QStringLiteral("plain")).contains("ack"));
    QVERIFY(m_clients[13]->receives(QStringLiteral("plain"), 5000));
}

void tst_Emit::nack()
{
    QList<Ack> acks;
    QObject context;
    connect(&m_ts->server(), &Server::ackReceived, &context,
            [&acks](const QString &emitId, quint64 connectionId, const QString &userId, bool ok, const QString &error) {
                acks.append({emitId, connectionId, userId, ok, error});
            });
    const HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                      {{"event", "task"}, {"connectionId", QString::number(m_ids[3])}, {"ack", true}});
    QCOMPARE(reply.json().value("delivered").toInt(), 1);
    const QJsonObject message = m_clients[3]->waitFor(QStringLiteral("task"));
    QCOMPARE(message.value("ack").toBool(), true);
    m_clients[3]->send({{"type", "nack"}, {"id", message.value("id")}, {"error", "printer on fire"}});
    QTRY_COMPARE(acks.size(), 1);
    QCOMPARE(acks[0].emitId, message.value("id").toString());
    QCOMPARE(acks[0].connectionId, m_ids[3]);
    QCOMPARE(acks[0].userId, userOf(3));
    QCOMPARE(acks[0].ok, false);
    QCOMPARE(acks[0].error, QStringLiteral("printer on fire"));
}

void tst_Emit::directApi()
{
    // The console emits through Server::emitEvent rather than HTTP.
    EmitRequest request;
    request.target = EmitRequest::Target::Room;
    request.room = QStringLiteral("team:blue");
    request.event = QStringLiteral("console.note");
    request.payload = QJsonObject{{"from", "console"}};
    request.source = QStringLiteral("console");
    const EmitResult result = m_ts->server().emitEvent(request);
    QVERIFY(result.error.isEmpty());
    QCOMPARE(result.delivered, kClients / 2);
    for (int i = kClients / 2; i < kClients; ++i)
        QVERIFY(m_clients[i]->receives(QStringLiteral("console.note"), 5000));

    EmitRequest unnamed;
    unnamed.target = EmitRequest::Target::Broadcast;
    QVERIFY(!m_ts->server().emitEvent(unnamed).error.isEmpty()); // an event needs a name
    barrier(QStringLiteral("direct"));
    for (int i = 0; i < kClients / 2; ++i)
        QCOMPARE(m_clients[i]->count(QStringLiteral("console.note")), 0);
}

void tst_Emit::serverSideMembership()
{
    // The console moves connections in and out of rooms through Server::joinRoom/leaveRoom.
    Server &server = m_ts->server();
    const quint64 id = m_ids[11];
    const QString room = QStringLiteral("ops:night");
    QVERIFY(server.joinRoom(id, room));
    QTRY_VERIFY(server.registry().isMember(id, room));
    HttpReply reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")), {{"event", "ops.alert"}, {"room", room}});
    QCOMPARE(reply.json().value("delivered").toInt(), 1);
    QCOMPARE(m_clients[11]->waitFor(QStringLiteral("ops.alert")).value("room").toString(), room);

    QVERIFY(server.leaveRoom(id, room));
    QTRY_VERIFY(!server.registry().isMember(id, room));
    reply = adminPost(m_ts->httpUrl(QStringLiteral("/api/v1/internal/emit")), {{"event", "ops.alert"}, {"room", room}});
    QCOMPARE(reply.json().value("delivered").toInt(), 0);
    barrier(QStringLiteral("membership"));
    QCOMPARE(m_clients[11]->count(QStringLiteral("ops.alert")), 0);

    QVERIFY(!server.leaveRoom(id, room));          // not a member
    QVERIFY(!server.joinRoom(999999, room));       // no such connection
    QVERIFY(!server.joinRoom(id, QString()));      // no room
    QVERIFY(!server.disconnectConnection(999999, 1000, QString()));
}

void tst_Emit::concurrentEmitters()
{
    // Server::emitEvent is called from every I/O thread (HTTP) and the GUI at once.
    constexpr int kThreads = 4;
    constexpr int kEach = 250;
    Server *server = &m_ts->server();
    QList<QThread *> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads << QThread::create([server, t] {
            for (int i = 0; i < kEach; ++i) {
                EmitRequest request;
                request.target = EmitRequest::Target::Room;
                request.room = QStringLiteral("team:red");
                request.event = QStringLiteral("burst");
                request.payload = t * kEach + i;
                server->emitEvent(request);
            }
        });
    }
    for (QThread *thread : std::as_const(threads))
        thread->start();
    for (QThread *thread : std::as_const(threads)) {
        QVERIFY(thread->wait(30000));
        delete thread;
    }
    // Every red client gets every event exactly once; blue ones none.
    for (int c = 0; c < kClients / 2; ++c) {
        QTRY_COMPARE_WITH_TIMEOUT(m_clients[c]->count(QStringLiteral("burst")), kThreads * kEach, 15000);
        QSet<int> seen;
        for (const QJsonObject &m : m_clients[c]->unread()) {
            if (m.value("type").toString() == QLatin1String("burst"))
                seen.insert(m.value("data").toInt());
        }
        QCOMPARE(seen.size(), kThreads * kEach);
        while (m_clients[c]->receives(QStringLiteral("burst"), 0)) {
        }
    }
    barrier(QStringLiteral("burst"));
    for (int c = kClients / 2; c < kClients; ++c)
        QCOMPARE(m_clients[c]->count(QStringLiteral("burst")), 0);
}

void tst_Emit::churnDuringEmits()
{
    // Clients come and go while another thread broadcasts: nothing crashes, the steady
    // clients get everything, and the registry ends where it started.
    std::atomic<bool> stop{false};
    std::atomic<int> emitted{0};
    Server *server = &m_ts->server();
    QThread *emitter = QThread::create([server, &stop, &emitted] {
        while (!stop.load()) {
            EmitRequest request;
            request.target = EmitRequest::Target::Broadcast;
            request.event = QStringLiteral("churn");
            request.payload = emitted.fetch_add(1);
            server->emitEvent(request);
            QThread::msleep(2); // a steady stream, not a flood the I/O threads cannot keep up with
        }
    });
    emitter->start();
    for (int round = 0; round < 15; ++round) {
        QList<WsClient *> transient;
        for (int i = 0; i < 4; ++i) {
            transient << new WsClient;
            transient.last()->socket().open(m_ts->wsUrl(token(QStringLiteral("transient"), {}, {QStringLiteral("team:red")})));
        }
        // Some close before, some after their welcome.
        if (round % 2) {
            WsClient *first = transient.first();
            QVERIFY2(first->receives(QStringLiteral("connected"), 5000),
                     qPrintable(QStringLiteral("round %1: state %2, closed %3 (%4 %5), error %6")
                                    .arg(round).arg(int(first->socket().state())).arg(first->isClosed())
                                    .arg(first->closeCode()).arg(first->closeReason(), first->socket().errorString())));
        }
        qDeleteAll(transient);
    }
    stop = true;
    QVERIFY(emitter->wait(30000));
    delete emitter;
    QTRY_COMPARE_WITH_TIMEOUT(m_ts->server().registry().connectionCount(), kClients, 10000);
    QCOMPARE(m_ts->server().registry().userConnectionCount(QStringLiteral("transient")), 0);
    QCOMPARE(m_ts->server().metrics().connectionsCurrent.load(), qint64(kClients));
    for (int c = 0; c < kClients; ++c)
        QTRY_COMPARE_WITH_TIMEOUT(m_clients[c]->count(QStringLiteral("churn")), emitted.load(), 10000);
    for (WsClient *client : std::as_const(m_clients)) {
        while (client->receives(QStringLiteral("churn"), 0)) {
        }
    }
}

QTEST_GUILESS_MAIN(tst_Emit)
#include "tst_emit.moc"
