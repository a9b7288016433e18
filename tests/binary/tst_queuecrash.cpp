// Crash safety of the durable queues with the real binary: HTTP producers enqueue while the
// process is killed with SIGKILL at a random point; after a restart on the same data dir every
// message that got a 202 is still there exactly once (ready, or in flight -> ready). Messages
// whose request got no 202 may or may not be there. Several rounds, then everything is
// consumed over WebSocket and checked against what was acknowledged.
#include <csignal>

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QtTest>

#include "child.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

constexpr char kKey[] = "crash-key";
constexpr char kJwt[] = "crash-secret";
constexpr int kInFlight = 16; // concurrent requests, so the kill lands mid-request

QStringList serverArgs(const QString &dataDir)
{
    return {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), dataDir,
            QStringLiteral("--internal-key"), QString::fromLatin1(kKey), QStringLiteral("--jwt-secret"), QString::fromLatin1(kJwt),
            QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--queue-visibility-timeout"), QStringLiteral("600000"),
            QStringLiteral("--queue-max-attempts"), QStringLiteral("100"),
            // The holder consumes before the first round's first message.
            QStringLiteral("--client-queues"), QStringLiteral("crash_queue")};
}

/// Enqueues {"n": next} messages with kInFlight requests outstanding until @p killAfter of
/// them got a 202, then SIGKILLs @p child while the rest are still on the wire.
class Producer final : public QObject
{
public:
    Producer(quint16 port, int firstN, int killAfter, qint64 pid, QHash<int, QString> *acknowledged)
        : m_port(port), m_next(firstN), m_killAfter(killAfter), m_pid(pid), m_acknowledged(acknowledged)
    {
    }

    /// Runs until the kill and until every outstanding request has finished (mostly failed).
    void run()
    {
        for (int i = 0; i < kInFlight; ++i)
            send();
        QTRY_VERIFY_WITH_TIMEOUT(m_killed && m_outstanding == 0, 60000);
    }
    int accepted() const { return m_accepted; }
    int failed() const { return m_failed; }
    int next() const { return m_next; }

private:
    void send()
    {
        if (m_killed)
            return;
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/queues/crash_queue/messages").arg(m_port)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("x-internal-key", kKey);
        const int n = m_next++;
        QNetworkReply *reply = m_nam.post(request, QJsonDocument(QJsonObject{{"payload", QJsonObject{{"n", n}}}}).toJson(QJsonDocument::Compact));
        ++m_outstanding;
        connect(reply, &QNetworkReply::finished, this, [this, reply, n] {
            reply->deleteLater();
            --m_outstanding;
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 202) {
                const QString id = QJsonDocument::fromJson(reply->readAll()).object().value("id").toString();
                m_acknowledged->insert(n, id);
                if (++m_accepted == m_killAfter) {
                    ::kill(pid_t(m_pid), SIGKILL);
                    m_killed = true;
                }
            } else {
                ++m_failed;
            }
            send();
        });
    }

    QNetworkAccessManager m_nam;
    quint16 m_port;
    int m_next;
    int m_killAfter;
    qint64 m_pid;
    QHash<int, QString> *m_acknowledged;
    int m_outstanding = 0;
    int m_accepted = 0;
    int m_failed = 0;
    bool m_killed = false;
};

qint64 depthOf(quint16 port)
{
    const HttpReply stats = http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/api/queue/stats").arg(port)));
    return stats.json().value("totals").toObject().value("depth").toInteger();
}

} // namespace

class TestQueueCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedMessagesSurviveSigkill();
};

void TestQueueCrash::acknowledgedMessagesSurviveSigkill()
{
    QTemporaryDir dir;
    QHash<int, QString> acknowledged; // payload n -> id from the 202
    int next = 0;
    const int rounds = 4;
    for (int round = 0; round < rounds; ++round) {
        Child child(serverArgs(dir.path()), Child::cleanEnvironment());
        const quint16 port = child.waitForPort();
        QVERIFY(port != 0);
        // Everything acknowledged in earlier rounds survived the earlier kills.
        QVERIFY2(depthOf(port) >= acknowledged.size(),
                 qPrintable(QStringLiteral("round %1: depth %2 < %3 acknowledged").arg(round).arg(depthOf(port)).arg(acknowledged.size())));
        // A consumer holds some jobs in flight when the kill comes: they must come back as ready.
        WsClient holder;
        QVERIFY(!holder.connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port)
                                                   .arg(QString::fromLatin1(token(QStringLiteral("holder"), {}, {}, {}, kJwt))))).isEmpty());
        holder.send({{"type", "consume"}, {"queue", "crash_queue"}, {"prefetch", 50}});
        QVERIFY(!holder.waitFor(QStringLiteral("consuming")).isEmpty());

        const int killAfter = QRandomGenerator::global()->bounded(200, 1200);
        Producer producer(port, next, killAfter, child.pid(), &acknowledged);
        producer.run();
        next = producer.next();
        QVERIFY(child.waitExited());
        QCOMPARE(child.process().exitStatus(), QProcess::CrashExit);
        // Replies already on their way when the kill landed still count: they were committed.
        QVERIFY(producer.accepted() >= killAfter);
        qInfo("round %d: %d acknowledged, %d not, killed after %d", round, producer.accepted(), producer.failed(), killAfter);
    }

    // Restart once more and take everything out.
    Child child(serverArgs(dir.path()), Child::cleanEnvironment());
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    const qint64 depth = depthOf(port);
    QVERIFY(depth >= acknowledged.size());
    QVERIFY(depth <= next); // nothing appeared that was never sent
    WsClient worker;
    QVERIFY(!worker.connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port)
                                               .arg(QString::fromLatin1(token(QStringLiteral("worker"), {}, {}, {}, kJwt))))).isEmpty());
    worker.send({{"type", "consume"}, {"queue", "crash_queue"}, {"prefetch", 500}});
    QVERIFY(!worker.waitFor(QStringLiteral("consuming")).isEmpty());
    QHash<int, QString> received; // n -> id
    for (qint64 i = 0; i < depth; ++i) {
        const QJsonObject job = worker.waitFor(QStringLiteral("job"), 10000);
        QVERIFY2(!job.isEmpty(), qPrintable(QStringLiteral("only %1 of %2 jobs arrived").arg(i).arg(depth)));
        const int n = job.value("data").toObject().value("n").toInt(-1);
        QVERIFY2(!received.contains(n), qPrintable(QStringLiteral("message n=%1 is in the queue twice").arg(n)));
        received.insert(n, job.value("id").toString());
        worker.send({{"type", "ack"}, {"id", job.value("id")}});
    }
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
        QVERIFY2(received.contains(it.key()), qPrintable(QStringLiteral("acknowledged message n=%1 (id %2) was lost").arg(it.key()).arg(it.value())));
        QCOMPARE(received.value(it.key()), it.value());
    }
    QTRY_COMPARE(depthOf(port), qint64(0));
}

QTEST_MAIN(TestQueueCrash)
#include "tst_queuecrash.moc"
