// Durable queues end to end: HTTP producers, real QWebSocket consumers, a real SQLite file.
// ack, nack -> retry with backoff -> dead letters, consumer loss, visibility timeout,
// prefetch and priority, dead-letter retry and purge, validation, restart, metrics.
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QRandomGenerator>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

const QList<QPair<QByteArray, QByteArray>> kAdmin = {{"x-internal-key", kInternalKey}, {"content-type", "application/json"}};

ServerConfig fastRetries()
{
    ServerConfig config = testConfig();
    config.queueBackoffBaseMs = 20;
    config.queueBackoffCapMs = 100;
    return config;
}

HttpReply enqueue(TestServer &ts, const QString &queue, const QJsonValue &body)
{
    const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson() : QJsonDocument(body.toObject()).toJson();
    return http("POST", ts.httpUrl(QStringLiteral("/api/queues/%1/messages").arg(queue)), bytes, kAdmin);
}

QueueStats statsOf(TestServer &ts, const QString &queue)
{
    for (const QueueStats &s : ts.server().queues()->stats()) {
        if (s.name == queue)
            return s;
    }
    return {};
}

/// A connected consumer of @p queue; empty pointer on failure (QVERIFY in the caller).
std::unique_ptr<WsClient> consumer(TestServer &ts, const QString &queue, int prefetch = 1, const QString &user = QStringLiteral("worker"),
                                   int visibilityTimeout = 0)
{
    auto client = std::make_unique<WsClient>();
    if (client->connectAndWelcome(ts.wsUrl(token(user))).isEmpty())
        return {};
    QJsonObject consume{{"type", "consume"}, {"queue", queue}, {"prefetch", prefetch}};
    if (visibilityTimeout > 0)
        consume.insert("visibilityTimeout", visibilityTimeout);
    client->send(consume);
    const QJsonObject reply = client->waitFor(QStringLiteral("consuming"));
    if (reply.value("queue").toString() != queue || reply.value("prefetch").toInt() != prefetch)
        return {};
    return client;
}

/// Queue names the public /api/queue/stats lists.
QStringList publicQueueNames(TestServer &ts)
{
    QStringList names;
    for (const QJsonValue &q : http("GET", ts.httpUrl(QStringLiteral("/api/queue/stats"))).json().value("queues").toArray())
        names << q.toObject().value("name").toString();
    return names;
}

/// Rows of the store's queues table (the names it remembers across restarts).
QStringList storedQueueNames(TestServer &ts)
{
    QStringList names;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(ts.dataDir() + QStringLiteral("/queues.db"));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            q.exec(QStringLiteral("SELECT name FROM queues ORDER BY name"));
            while (q.next())
                names << q.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return names;
}

} // namespace

class TestQueues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void enqueueConsumeAck();
    void nackRetriesWithBackoffThenDeadLetters();
    void consumerDisconnectRedeliversToAnother();
    void visibilityTimeoutRedelivers();
    void prefetchAndPriority();
    void batchEnqueueKeepsOrder();
    void deadLetterRetryAndPurge();
    void invalidRequestsGetPreciseErrors_data();
    void invalidRequestsGetPreciseErrors();
    void invalidConsumeGetsErrors();
    void restartKeepsEverythingCommitted();
    void statsHealthAndMetrics();
    void acksAreNotRateLimited();
    void clientsConsumeOnlyKnownQueues();
    void cancelIsAnsweredAfterItsConsume();
    void idleEmptyQueuesAreRemoved();
};

