// Client-chosen keys against the real binary (issue 12, findings 6 and 7): event names that
// are huge or endlessly distinct, and consumes of made-up queue names, are refused or folded
// into "other"; the server's memory and its public routes stay small.
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include "child.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

// Memory the abuse below may leave behind, in KiB. Before the limits, the event names alone
// kept 2 bytes per character of every name: 300 names of 256 KiB, about 150 MiB (more with
// the Socket.IO recovery log's copies).
constexpr qint64 kRssGrowthBoundKiB = 40 * 1024;

const QList<QPair<QByteArray, QByteArray>> kAdmin = {{"x-internal-key", kInternalKey}, {"content-type", "application/json"}};

QStringList childArgs(const QString &dataDir, const QStringList &extra = {})
{
    return QStringList{QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--data-dir"), dataDir,
                       QStringLiteral("--jwt-secret"), QString::fromLatin1(kSecret),
                       QStringLiteral("--internal-key"), QString::fromLatin1(kInternalKey),
                       QStringLiteral("--rate-limit"), QStringLiteral("100000")}
        + extra;
}

} // namespace

class TestClientKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventNames();
    void queueNames();
};

void TestClientKeys::eventNames()
{
    QTemporaryDir dir;
    Child child(childArgs(dir.path()));
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    auto url = [port](const QString &path) { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)); };
    auto emitToLobby = [&](const QString &event) {
        return http("POST", url(QStringLiteral("/api/v1/internal/emit")),
                    QJsonDocument(QJsonObject{{"event", event}, {"room", "lobby"}}).toJson(QJsonDocument::Compact), kAdmin);
    };

    WsClient abuser;
    QVERIFY(!abuser.connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2")
                                                .arg(port).arg(QString::fromLatin1(token(QStringLiteral("abuser"), {}, {QStringLiteral("lobby")})))))
                 .isEmpty());
    QCOMPARE(emitToLobby(QStringLiteral("warm-up")).status, 200);
    QCOMPARE(abuser.waitFor(QStringLiteral("warm-up")).value("room").toString(), QStringLiteral("lobby"));
    const qint64 before = child.rssKiB();
    QVERIFY(before > 0);

    // 200 distinct 256 KiB names over HTTP and 100 from the client itself: all refused.
    auto hugeName = [](int i) { return QStringLiteral("%1-").arg(i) + QString(256 * 1024, QLatin1Char('a' + i % 26)); };
    for (int i = 0; i < 200; ++i) {
        const HttpReply reply = emitToLobby(hugeName(i));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("code").toString(), QStringLiteral("invalid_event"));
    }
    for (int i = 200; i < 300; ++i)
        abuser.send({{"type", "emit"}, {"room", "lobby"}, {"event", hugeName(i)}, {"id", i}});
    for (int i = 200; i < 300; ++i) {
        const QJsonObject error = abuser.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_event"));
        QCOMPARE(error.value("id").toInt(), i);
    }
    QVERIFY(!abuser.isClosed());

    // At the limit a name is fine; beyond 256 distinct names the rest count as "other".
    const int distinct = 400;
    for (int i = 0; i < distinct; ++i) {
        const QString name = QStringLiteral("%1:").arg(i, 4, 10, QLatin1Char('0')) + QString(123, 'n');
        QCOMPARE(name.toUtf8().size(), 128);
        QCOMPARE(emitToLobby(name).status, 200);
    }
    const HttpReply stats = http("GET", url(QStringLiteral("/api/events/stats")));
    QCOMPARE(stats.status, 200);
    QVERIFY2(stats.body.size() < 64 * 1024, QByteArray::number(stats.body.size()).constData());
    const QJsonObject events = stats.json().value("events").toObject();
    QCOMPARE(events.size(), 257); // 256 names (warm-up among them) + "other"
    QCOMPARE(events.value("other").toInt(), distinct + 1 - 256);
    QCOMPARE(stats.json().value("total").toInt(), distinct + 1);

    const HttpReply prometheus = http("GET", url(QStringLiteral("/metrics")));
    QCOMPARE(prometheus.status, 200);
    QVERIFY2(prometheus.body.size() < 128 * 1024, QByteArray::number(prometheus.body.size()).constData());
    QVERIFY(prometheus.body.contains("switchboard_events_total{event=\"other\"} 145\n"));
    const HttpReply metrics = http("GET", url(QStringLiteral("/api/metrics")));
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.size() < 128 * 1024, QByteArray::number(metrics.body.size()).constData());

    const qint64 growth = child.rssKiB() - before;
    qInfo() << "RSS growth after the event-name abuse:" << growth << "KiB (bound" << kRssGrowthBoundKiB << "KiB)";
    QVERIFY2(growth < kRssGrowthBoundKiB, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
    QCOMPARE(http("GET", url(QStringLiteral("/health"))).status, 200);
}

void TestClientKeys::queueNames()
{
    QTemporaryDir dir;
    Child child(childArgs(dir.path(), {QStringLiteral("--client-queues"), QStringLiteral("booking_*")}));
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    auto url = [port](const QString &path) { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)); };

    WsClient client;
    QVERIFY(!client.connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2")
                                               .arg(port).arg(QString::fromLatin1(token(QStringLiteral("curious"))))))
                 .isEmpty());
    const qint64 before = child.rssKiB();
    // In rounds of 100: unanswered consumes count against the 100 queues a connection may consume.
    for (int round = 0; round < 30; ++round) {
        for (int i = 0; i < 100; ++i)
            client.send({{"type", "consume"}, {"queue", QStringLiteral("q%1_").arg(round * 100 + i) + QString(100, 'q')}});
        for (int i = 0; i < 100; ++i)
            QCOMPARE(client.waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("unknown_queue"));
    }
    // Positive control: a name --client-queues allows is consumed.
    client.send({{"type", "consume"}, {"queue", "booking_1"}});
    QCOMPARE(client.waitFor(QStringLiteral("consuming")).value("queue").toString(), QStringLiteral("booking_1"));

    const HttpReply stats = http("GET", url(QStringLiteral("/api/queue/stats")));
    QCOMPARE(stats.status, 200);
    const QJsonArray queues = stats.json().value("queues").toArray();
    QCOMPARE(queues.size(), 1);
    QCOMPARE(queues.first().toObject().value("name").toString(), QStringLiteral("booking_1"));
    const qint64 growth = child.rssKiB() - before;
    qInfo() << "RSS growth after 3000 refused consumes:" << growth << "KiB";
    QVERIFY2(growth < 16 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
    QCOMPARE(http("GET", url(QStringLiteral("/health"))).status, 200);
}

QTEST_GUILESS_MAIN(TestClientKeys)
#include "tst_clientkeys.moc"
