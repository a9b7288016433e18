// No blocking work on I/O threads: while another process holds the write lock of queues.db or
// switchboard.db (SQLite then waits up to 5 s), the sockets of the one I/O thread
// (--threads 1) keep being served; the HTTP answers that need the database come after it is
// free again, in order on their connection, and only after the commit.
#include <QtCore/QJsonArray>
#include <QtNetwork/QTcpSocket>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

#include "http/httpfront.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

ServerConfig oneThread()
{
    ServerConfig config = testConfig();
    config.threads = 1; // every socket shares the one I/O thread
    return config;
}

/// Holds the write lock of an SQLite file, as another process would (BEGIN EXCLUSIVE).
class DatabaseLock final
{
public:
    explicit DatabaseLock(const QString &path)
        : m_name(QStringLiteral("tst-dbstall-lock-%1").arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        QSqlQuery q(db);
        m_locked = db.open() && q.exec(QStringLiteral("BEGIN EXCLUSIVE"));
        if (!m_locked)
            qWarning() << "cannot lock" << path << db.lastError().text() << q.lastError().text();
    }
    ~DatabaseLock() { release(); }
    Q_DISABLE_COPY_MOVE(DatabaseLock)

    bool isLocked() const { return m_locked; }
    void release()
    {
        if (m_name.isEmpty())
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
        m_name.clear();
        m_locked = false;
    }

private:
    static inline int s_count = 0;
    QString m_name;
    bool m_locked = false;
};

/// A started server whose queue database the test holds locked (every enqueue waits).
struct StalledQueues
{
    explicit StalledQueues(const ServerConfig &config = oneThread())
        : ts(config), started(ts.start()), lock(ts.dataDir() + QStringLiteral("/queues.db"))
    {
    }
    bool ready() const { return started && lock.isLocked(); }

    TestServer ts;
    bool started;
    DatabaseLock lock;
};

/// An HTTP/1.1 client on a raw socket: requests go out at once (pipelined if several),
/// answers are collected in the order they arrive.
class RawHttp final
{
public:
    struct Answer { int status = 0; QByteArray body; QJsonObject json() const { return QJsonDocument::fromJson(body).object(); } };

    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_buffer += m_socket.readAll(); parse(); });
        return m_socket.waitForConnected(5000);
    }
    static QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {})
    {
        return method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-internal-key: " + kInternalKey
            + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    void send(const QByteArray &bytes) { m_socket.write(bytes); m_socket.flush(); }
    const QList<Answer> &answers() const { return m_answers; }
    QTcpSocket &socket() { return m_socket; }

private:
    void parse()
    {
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = m_buffer.left(end);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (m_buffer.size() < end + 4 + length)
                return;
            m_answers.append({head.split(' ').value(1).toInt(), m_buffer.mid(end + 4, length)});
            m_buffer.remove(0, end + 4 + length);
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Answer> m_answers;
};

QByteArray enqueueBody(int n)
{
    return QJsonDocument(QJsonObject{{"payload", QJsonObject{{"n", n}}}}).toJson(QJsonDocument::Compact);
}

qint64 readyOf(TestServer &ts, const QString &queue)
{
    for (const QueueStats &s : ts.server().queues()->stats()) {
        if (s.name == queue)
            return s.ready;
    }
    return 0;
}

quint64 httpRequests(TestServer &ts)
{
    return ts.server().metrics().httpRequests.load();
}

} // namespace

class TestDbStall : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void enqueueOnLockedQueueDatabaseDoesNotStallSockets();
    void persistOnLockedOfflineDatabaseDoesNotStallConnects();
    void pipelinedRequestsAreAnsweredInOrderBehindADeferredOne();
    void deferredAnswerForAGoneClientIsDropped();
    void requestsBehindADeferredOneAreNotRead();
    void anEngineIoRequestBehindADeferredOneIsServedAfterIt();
    void idleTimeoutSparesAConnectionWaitingForItsAnswer();
};

void TestDbStall::enqueueOnLockedQueueDatabaseDoesNotStallSockets()
{
    TestServer ts(oneThread());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("1")))).isEmpty());

    DatabaseLock lock(ts.dataDir() + QStringLiteral("/queues.db"));
    QVERIFY(lock.isLocked());
    RawHttp producer;
    QVERIFY(producer.connectTo(ts.port()));
    const quint64 before = httpRequests(ts);
    producer.send(RawHttp::request("POST", "/api/queues/stall/messages", enqueueBody(1)));
    // The request is in the server's hands: an I/O thread that waited for the commit would be
    // stuck from here until the lock goes (up to SQLite's 5 s busy timeout).
    QTRY_COMPARE(httpRequests(ts), before + 1);

    client.send({{"type", "ping"}});
    QVERIFY2(client.receives(QStringLiteral("pong"), 3000), "the I/O thread was blocked by the database");
    QVERIFY(producer.answers().isEmpty()); // not committed, so not acknowledged either
    QCOMPARE(readyOf(ts, QStringLiteral("stall")), 0);

    lock.release();
    QTRY_COMPARE(producer.answers().size(), 1);
    QCOMPARE(producer.answers().constFirst().status, 202);
    // The 202 came after the commit: the message is there, and in the file.
    QTRY_COMPARE(readyOf(ts, QStringLiteral("stall")), 1);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst-dbstall-read"));
        db.setDatabaseName(ts.dataDir() + QStringLiteral("/queues.db"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM queue_messages")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst-dbstall-read"));
}