void TestQueues::enqueueConsumeAck()
{
    TestServer ts;
    QVERIFY(ts.start());
    const HttpReply reply = enqueue(ts, QStringLiteral("booking_queue"), QJsonObject{{"payload", QJsonObject{{"booking", 42}}}});
    QCOMPARE(reply.status, 202);
    const QString id = reply.json().value("id").toString();
    QVERIFY(!id.isEmpty());
    QVERIFY(QFileInfo::exists(ts.dataDir() + QStringLiteral("/queues.db")));

    auto worker = consumer(ts, QStringLiteral("booking_queue"));
    QVERIFY(worker);
    const QJsonObject job = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(job.value("queue").toString(), QStringLiteral("booking_queue"));
    QCOMPARE(job.value("id").toString(), id);
    QCOMPARE(job.value("attempt").toInt(), 1);
    QCOMPARE(job.value("data").toObject().value("booking").toInt(), 42);
    QTRY_COMPARE(statsOf(ts, QStringLiteral("booking_queue")).inFlight, qint64(1));
    worker->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("booking_queue")).acked, quint64(1));
    const QueueStats s = statsOf(ts, QStringLiteral("booking_queue"));
    QCOMPARE(s.depth(), qint64(0));
    QCOMPARE(s.enqueued, quint64(1));
    QCOMPARE(s.dead, qint64(0));
}

void TestQueues::nackRetriesWithBackoffThenDeadLetters()
{
    TestServer ts(fastRetries());
    QVERIFY(ts.start());
    const QString id = enqueue(ts, QStringLiteral("mail"), QJsonObject{{"payload", "hello"}, {"maxAttempts", 3}}).json().value("id").toString();
    auto worker = consumer(ts, QStringLiteral("mail"));
    QVERIFY(worker);
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        QCOMPARE(job.value("id").toString(), id);
        QCOMPARE(job.value("attempt").toInt(), attempt);
        QCOMPARE(job.value("data").toString(), QStringLiteral("hello"));
        worker->send({{"type", "nack"}, {"id", id}, {"error", QStringLiteral("smtp down %1").arg(attempt)}});
    }
    QTRY_COMPARE(statsOf(ts, QStringLiteral("mail")).dead, qint64(1));
    QCOMPARE(statsOf(ts, QStringLiteral("mail")).depth(), qint64(0));
    QCOMPARE(statsOf(ts, QStringLiteral("mail")).nacked, quint64(3));

    const HttpReply dlq = adminGet(ts.httpUrl(QStringLiteral("/api/queues/mail/dlq")));
    QCOMPARE(dlq.status, 200);
    QCOMPARE(dlq.json().value("total").toInt(), 1);
    const QJsonObject dead = dlq.json().value("messages").toArray().first().toObject();
    QCOMPARE(dead.value("id").toString(), id);
    QCOMPARE(dead.value("attempts").toInt(), 3);
    QCOMPARE(dead.value("maxAttempts").toInt(), 3);
    QCOMPARE(dead.value("lastError").toString(), QStringLiteral("smtp down 3"));
    QCOMPARE(dead.value("payload").toString(), QStringLiteral("hello"));
    QVERIFY(!dead.value("deadAt").toString().isEmpty());
    // Dead letters are not handed out again.
    worker->send({{"type", "ping"}});
    QVERIFY(worker->receives(QStringLiteral("pong"), 5000));
    QCOMPARE(worker->count(QStringLiteral("job")), 0);
}

void TestQueues::consumerDisconnectRedeliversToAnother()
{
    TestServer ts(fastRetries());
    QVERIFY(ts.start());
    auto first = consumer(ts, QStringLiteral("orders"), 1, QStringLiteral("w1"));
    QVERIFY(first);
    const QString id = enqueue(ts, QStringLiteral("orders"), QJsonObject{{"payload", QJsonObject{{"order", 1}}}}).json().value("id").toString();
    QCOMPARE(first->waitFor(QStringLiteral("job")).value("id").toString(), id);
    auto second = consumer(ts, QStringLiteral("orders"), 1, QStringLiteral("w2"));
    QVERIFY(second);
    first->socket().abort(); // dies mid-job, no close handshake
    const QJsonObject again = second->waitFor(QStringLiteral("job"), 10000);
    QCOMPARE(again.value("id").toString(), id);
    QCOMPARE(again.value("attempt").toInt(), 2);
    second->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("orders")).acked, quint64(1));
    QCOMPARE(statsOf(ts, QStringLiteral("orders")).depth(), qint64(0));
}

