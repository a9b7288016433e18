// The queue engine's scheduling rules, with the time passed in: priority then FIFO, backoff
// bounds, maxAttempts -> dead letters, visibility timeout, prefetch and fair dispatch.
#include <QtTest/QtTest>

#include "core/backoff.h"
#include "queue/queueengine.h"

using namespace Switchboard;

namespace {

QueueMessage message(qint64 id, QueuePriority priority = QueuePriority::Normal, int maxAttempts = 5, qint64 availableAt = 0)
{
    QueueMessage m;
    m.id = id;
    m.queue = QStringLiteral("jobs");
    m.priority = priority;
    m.maxAttempts = maxAttempts;
    m.availableAtMs = availableAt;
    return m;
}

QueueEngine::Options options(qint64 base = 1000, qint64 cap = 300000, qint64 visibility = 30000)
{
    QueueEngine::Options o;
    o.backoffBaseMs = base;
    o.backoffCapMs = cap;
    o.visibilityTimeoutMs = visibility;
    return o;
}

QList<qint64> ids(const QList<QueueEngine::Delivery> &deliveries)
{
    QList<qint64> list;
    for (const auto &d : deliveries)
        list << d.id;
    return list;
}

const QString kJobs = QStringLiteral("jobs");

} // namespace

class TestQueueEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void priorityThenFifo();
    void backoffBounds_data();
    void backoffBounds();
    void backoffIsFullJitter();
    void nackRetriesWithBackoffThenDeadLetters();
    void visibilityTimeoutReturnsJob();
    void lateAckAfterTimeoutIsIgnored();
    void prefetchIsRespected();
    void fairDispatchAcrossConsumers();
    void consumerGoneReturnsItsJobs();
    void delayedMessagesWaitForTheirTime();
    void unsubscribeStopsNewJobsButKeepsSettling();
    void ackFromAnotherConsumerIsIgnored();
    void nextWakeCoversDelaysAndDeadlines();
    void idleQueuesAreRemoved();
    void queuePatterns_data();
    void queuePatterns();
};

void TestQueueEngine::priorityThenFifo()
{
    QueueEngine engine(options());
    engine.add(message(1, QueuePriority::Low), 0);
    engine.add(message(2, QueuePriority::Normal), 0);
    engine.add(message(3, QueuePriority::High), 0);
    engine.add(message(4, QueuePriority::Normal), 0);
    engine.add(message(5, QueuePriority::High), 0);
    engine.subscribe(7, kJobs, 100, 0);
    QCOMPARE(ids(engine.dispatch(0)), (QList<qint64>{3, 5, 2, 4, 1}));
}

void TestQueueEngine::backoffBounds_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("ceiling");
    QTest::newRow("1st") << 1 << qint64(1000);
    QTest::newRow("2nd") << 2 << qint64(2000);
    QTest::newRow("3rd") << 3 << qint64(4000);
    QTest::newRow("9th") << 9 << qint64(256000);
    QTest::newRow("10th capped") << 10 << qint64(300000);
    QTest::newRow("100th capped") << 100 << qint64(300000);
}

void TestQueueEngine::backoffBounds()
{
    QFETCH(int, failures);
    QFETCH(qint64, ceiling);
    QCOMPARE(backoffDelayMs(failures, 1000, 300000, 0.0), qint64(0));
    QCOMPARE(backoffDelayMs(failures, 1000, 300000, 0.5), ceiling / 2);
    const qint64 top = backoffDelayMs(failures, 1000, 300000, 0.999999);
    QVERIFY2(top < ceiling && top >= ceiling - 1, qPrintable(QString::number(top)));
}

void TestQueueEngine::backoffIsFullJitter()
{
    // The engine draws the delay from its random source: 0.25 of the 1st ceiling (1 s).
    QueueEngine engine(options(), [] { return 0.25; });
    engine.add(message(1), 1000);
    engine.subscribe(7, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(1000).size(), 1);
    const auto outcome = engine.settle(7, kJobs, 1, false, QStringLiteral("boom"), 2000);
    QVERIFY(outcome);
    QCOMPARE(outcome->kind, QueueEngine::Outcome::Kind::Retry);
    QCOMPARE(outcome->availableAtMs, qint64(2000 + 250));
    QCOMPARE(outcome->error, QStringLiteral("boom"));
}