void TestDbStall::persistOnLockedOfflineDatabaseDoesNotStallConnects()
{
    TestServer ts(oneThread());
    QVERIFY(ts.start());
    const HttpReply kept = adminPost(ts.httpUrl(QStringLiteral("/api/v1/internal/emit")),
                                     {{"event", "kept"}, {"userId", "7"}, {"persist", true}});
    QCOMPARE(kept.status, 200);
    QCOMPARE(kept.json().value("persisted").toBool(), true);

    DatabaseLock lock(ts.dataDir() + QStringLiteral("/switchboard.db"));
    QVERIFY(lock.isLocked());
    RawHttp emitter;
    QVERIFY(emitter.connectTo(ts.port()));
    const quint64 before = httpRequests(ts);
    emitter.send(RawHttp::request("POST", "/api/v1/internal/emit",
                                  QJsonDocument(QJsonObject{{"event", "later"}, {"userId", "8"}, {"persist", true}}).toJson()));
    QTRY_COMPARE(httpRequests(ts), before + 1);

    // User 7 connects while the store waits for the lock: welcomed and answered at once; its
    // stored event follows once the store can read again.
    WsClient client;
    QVERIFY2(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("7"))), 3000).isEmpty(),
             "the connect was stalled by the database");
    client.send({{"type", "ping"}});
    QVERIFY(client.receives(QStringLiteral("pong"), 3000));
    QVERIFY(emitter.answers().isEmpty()); // "persisted": true only once it is

    lock.release();
    QTRY_COMPARE(emitter.answers().size(), 1);
    QCOMPARE(emitter.answers().constFirst().status, 200);
    QCOMPARE(emitter.answers().constFirst().json().value("persisted").toBool(), true);
    QCOMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("8")), 1);
    const QJsonObject event = client.waitFor(QStringLiteral("kept"));
    QCOMPARE(event.value("id").toString(), kept.json().value("id").toString());
    client.send({{"type", "ack"}, {"id", event.value("id")}});
    QTRY_COMPARE(ts.server().offlineStore().pendingCount(QStringLiteral("7")), 0);
}