void TestQueues::visibilityTimeoutRedelivers()
{
    TestServer ts(fastRetries());
    QVERIFY(ts.start());
    auto worker = consumer(ts, QStringLiteral("slow"), 1, QStringLiteral("w"), 200);
    QVERIFY(worker);
    const QString id = enqueue(ts, QStringLiteral("slow"), QJsonObject{{"payload", 1}}).json().value("id").toString();
    QCOMPARE(worker->waitFor(QStringLiteral("job")).value("attempt").toInt(), 1);
    // No answer: after 200 ms (+ backoff of at most 20 ms) it comes back as attempt 2.
    const QJsonObject again = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(again.value("id").toString(), id);
    QCOMPARE(again.value("attempt").toInt(), 2);
    QCOMPARE(statsOf(ts, QStringLiteral("slow")).nacked, quint64(1));
    worker->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("slow")).depth(), qint64(0));
}

void TestQueues::prefetchAndPriority()
{
    TestServer ts;
    QVERIFY(ts.start());
    const HttpReply reply = enqueue(ts, QStringLiteral("work"), QJsonArray{
        QJsonObject{{"payload", "a-low"}, {"priority", "low"}},
        QJsonObject{{"payload", "b-normal"}},
        QJsonObject{{"payload", "c-high"}, {"priority", "high"}},
        QJsonObject{{"payload", "d-normal"}, {"priority", "normal"}}});
    QCOMPARE(reply.status, 202);
    auto worker = consumer(ts, QStringLiteral("work"), 2);
    QVERIFY(worker);
    const QJsonObject j1 = worker->waitFor(QStringLiteral("job"));
    const QJsonObject j2 = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(j1.value("data").toString(), QStringLiteral("c-high"));
    QCOMPARE(j2.value("data").toString(), QStringLiteral("b-normal"));
    // Prefetch 2: the other two wait until one is settled.
    QTRY_COMPARE(statsOf(ts, QStringLiteral("work")).inFlight, qint64(2));
    QCOMPARE(statsOf(ts, QStringLiteral("work")).ready, qint64(2));
    QCOMPARE(worker->count(QStringLiteral("job")), 0);
    worker->send({{"type", "ack"}, {"id", j1.value("id")}});
    const QJsonObject j3 = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(j3.value("data").toString(), QStringLiteral("d-normal"));
    worker->send({{"type", "ack"}, {"id", j2.value("id")}});
    QCOMPARE(worker->waitFor(QStringLiteral("job")).value("data").toString(), QStringLiteral("a-low"));
}

void TestQueues::batchEnqueueKeepsOrder()
{
    TestServer ts;
    QVERIFY(ts.start());
    QJsonArray batch;
    for (int i = 0; i < 20; ++i)
        batch.append(QJsonObject{{"payload", QJsonObject{{"i", i}}}});
    const HttpReply reply = enqueue(ts, QStringLiteral("batch"), QJsonObject{{"messages", batch}});
    QCOMPARE(reply.status, 202);
    const QJsonArray ids = reply.json().value("ids").toArray();
    QCOMPARE(ids.size(), 20);
    auto worker = consumer(ts, QStringLiteral("batch"), 1);
    QVERIFY(worker);
    for (int i = 0; i < 20; ++i) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        QCOMPARE(job.value("data").toObject().value("i").toInt(), i);
        QCOMPARE(job.value("id").toString(), ids.at(i).toString());
        worker->send({{"type", "ack"}, {"id", job.value("id")}});
    }
    QTRY_COMPARE(statsOf(ts, QStringLiteral("batch")).acked, quint64(20));
}