void TestQueueEngine::nackRetriesWithBackoffThenDeadLetters()
{
    QueueEngine engine(options(), [] { return 0.999; });
    engine.add(message(1, QueuePriority::Normal, 3), 0);
    engine.subscribe(7, kJobs, 1, 0);
    qint64 now = 0;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const auto deliveries = engine.dispatch(now);
        QCOMPARE(deliveries.size(), 1);
        QCOMPARE(deliveries.first().attempt, attempt);
        const auto outcome = engine.settle(7, kJobs, 1, false, QStringLiteral("failed %1").arg(attempt), now);
        QVERIFY(outcome);
        if (attempt < 3) {
            QCOMPARE(outcome->kind, QueueEngine::Outcome::Kind::Retry);
            const qint64 ceiling = 1000LL << (attempt - 1);
            QVERIFY(outcome->availableAtMs > now && outcome->availableAtMs <= now + ceiling);
            // Not before its time...
            QVERIFY(engine.dispatch(outcome->availableAtMs - 1).isEmpty());
            QCOMPARE(engine.stats().first().delayed, qint64(1));
            now = outcome->availableAtMs;
        } else {
            QCOMPARE(outcome->kind, QueueEngine::Outcome::Kind::Dead);
            QCOMPARE(outcome->attempts, 3);
            QCOMPARE(outcome->error, QStringLiteral("failed 3"));
        }
    }
    const QueueStats s = engine.stats().first();
    QCOMPARE(s.dead, qint64(1));
    QCOMPARE(s.depth(), qint64(0));
    QCOMPARE(s.deadLettered, quint64(1));
    QCOMPARE(s.nacked, quint64(3));
    QVERIFY(engine.dispatch(now + 10'000'000).isEmpty());
}

void TestQueueEngine::visibilityTimeoutReturnsJob()
{
    QueueEngine engine(options(1000, 300000, 5000), [] { return 0.0; });
    engine.add(message(1), 0);
    engine.subscribe(7, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(0).size(), 1);
    QCOMPARE(engine.stats().first().inFlight, qint64(1));
    QVERIFY(engine.expire(4999).isEmpty());
    const auto outcomes = engine.expire(5000);
    QCOMPARE(outcomes.size(), 1);
    QCOMPARE(outcomes.first().kind, QueueEngine::Outcome::Kind::Retry);
    QCOMPARE(outcomes.first().error, QStringLiteral("visibility timeout"));
    // Zero jitter: ready again at once, as attempt 2, and the consumer has room again.
    const auto again = engine.dispatch(5000);
    QCOMPARE(again.size(), 1);
    QCOMPARE(again.first().attempt, 2);
}

void TestQueueEngine::lateAckAfterTimeoutIsIgnored()
{
    QueueEngine engine(options(1000, 300000, 100), [] { return 0.0; });
    engine.add(message(1), 0);
    engine.subscribe(7, kJobs, 1, 0);
    engine.subscribe(8, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(0).first().consumer, quint64(7));
    QCOMPARE(engine.expire(100).size(), 1);
    const auto redelivered = engine.dispatch(100);
    QCOMPARE(redelivered.first().consumer, quint64(8));
    QVERIFY(!engine.settle(7, kJobs, 1, true, {}, 150));     // too late
    QCOMPARE(engine.stats().first().inFlight, qint64(1));
    QVERIFY(engine.settle(8, kJobs, 1, true, {}, 150));
    QCOMPARE(engine.stats().first().depth(), qint64(0));
}

void TestQueueEngine::prefetchIsRespected()
{
    QueueEngine engine(options());
    for (qint64 id = 1; id <= 10; ++id)
        engine.add(message(id), 0);
    engine.subscribe(7, kJobs, 3, 0);
    QCOMPARE(ids(engine.dispatch(0)), (QList<qint64>{1, 2, 3}));
    QVERIFY(engine.dispatch(0).isEmpty());
    QVERIFY(engine.settle(7, kJobs, 2, true, {}, 0));
    QCOMPARE(ids(engine.dispatch(0)), (QList<qint64>{4}));
    const QueueStats s = engine.stats().first();
    QCOMPARE(s.inFlight, qint64(3));
    QCOMPARE(s.ready, qint64(6));
    QCOMPARE(s.acked, quint64(1));
}