void TestDbStall::pipelinedRequestsAreAnsweredInOrderBehindADeferredOne()
{
    StalledQueues stalled;
    QVERIFY(stalled.ready());
    TestServer &ts = stalled.ts;
    DatabaseLock &lock = stalled.lock;
    RawHttp client;
    QVERIFY(client.connectTo(ts.port()));
    const quint64 before = httpRequests(ts);
    // A deferred enqueue, an immediate /health, another enqueue: one write, answered in order.
    client.send(RawHttp::request("POST", "/api/queues/ordered/messages", enqueueBody(1))
                + RawHttp::request("GET", "/health")
                + RawHttp::request("POST", "/api/queues/ordered/messages", enqueueBody(2)));
    QTRY_COMPARE(httpRequests(ts), before + 1); // what came behind is read once it is answered
    lock.release();
    QTRY_COMPARE(client.answers().size(), 3);
    QCOMPARE(client.answers().at(0).status, 202);
    QCOMPARE(client.answers().at(1).status, 200);
    QCOMPARE(client.answers().at(1).json().value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(client.answers().at(2).status, 202);
    QVERIFY(client.answers().at(0).json().value("id").toString().toLongLong()
            < client.answers().at(2).json().value("id").toString().toLongLong());
    // The connection is still usable afterwards.
    client.send(RawHttp::request("GET", "/health"));
    QTRY_COMPARE(client.answers().size(), 4);
    QCOMPARE(client.answers().at(3).status, 200);
}

void TestDbStall::deferredAnswerForAGoneClientIsDropped()
{
    StalledQueues stalled;
    QVERIFY(stalled.ready());
    TestServer &ts = stalled.ts;
    DatabaseLock &lock = stalled.lock;
    {
        RawHttp gone;
        QVERIFY(gone.connectTo(ts.port()));
        const quint64 before = httpRequests(ts);
        gone.send(RawHttp::request("POST", "/api/queues/gone/messages", enqueueBody(1)));
        QTRY_COMPARE(httpRequests(ts), before + 1);
        gone.socket().abort();
    }
    lock.release();
    // Still committed (it was accepted), and the server goes on serving.
    QTRY_COMPARE(readyOf(ts, QStringLiteral("gone")), 1);
    const HttpReply health = http("GET", ts.httpUrl(QStringLiteral("/health")));
    QCOMPARE(health.status, 200);
}

void TestDbStall::requestsBehindADeferredOneAreNotRead()
{
    // A client that pipelines many requests behind one that waits for the database costs
    // the server nothing: they stay unread (in the kernel's buffers) until the answer ahead
    // is written, then they are served in order.
    StalledQueues stalled;
    QVERIFY(stalled.ready());
    TestServer &ts = stalled.ts;
    DatabaseLock &lock = stalled.lock;
    constexpr int behind = 200;
    RawHttp greedy;
    QVERIFY(greedy.connectTo(ts.port()));
    QByteArray requests = RawHttp::request("POST", "/api/queues/capped/messages", enqueueBody(1));
    for (int i = 0; i < behind; ++i)
        requests += RawHttp::request("GET", "/health");
    const quint64 before = httpRequests(ts);
    greedy.send(requests);
    QTRY_COMPARE(httpRequests(ts), before + 1);
    // Another connection is served meanwhile; by then the greedy one's requests would have
    // been counted had they been read.
    RawHttp other;
    QVERIFY(other.connectTo(ts.port()));
    other.send(RawHttp::request("GET", "/health"));
    QTRY_COMPARE(other.answers().size(), 1);
    QCOMPARE(httpRequests(ts), before + 2);
    QVERIFY(greedy.answers().isEmpty());
    lock.release();
    QTRY_COMPARE(greedy.answers().size(), behind + 1);
    QCOMPARE(greedy.answers().constFirst().status, 202);
    for (int i = 1; i <= behind; ++i)
        QCOMPARE(greedy.answers().at(i).status, 200);
    QCOMPARE(greedy.socket().state(), QAbstractSocket::ConnectedState);
}

void TestDbStall::anEngineIoRequestBehindADeferredOneIsServedAfterIt()
{
    // Nothing behind a deferred answer is read before it is written, so an Engine.IO request
    // (which is answered by its session, not by a route) keeps its place in line too.
    StalledQueues stalled;
    QVERIFY(stalled.ready());
    TestServer &ts = stalled.ts;
    DatabaseLock &lock = stalled.lock;
    RawHttp client;
    QVERIFY(client.connectTo(ts.port()));
    const quint64 before = httpRequests(ts);
    client.send(RawHttp::request("POST", "/api/queues/ordered/messages", enqueueBody(1))
                + RawHttp::request("GET", "/socket.io/?EIO=4&transport=polling")
                + RawHttp::request("GET", "/health"));
    QTRY_COMPARE(httpRequests(ts), before + 1);
    lock.release();
    QTRY_COMPARE(client.answers().size(), 3);
    QCOMPARE(client.answers().at(0).status, 202);
    QCOMPARE(client.answers().at(1).status, 200);
    QVERIFY2(client.answers().at(1).body.startsWith("0{"), client.answers().at(1).body.constData()); // the open packet
    QCOMPARE(client.answers().at(2).status, 200);
    QCOMPARE(client.answers().at(2).json().value("status").toString(), QStringLiteral("ok"));
}

void TestDbStall::idleTimeoutSparesAConnectionWaitingForItsAnswer()
{
    ServerConfig config = oneThread();
    config.httpIdleTimeoutMs = 200;
    StalledQueues stalled(config);
    QVERIFY(stalled.ready());
    TestServer &ts = stalled.ts;
    DatabaseLock &lock = stalled.lock;
    // Control: an idle kept-alive connection is closed after the timeout ...
    RawHttp idle;
    QVERIFY(idle.connectTo(ts.port()));
    idle.send(RawHttp::request("GET", "/health"));
    QTRY_COMPARE(idle.answers().size(), 1);
    // ... while one whose enqueue waits for the locked database stays and gets its 202.
    RawHttp waiting;
    QVERIFY(waiting.connectTo(ts.port()));
    waiting.send(RawHttp::request("POST", "/api/queues/slow/messages", enqueueBody(1)));
    QTRY_COMPARE(idle.socket().state(), QAbstractSocket::UnconnectedState);
    QTRY_VERIFY(ts.server().metrics().httpRequests.load() >= 2);
    // Four more timeouts pass with the answer still pending (the idle control above proves
    // the timeout runs); then the lock goes and the answer arrives on the same connection.
    QTest::qWait(4 * config.httpIdleTimeoutMs); // the passing of time is what is tested
    QCOMPARE(waiting.socket().state(), QAbstractSocket::ConnectedState);
    lock.release();
    QTRY_COMPARE(waiting.answers().size(), 1);
    QCOMPARE(waiting.answers().at(0).status, 202);
}

QTEST_MAIN(TestDbStall)
#include "tst_dbstall.moc"