void TestQueues::deadLetterRetryAndPurge()
{
    TestServer ts(fastRetries());
    QVERIFY(ts.start());
    QStringList ids;
    for (int i = 0; i < 3; ++i)
        ids << enqueue(ts, QStringLiteral("dl"), QJsonObject{{"payload", i}, {"maxAttempts", 1}}).json().value("id").toString();
    auto worker = consumer(ts, QStringLiteral("dl"), 3);
    QVERIFY(worker);
    for (int i = 0; i < 3; ++i)
        worker->send({{"type", "nack"}, {"id", worker->waitFor(QStringLiteral("job")).value("id")}, {"error", "no"}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("dl")).dead, qint64(3));

    const QUrl retry = ts.httpUrl(QStringLiteral("/api/queues/dl/dlq/retry"));
    HttpReply one = adminPost(retry, {{"id", ids.at(1)}});
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json().value("retried").toInt(), 1);
    QJsonObject job = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(job.value("id").toString(), ids.at(1));
    QCOMPARE(job.value("attempt").toInt(), 1); // attempts start over
    worker->send({{"type", "ack"}, {"id", job.value("id")}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("dl")).acked, quint64(1));
    QCOMPARE(statsOf(ts, QStringLiteral("dl")).dead, qint64(2));

    QCOMPARE(adminPost(retry, {{"id", ids.at(1)}}).status, 404); // not dead any more
    QCOMPARE(adminPost(retry, {}).status, 400);                  // neither id nor all

    QCOMPARE(adminPost(retry, {{"all", true}}).json().value("retried").toInt(), 2);
    for (int i = 0; i < 2; ++i)
        worker->send({{"type", "nack"}, {"id", worker->waitFor(QStringLiteral("job")).value("id")}, {"error", "still no"}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("dl")).dead, qint64(2));

    const HttpReply purge = http("DELETE", ts.httpUrl(QStringLiteral("/api/queues/dl/dlq")), {}, kAdmin);
    QCOMPARE(purge.status, 200);
    QCOMPARE(purge.json().value("purged").toInt(), 2);
    QCOMPARE(statsOf(ts, QStringLiteral("dl")).dead, qint64(0));
    QCOMPARE(adminGet(ts.httpUrl(QStringLiteral("/api/queues/dl/dlq"))).json().value("total").toInt(), 0);
}

void TestQueues::invalidRequestsGetPreciseErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("authorised");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray big = "{\"payload\":\"" + QByteArray(300 * 1024, 'x') + "\"}";
    QByteArray tooMany = "[";
    for (int i = 0; i < 1001; ++i)
        tooMany += QByteArray(i ? "," : "") + "{\"payload\":1}";
    tooMany += "]";
    QTest::newRow("no credentials") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"payload\":1}") << false << 401 << "unauthorized";
    QTest::newRow("bad queue name") << QByteArray("POST") << "/api/queues/bad%20name!/messages" << QByteArray("{\"payload\":1}") << true << 400 << "invalid_queue";
    QTest::newRow("malformed JSON") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"payload\":") << true << 400 << "invalid_json";
    QTest::newRow("no payload") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"priority\":\"high\"}") << true << 400 << "invalid_request";
    QTest::newRow("bad priority") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"payload\":1,\"priority\":\"urgent\"}") << true << 400 << "invalid_request";
    QTest::newRow("bad maxAttempts") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"payload\":1,\"maxAttempts\":0}") << true << 400 << "invalid_request";
    QTest::newRow("bad delay") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("{\"payload\":1,\"delayMs\":-5}") << true << 400 << "invalid_request";
    QTest::newRow("payload too large") << QByteArray("POST") << "/api/queues/q/messages" << big << true << 413 << "payload_too_large";
    QTest::newRow("batch too large") << QByteArray("POST") << "/api/queues/q/messages" << tooMany << true << 413 << "batch_too_large";
    QTest::newRow("empty batch") << QByteArray("POST") << "/api/queues/q/messages" << QByteArray("[]") << true << 400 << "invalid_request";
    QTest::newRow("dlq of unknown queue") << QByteArray("GET") << "/api/queues/never_used/dlq" << QByteArray() << true << 404 << "unknown_queue";
    QTest::newRow("dlq needs credentials") << QByteArray("GET") << "/api/queues/q/dlq" << QByteArray() << false << 401 << "unauthorized";
    QTest::newRow("purge needs credentials") << QByteArray("DELETE") << "/api/queues/q/dlq" << QByteArray() << false << 401 << "unauthorized";
    QTest::newRow("wrong method") << QByteArray("PUT") << "/api/queues/q/messages" << QByteArray("{}") << true << 405 << "method_not_allowed";
}

void TestQueues::invalidRequestsGetPreciseErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(bool, authorised);
    QFETCH(int, status);
    QFETCH(QString, code);
    TestServer ts;
    QVERIFY(ts.start());
    const HttpReply reply = http(method, QUrl(ts.httpUrl(QString()).toString() + path), body,
                                 authorised ? kAdmin : QList<QPair<QByteArray, QByteArray>>{});
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.json().value("code").toString(), code);
    QVERIFY(!reply.json().value("error").toString().isEmpty());
    // Nothing was enqueued by a refused request, and the server is still fine.
    for (const QueueStats &s : ts.server().queues()->stats())
        QCOMPARE(s.enqueued, quint64(0));
    QCOMPARE(http("GET", ts.httpUrl(QStringLiteral("/health"))).status, 200);
}

void TestQueues::invalidConsumeGetsErrors()
{
    TestServer ts;
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("u")))).isEmpty());
    client.send({{"type", "consume"}, {"queue", "has space"}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("invalid_queue"));
    client.send({{"type", "consume"}, {"queue", "ok"}, {"prefetch", 0}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("invalid_message"));
    client.send({{"type", "consume"}, {"queue", "ok"}, {"visibilityTimeout", 5}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("invalid_message"));
    client.send({{"type", "cancel"}, {"queue", "ok"}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("not_consuming"));
    client.send({{"type", "consume"}, {"queue", "ok"}, {"prefetch", 5}});
    QCOMPARE(client.waitFor(QStringLiteral("consuming")).value("prefetch").toInt(), 5);
    client.send({{"type", "cancel"}, {"queue", "ok"}});
    QCOMPARE(client.waitFor(QStringLiteral("cancelled")).value("queue").toString(), QStringLiteral("ok"));
    // Cancelled: a new message stays ready.
    QCOMPARE(enqueue(ts, QStringLiteral("ok"), QJsonObject{{"payload", 1}}).status, 202);
    QTRY_COMPARE(statsOf(ts, QStringLiteral("ok")).ready, qint64(1));
    QCOMPARE(statsOf(ts, QStringLiteral("ok")).consumers, 0);
    QVERIFY(!client.isClosed());
}

void TestQueues::restartKeepsEverythingCommitted()
{
    QTemporaryDir dir;
    ServerConfig config = fastRetries();
    config.dataDir = dir.path();
    QStringList ids;
    {
        TestServer ts(config);
        QVERIFY(ts.start());
        for (int i = 0; i < 3; ++i)
            ids << enqueue(ts, QStringLiteral("keep"), QJsonObject{{"payload", i}}).json().value("id").toString();
        enqueue(ts, QStringLiteral("keep"), QJsonObject{{"payload", "later"}, {"delayMs", 200}});
        auto worker = consumer(ts, QStringLiteral("keep"));
        QVERIFY(worker);
        QCOMPARE(worker->waitFor(QStringLiteral("job")).value("id").toString(), ids.at(0)); // in flight at the stop
        QTRY_COMPARE(statsOf(ts, QStringLiteral("keep")).inFlight, qint64(1));
    }
    TestServer again(config);
    QVERIFY(again.start());
    const QueueStats s = statsOf(again, QStringLiteral("keep"));
    QCOMPARE(s.depth(), qint64(4));
    auto worker = consumer(again, QStringLiteral("keep"), 10);
    QVERIFY(worker);
    QStringList seen;
    for (int i = 0; i < 4; ++i) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        seen << job.value("id").toString();
        worker->send({{"type", "ack"}, {"id", job.value("id")}});
    }
    for (const QString &id : std::as_const(ids))
        QVERIFY(seen.contains(id));
    QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), qsizetype(4));
    QTRY_COMPARE(statsOf(again, QStringLiteral("keep")).depth(), qint64(0));
}