void TestQueueEngine::fairDispatchAcrossConsumers()
{
    QueueEngine engine(options());
    for (qint64 id = 1; id <= 9; ++id)
        engine.add(message(id), 0);
    engine.subscribe(1, kJobs, 10, 0);
    engine.subscribe(2, kJobs, 10, 0);
    engine.subscribe(3, kJobs, 10, 0);
    QHash<quint64, int> perConsumer;
    for (const auto &d : engine.dispatch(0))
        ++perConsumer[d.consumer];
    QCOMPARE(perConsumer.value(1), 3);
    QCOMPARE(perConsumer.value(2), 3);
    QCOMPARE(perConsumer.value(3), 3);
}

void TestQueueEngine::consumerGoneReturnsItsJobs()
{
    QueueEngine engine(options(), [] { return 0.0; });
    engine.add(message(1), 0);
    engine.add(message(2, QueuePriority::Normal, 1), 0);
    engine.subscribe(7, kJobs, 2, 0);
    QCOMPARE(engine.dispatch(0).size(), 2);
    const auto outcomes = engine.consumerGone(7, 10);
    QCOMPARE(outcomes.size(), 2);
    QCOMPARE(outcomes.at(0).kind, QueueEngine::Outcome::Kind::Retry);
    QCOMPARE(outcomes.at(0).error, QStringLiteral("consumer disconnected"));
    QCOMPARE(outcomes.at(1).kind, QueueEngine::Outcome::Kind::Dead); // maxAttempts 1
    QVERIFY(engine.consumersOf(kJobs).isEmpty());
    engine.subscribe(8, kJobs, 2, 0);
    const auto again = engine.dispatch(10);
    QCOMPARE(ids(again), (QList<qint64>{1}));
    QCOMPARE(again.first().consumer, quint64(8));
}

void TestQueueEngine::delayedMessagesWaitForTheirTime()
{
    QueueEngine engine(options());
    engine.add(message(1, QueuePriority::High, 5, 5000), 0);
    engine.add(message(2, QueuePriority::Low), 0);
    engine.subscribe(7, kJobs, 10, 0);
    QCOMPARE(ids(engine.dispatch(0)), (QList<qint64>{2}));
    QCOMPARE(engine.stats().first().delayed, qint64(1));
    QVERIFY(engine.dispatch(4999).isEmpty());
    QCOMPARE(ids(engine.dispatch(5000)), (QList<qint64>{1}));
}

void TestQueueEngine::unsubscribeStopsNewJobsButKeepsSettling()
{
    QueueEngine engine(options());
    engine.add(message(1), 0);
    engine.add(message(2), 0);
    engine.subscribe(7, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(0).size(), 1);
    QVERIFY(engine.unsubscribe(7, kJobs));
    QVERIFY(engine.settle(7, kJobs, 1, true, {}, 0));
    QVERIFY(engine.dispatch(0).isEmpty());
    QCOMPARE(engine.stats().first().consumers, 0);
    QCOMPARE(engine.stats().first().ready, qint64(1));
}

void TestQueueEngine::ackFromAnotherConsumerIsIgnored()
{
    QueueEngine engine(options());
    engine.add(message(1), 0);
    engine.subscribe(7, kJobs, 1, 0);
    engine.dispatch(0);
    QVERIFY(!engine.settle(8, kJobs, 1, true, {}, 0));
    QVERIFY(!engine.settle(7, QStringLiteral("other"), 1, true, {}, 0));
    QVERIFY(!engine.settle(7, kJobs, 99, true, {}, 0));
    QCOMPARE(engine.stats().first().inFlight, qint64(1));
}

void TestQueueEngine::nextWakeCoversDelaysAndDeadlines()
{
    QueueEngine engine(options(1000, 300000, 700));
    QCOMPARE(engine.nextWakeMs(), qint64(0));
    engine.add(message(1, QueuePriority::Normal, 5, 3000), 0);
    QCOMPARE(engine.nextWakeMs(), qint64(3000));
    engine.add(message(2), 0);
    engine.subscribe(7, kJobs, 1, 0);
    engine.dispatch(100);
    QCOMPARE(engine.nextWakeMs(), qint64(800));
}

