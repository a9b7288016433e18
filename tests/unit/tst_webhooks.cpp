#include <QtCore/QThread>
#include <QtTest/QTest>

#include "hooks/webhooks.h"
#include "rooms/registry.h"

using namespace Switchboard;

/**
 * @brief The lifecycle webhooks' queue (no network: the sender is not started): bounded in
 * events and in bytes, drops counted, nothing lost or double-counted under concurrent writers.
 */
class tst_Webhooks final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bounds_data();
    void bounds();
    void filteredTypesAreNotQueued();
    void concurrentWriters();

private:
    static quint64 value(const Webhooks &w, const QByteArray &name);
};

quint64 tst_Webhooks::value(const Webhooks &w, const QByteArray &name)
{
    for (const QByteArray &line : w.prometheusText().split('\n')) {
        if (line.startsWith(name + ' '))
            return line.mid(name.size() + 1).toULongLong();
    }
    qFatal("%s not in the metrics", name.constData());
}

static WebhookSettings settings(int queueMax, qint64 queueMaxBytes)
{
    WebhookSettings s;
    s.url = QUrl(QStringLiteral("http://127.0.0.1:9/events"));
    s.queueMax = queueMax;
    s.queueMaxBytes = queueMaxBytes;
    return s;
}

void tst_Webhooks::bounds_data()
{
    QTest::addColumn<int>("queueMax");
    QTest::addColumn<qint64>("queueMaxBytes");
    QTest::addColumn<int>("roomBytes");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("kept");
    QTest::addRow("under both") << 10 << qint64(1 << 20) << 10 << 10 << 10;
    QTest::addRow("count bound") << 5 << qint64(1 << 20) << 10 << 12 << 5;
    // Each join is ~150 bytes of JSON plus the room: 4 KiB holds 3 with 1000-byte rooms.
    QTest::addRow("byte bound") << 1000 << qint64(4096) << 1000 << 10 << 3;
}

void tst_Webhooks::bounds()
{
    QFETCH(int, queueMax);
    QFETCH(qint64, queueMaxBytes);
    QFETCH(int, roomBytes);
    QFETCH(int, events);
    QFETCH(int, kept);
    Webhooks w(settings(queueMax, queueMaxBytes), "0123456789abcdef");
    ConnectionInfo info;
    info.id = 7;
    info.userId = QStringLiteral("u7");
    for (int i = 0; i < events; ++i)
        w.joined(info, QString(roomBytes, QLatin1Char('r')));
    QCOMPARE(value(w, "switchboard_webhook_queue_depth"), quint64(kept));
    QCOMPARE(value(w, "switchboard_webhook_dropped_total{reason=\"queue_full\"}"), quint64(events - kept));
    QVERIFY(qint64(value(w, "switchboard_webhook_queue_bytes")) <= queueMaxBytes);
    QVERIFY(value(w, "switchboard_webhook_queue_bytes") > quint64(kept) * quint64(roomBytes));
}

void tst_Webhooks::filteredTypesAreNotQueued()
{
    WebhookSettings s = settings(100, 1 << 20);
    s.events = Webhooks::Disconnect | Webhooks::DeadLetter;
    Webhooks w(s, "0123456789abcdef");
    ConnectionInfo info;
    info.id = 1;
    w.connected(info, {});
    w.joined(info, QStringLiteral("a"));
    w.left(info, QStringLiteral("a"));
    QCOMPARE(value(w, "switchboard_webhook_queue_depth"), quint64(0));
    w.disconnected(info, 1000, QStringLiteral("bye"));
    w.deadLetter(QStringLiteral("q"), 3, 5, QStringLiteral("boom"));
    QCOMPARE(value(w, "switchboard_webhook_queue_depth"), quint64(2));
}

void tst_Webhooks::concurrentWriters()
{
    constexpr int kThreads = 4;
    constexpr int kEach = 5000;
    Webhooks w(settings(3000, 1 << 30), "0123456789abcdef");
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&w, t] {
            ConnectionInfo info;
            info.id = quint64(t);
            for (int i = 0; i < kEach; ++i)
                w.joined(info, QStringLiteral("room"));
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(30000));
    QCOMPARE(value(w, "switchboard_webhook_queue_depth"), quint64(3000));
    QCOMPARE(value(w, "switchboard_webhook_dropped_total{reason=\"queue_full\"}"), quint64(kThreads * kEach - 3000));
}

QTEST_GUILESS_MAIN(tst_Webhooks)
#include "tst_webhooks.moc"