void TestQueues::statsHealthAndMetrics()
{
    TestServer ts;
    QVERIFY(ts.start());
    enqueue(ts, QStringLiteral("m1"), QJsonArray{QJsonObject{{"payload", 1}}, QJsonObject{{"payload", 2}}});
    enqueue(ts, QStringLiteral("m2"), QJsonObject{{"payload", 1}, {"delayMs", 60000}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("m2")).delayed, qint64(1));

    const HttpReply stats = http("GET", ts.httpUrl(QStringLiteral("/api/queue/stats")));
    QCOMPARE(stats.status, 200);
    QCOMPARE(stats.json().value("totals").toObject().value("ready").toInt(), 2);
    QCOMPARE(stats.json().value("totals").toObject().value("delayed").toInt(), 1);
    bool sawM1 = false;
    for (const QJsonValue &q : stats.json().value("queues").toArray()) {
        if (q.toObject().value("name").toString() == QLatin1String("m1")) {
            sawM1 = true;
            QCOMPARE(q.toObject().value("ready").toInt(), 2);
            QCOMPARE(q.toObject().value("enqueued").toInt(), 2);
        }
    }
    QVERIFY(sawM1);

    const HttpReply health = http("GET", ts.httpUrl(QStringLiteral("/api/queue/health")));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(health.json().value("durable").toBool(), true);
    QVERIFY(health.json().value("store").toString().endsWith(QStringLiteral("queues.db")));

    const QByteArray prometheus = http("GET", ts.httpUrl(QStringLiteral("/metrics"))).body;
    QVERIFY(prometheus.contains("switchboard_queue_messages{queue=\"m1\",state=\"ready\"} 2"));
    QVERIFY(prometheus.contains("switchboard_queue_messages{queue=\"m2\",state=\"delayed\"} 1"));
    QVERIFY(prometheus.contains("switchboard_queue_enqueued_total{queue=\"m1\"} 2"));
    const QJsonObject queues = http("GET", ts.httpUrl(QStringLiteral("/api/metrics"))).json().value("queues").toObject();
    QCOMPARE(queues.value("depth").toInt(), 3);
    QCOMPARE(queues.value("byName").toObject().value("m1").toObject().value("ready").toInt(), 2);
}

void TestQueues::acksAreNotRateLimited()
{
    // 10 messages/s with a burst of 20: a worker answering 200 jobs at once must not be
    // throttled (its acks are bounded by the prefetch), while other messages still are.
    ServerConfig config = testConfig();
    config.rateLimit = 10;
    config.rateBurst = 20;
    TestServer ts(config);
    QVERIFY(ts.start());
    QJsonArray batch;
    for (int i = 0; i < 200; ++i)
        batch.append(QJsonObject{{"payload", i}});
    QCOMPARE(enqueue(ts, QStringLiteral("fast"), batch).status, 202);
    auto worker = consumer(ts, QStringLiteral("fast"), 200);
    QVERIFY(worker);
    for (int i = 0; i < 200; ++i)
        worker->send({{"type", "ack"}, {"id", worker->waitFor(QStringLiteral("job")).value("id")}});
    QTRY_COMPARE(statsOf(ts, QStringLiteral("fast")).acked, quint64(200));
    QCOMPARE(worker->count(QStringLiteral("error")), 0);
    QCOMPARE(ts.server().metrics().rateLimited.load(), quint64(0));
    // An ack for something it does not hold is an ordinary message (answered unknown_ack)
    // and is limited.
    for (int i = 0; i < 40; ++i)
        worker->send({{"type", "ack"}, {"id", "nothing-held"}});
    QCOMPARE(worker->waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("unknown_ack"));
    QString code;
    for (int i = 0; i < 40 && code != QLatin1String("rate_limited"); ++i) {
        code = worker->waitFor(QStringLiteral("error")).value("code").toString();
        QVERIFY2(code == QLatin1String("unknown_ack") || code == QLatin1String("rate_limited"), qPrintable(code));
    }
    QCOMPARE(code, QStringLiteral("rate_limited"));
}