void TestQueueEngine::idleQueuesAreRemoved()
{
    QueueEngine engine(options(), [] { return 0.0; });
    const qint64 ttl = 1000;
    engine.ensureQueue(QStringLiteral("empty"));
    engine.ensureQueue(QStringLiteral("dead"));
    engine.setDeadCount(QStringLiteral("dead"), 1);
    engine.subscribe(9, QStringLiteral("waiting"), 1, 0);
    engine.add(message(1), 0); // "jobs": one message

    QVERIFY(engine.removeIdle(0, ttl).isEmpty());      // first sight: idle from now on
    QVERIFY(engine.removeIdle(ttl - 1, ttl).isEmpty());
    QCOMPARE(engine.removeIdle(ttl, ttl), QStringList{QStringLiteral("empty")});
    QVERIFY(!engine.hasQueue(QStringLiteral("empty")));

    // "jobs" empties through an ack at 5000: idle from the next call on, not from before.
    engine.subscribe(7, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(5000).size(), 1);
    QVERIFY(engine.settle(7, kJobs, 1, true, {}, 5000));
    QVERIFY(engine.unsubscribe(7, kJobs));
    QVERIFY(engine.removeIdle(5000, ttl).isEmpty());
    // Activity without a visible state change (a message in and out between two calls)
    // restarts the clock too.
    engine.add(message(2), 5500);
    engine.subscribe(7, kJobs, 1, 0);
    QCOMPARE(engine.dispatch(5500).size(), 1);
    QVERIFY(engine.settle(7, kJobs, 2, true, {}, 5500));
    QVERIFY(engine.unsubscribe(7, kJobs));
    QVERIFY(engine.removeIdle(6000, ttl).isEmpty());
    QVERIFY(engine.removeIdle(6999, ttl).isEmpty());
    QCOMPARE(engine.removeIdle(7000, ttl), QStringList{kJobs});

    // Dead letters and consumers keep a queue, however long.
    QVERIFY(engine.removeIdle(100000, ttl).isEmpty());
    QVERIFY(engine.hasQueue(QStringLiteral("dead")));
    QVERIFY(engine.hasQueue(QStringLiteral("waiting")));
    engine.consumerGone(9, 100000);
    QVERIFY(engine.removeIdle(100000, ttl).isEmpty());
    QCOMPARE(engine.removeIdle(101000, ttl), QStringList{QStringLiteral("waiting")});
    QCOMPARE(engine.stats().size(), 1);
}

void TestQueueEngine::queuePatterns_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("matches");
    QTest::addRow("none") << QStringList{} << "booking_1" << false;
    QTest::addRow("prefix star") << QStringList{"booking_*"} << "booking_1" << true;
    QTest::addRow("star matches empty") << QStringList{"booking_*"} << "booking_" << true;
    QTest::addRow("prefix star other") << QStringList{"booking_*"} << "bookings" << false;
    QTest::addRow("whole name") << QStringList{"mail"} << "mail" << true;
    QTest::addRow("no substring match") << QStringList{"mail"} << "mail2" << false;
    QTest::addRow("question mark") << QStringList{"mail.?"} << "mail.1" << true;
    QTest::addRow("question mark needs one") << QStringList{"mail.?"} << "mail." << false;
    QTest::addRow("inner star") << QStringList{"a*z"} << "a:b:c:z" << true;
    QTest::addRow("inner star backtracks") << QStringList{"a*bc"} << "abcbc" << true;
    QTest::addRow("inner star no end") << QStringList{"a*z"} << "a:b:c:zy" << false;
    QTest::addRow("second pattern") << QStringList{"x_*", "y_*"} << "y_1" << true;
    QTest::addRow("match all") << QStringList{"*"} << "anything" << true;
}

void TestQueueEngine::queuePatterns()
{
    QFETCH(QStringList, patterns);
    QFETCH(QString, name);
    QFETCH(bool, matches);
    QCOMPARE(matchesQueuePattern(patterns, name), matches);
}

QTEST_GUILESS_MAIN(TestQueueEngine)
#include "tst_queueengine.moc"