void TestQueues::clientsConsumeOnlyKnownQueues()
{
    ServerConfig config = testConfig();
    config.clientQueues = {QStringLiteral("booking_*")}; // and nothing else may be waited for
    config.rateLimit = 10000;
    TestServer ts(config);
    QVERIFY(ts.start());
    QCOMPARE(enqueue(ts, QStringLiteral("orders"), QJsonObject{{"payload", 1}}).status, 202);

    // A client (no admin rights exist for clients) asks for 300 random queues, 50 at a time
    // (unanswered consumes count against the 100 queues a connection may consume).
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("curious")))).isEmpty());
    QStringList random;
    for (int i = 0; i < 300; ++i) {
        random << QStringLiteral("rnd_%1").arg(QRandomGenerator::global()->generate64(), 0, 36);
        client.send({{"type", "consume"}, {"queue", random.last()}, {"id", i}});
        if (i % 50 != 49)
            continue;
        for (int k = i - 49; k <= i; ++k) {
            const QJsonObject error = client.waitFor(QStringLiteral("error"));
            QCOMPARE(error.value("code").toString(), QStringLiteral("unknown_queue"));
            QCOMPARE(error.value("id").toInt(), k);
            QCOMPARE(error.value("queue").toString(), random.at(k));
        }
    }
    QCOMPARE(client.count(QStringLiteral("consuming")), 0);
    // Cancelling one of them: it was never consumed.
    client.send({{"type", "cancel"}, {"queue", random.first()}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("not_consuming"));

    // An existing queue works for the same client, and so does waiting for a pattern match.
    client.send({{"type", "consume"}, {"queue", "orders"}});
    QCOMPARE(client.waitFor(QStringLiteral("consuming")).value("queue").toString(), QStringLiteral("orders"));
    QCOMPARE(client.waitFor(QStringLiteral("job")).value("data").toInt(), 1);
    client.send({{"type", "consume"}, {"queue", "booking_42"}, {"id", "b"}});
    QCOMPARE(client.waitFor(QStringLiteral("consuming")).value("id").toString(), QStringLiteral("b"));
    QCOMPARE(enqueue(ts, QStringLiteral("booking_42"), QJsonObject{{"payload", 42}}).status, 202);
    QCOMPARE(client.waitFor(QStringLiteral("job")).value("queue").toString(), QStringLiteral("booking_42"));

    const QStringList listed = publicQueueNames(ts);
    QVERIFY2(listed.contains(QStringLiteral("orders")) && listed.contains(QStringLiteral("booking_42")), qPrintable(listed.join(',')));
    QCOMPARE(listed.size(), 2);
    for (const QString &name : std::as_const(random))
        QVERIFY(!ts.server().queues()->hasQueue(name));
    // Nothing of the refused consumes reached the store either.
    QCOMPARE(storedQueueNames(ts), QStringList{QStringLiteral("orders")});
    QCOMPARE(http("GET", ts.httpUrl(QStringLiteral("/health"))).status, 200);

    // Waiting consumers are bounded per connection too: 100 queues, then too_many_queues.
    WsClient greedy;
    QVERIFY(!greedy.connectAndWelcome(ts.wsUrl(token(QStringLiteral("greedy")))).isEmpty());
    for (int i = 0; i < 100; ++i)
        greedy.send({{"type", "consume"}, {"queue", QStringLiteral("booking_w%1").arg(i)}});
    for (int i = 0; i < 100; ++i)
        QVERIFY(!greedy.waitFor(QStringLiteral("consuming")).isEmpty());
    greedy.send({{"type", "consume"}, {"queue", "booking_w100"}});
    QCOMPARE(greedy.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("too_many_queues"));
    greedy.send({{"type", "consume"}, {"queue", "booking_w0"}, {"prefetch", 2}}); // one it has: fine
    QCOMPARE(greedy.waitFor(QStringLiteral("consuming")).value("prefetch").toInt(), 2);
}

void TestQueues::cancelIsAnsweredAfterItsConsume()
{
    // "consuming" comes from the queue thread (it decides whether the queue exists); a cancel
    // sent right behind the consume must not be answered ahead of it.
    ServerConfig config = testConfig();
    config.rateLimit = 10000;
    TestServer ts(config);
    QVERIFY(ts.start());
    QCOMPARE(enqueue(ts, QStringLiteral("orders"), QJsonObject{{"payload", 1}}).status, 202);
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("worker")))).isEmpty());
    for (int round = 0; round < 20; ++round) {
        client.send({{"type", "consume"}, {"queue", "orders"}, {"id", round}});
        client.send({{"type", "cancel"}, {"queue", "orders"}, {"id", round}});
        QTRY_COMPARE(client.count(QStringLiteral("cancelled")), 1);
        QStringList answers;
        for (const QJsonObject &m : client.unread()) {
            const QString type = m.value("type").toString();
            if (type == QLatin1String("consuming") || type == QLatin1String("cancelled") || type == QLatin1String("error"))
                answers << type;
        }
        QCOMPARE(answers, (QStringList{QStringLiteral("consuming"), QStringLiteral("cancelled")}));
        QVERIFY(!client.waitFor(QStringLiteral("consuming"), 0).isEmpty());
        QVERIFY(!client.waitFor(QStringLiteral("cancelled"), 0).isEmpty());
        while (!client.waitFor(QStringLiteral("job"), 0).isEmpty()) {
        }
    }
}

void TestQueues::idleEmptyQueuesAreRemoved()
{
    ServerConfig config = testConfig();
    config.clientQueues = {QStringLiteral("wait_*")};
    config.queueIdleTtlMs = 300;
    TestServer ts(config);
    QVERIFY(ts.start());
    QCOMPARE(enqueue(ts, QStringLiteral("temp"), QJsonObject{{"payload", 1}}).status, 202);
    QCOMPARE(enqueue(ts, QStringLiteral("keep"), QJsonObject{{"payload", 2}}).status, 202);
    QCOMPARE(storedQueueNames(ts), (QStringList{QStringLiteral("keep"), QStringLiteral("temp")}));

    // "temp" is drained and its consumer leaves; "wait_1" has a consumer and no message;
    // "keep" still holds a message.
    auto worker = consumer(ts, QStringLiteral("temp"));
    QVERIFY(worker);
    worker->send({{"type", "ack"}, {"id", worker->waitFor(QStringLiteral("job")).value("id")}});
    worker->send({{"type", "cancel"}, {"queue", "temp"}});
    QVERIFY(!worker->waitFor(QStringLiteral("cancelled")).isEmpty());
    auto waiting = consumer(ts, QStringLiteral("wait_1"));
    QVERIFY(waiting);

    QTRY_VERIFY_WITH_TIMEOUT(!publicQueueNames(ts).contains(QStringLiteral("temp")), 5000);
    QCOMPARE(publicQueueNames(ts), (QStringList{QStringLiteral("keep"), QStringLiteral("wait_1")}));
    QCOMPARE(storedQueueNames(ts), QStringList{QStringLiteral("keep")});
    QVERIFY(!ts.server().queues()->hasQueue(QStringLiteral("temp")));

    // Gone for clients too: "temp" is no longer an existing queue.
    worker->send({{"type", "consume"}, {"queue", "temp"}});
    QCOMPARE(worker->waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("unknown_queue"));

    // The waiting consumer leaves: its queue, never used, goes as well.
    waiting.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!publicQueueNames(ts).contains(QStringLiteral("wait_1")), 5000);
    QCOMPARE(publicQueueNames(ts), QStringList{QStringLiteral("keep")});
}

QTEST_MAIN(TestQueues)
#include "tst_queues.moc"
