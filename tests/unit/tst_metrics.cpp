// Unit tests for Switchboard::Metrics and LatencyHistogram.
#include <QtCore/QThread>
#include <QtTest/QTest>

#include "metrics/metrics.h"

using Switchboard::LatencyHistogram;
using Switchboard::Metrics;

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void histogramBuckets_data();
    void histogramBuckets();
    void histogramSum();
    void histogramSeveralSamplesAtOnce();
    void quantiles_data();
    void quantiles();
    void closesByCode();
    void eventsByName();
    void eventNamesAreBounded();
    void concurrentCounting();
};

void tst_Metrics::histogramBuckets_data()
{
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<int>("bucket");

    QTest::addRow("zero") << qint64(0) << 0;
    QTest::addRow("negative (clock skew)") << qint64(-5) << 0;
    QTest::addRow("on first bound") << qint64(25) << 0;
    QTest::addRow("just above first bound") << qint64(26) << 1;
    QTest::addRow("1 ms") << qint64(1000) << 5;
    QTest::addRow("1.001 ms") << qint64(1001) << 6;
    QTest::addRow("last bound") << qint64(5000000) << 15;
    QTest::addRow("overflow") << qint64(5000001) << 16;
    QTest::addRow("one micro") << qint64(1) << 0;
    QTest::addRow("an hour") << qint64(3600) * 1000000 << 16;
}

void tst_Metrics::histogramBuckets()
{
    QFETCH(qint64, micros);
    QFETCH(int, bucket);
    LatencyHistogram h;
    h.record(micros);
    const auto counts = h.counts();
    QCOMPARE(int(counts.size()), LatencyHistogram::kBuckets);
    for (int i = 0; i < LatencyHistogram::kBuckets; ++i)
        QCOMPARE(counts[size_t(i)], quint64(i == bucket ? 1 : 0));
}

void tst_Metrics::histogramSum()
{
    LatencyHistogram h;
    h.record(100);
    h.record(250);
    h.record(-40); // counted, adds nothing to the sum
    QCOMPARE(h.sumMicros(), quint64(350));
    quint64 total = 0;
    for (quint64 c : h.counts())
        total += c;
    QCOMPARE(total, quint64(3));
}

void tst_Metrics::histogramSeveralSamplesAtOnce()
{
    // A fan-out records its deliveries with one call: the same as one call per delivery.
    LatencyHistogram once;
    LatencyHistogram oneByOne;
    once.record(300, 1000);
    once.record(7, 0); // nothing
    for (int i = 0; i < 1000; ++i)
        oneByOne.record(300);
    QCOMPARE(once.counts(), oneByOne.counts());
    QCOMPARE(once.sumMicros(), quint64(300000));
    QCOMPARE(once.counts()[4], quint64(1000)); // (250, 500]
    QCOMPARE(once.counts()[0], quint64(0));
}

void tst_Metrics::quantiles_data()
{
    QTest::addColumn<QList<qint64>>("samples");
    QTest::addColumn<double>("q");
    QTest::addColumn<double>("expected");

    QTest::addRow("empty") << QList<qint64>{} << 0.5 << 0.0;
    QTest::addRow("single p50") << QList<qint64>{300} << 0.5 << 500.0;
    QTest::addRow("single p99") << QList<qint64>{300} << 0.99 << 500.0;
    const QList<qint64> mostlyFast{10, 10, 10, 10, 10, 10, 10, 10, 10, 20000};
    QTest::addRow("p50 of mostly fast") << mostlyFast << 0.5 << 25.0;
    QTest::addRow("p95 of mostly fast") << mostlyFast << 0.95 << 25.0;
    const QList<qint64> halfSlow{10, 10, 10, 10, 10, 20000, 20000, 20000, 20000, 20000};
    QTest::addRow("p50 of half slow") << halfSlow << 0.5 << 25.0;
    QTest::addRow("p95 of half slow") << halfSlow << 0.95 << 25000.0;
    QTest::addRow("max sees the slow one") << mostlyFast << 1.0 << 25000.0;
    QTest::addRow("overflow bucket") << QList<qint64>{9000000} << 0.5 << 10000000.0;
}

void tst_Metrics::quantiles()
{
    QFETCH(QList<qint64>, samples);
    QFETCH(double, q);
    QFETCH(double, expected);
    LatencyHistogram h;
    for (qint64 s : samples)
        h.record(s);
    QCOMPARE(LatencyHistogram::quantile(h.counts(), q), expected);
}

void tst_Metrics::closesByCode()
{
    Metrics m;
    QVERIFY(m.closesByCode().isEmpty());
    m.countClose(1000);
    m.countClose(4001);
    m.countClose(4001);
    const auto closes = m.closesByCode();
    QCOMPARE(closes.size(), 2);
    QCOMPARE(closes.value(1000), quint64(1));
    QCOMPARE(closes.value(4001), quint64(2));
}

void tst_Metrics::eventsByName()
{
    Metrics m;
    m.countEvent(QStringLiteral("a"));
    m.countEvent(QStringLiteral("b"));
    m.countEvent(QStringLiteral("a"));
    const auto events = m.eventsByName();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.value(QStringLiteral("a")), quint64(2));
    QCOMPARE(events.value(QStringLiteral("b")), quint64(1));
}

void tst_Metrics::eventNamesAreBounded()
{
    Metrics m;
    for (int i = 0; i < Metrics::kMaxTrackedEvents + 100; ++i)
        m.countEvent(QStringLiteral("name-%1").arg(i));
    m.countEvent(QStringLiteral("name-0")); // tracked: still counted by name
    m.countEvent(QStringLiteral("late"));   // not tracked: "other"
    const auto events = m.eventsByName();
    QCOMPARE(events.size(), Metrics::kMaxTrackedEvents + 1);
    QCOMPARE(events.value(QStringLiteral("name-0")), quint64(2));
    QCOMPARE(events.value(QStringLiteral("name-255")), quint64(1));
    QVERIFY(!events.contains(QStringLiteral("name-256")));
    QVERIFY(!events.contains(QStringLiteral("late")));
    QCOMPARE(events.value(Metrics::otherEventsKey()), quint64(101));
    quint64 total = 0;
    for (quint64 c : events)
        total += c;
    QCOMPARE(total, quint64(Metrics::kMaxTrackedEvents + 102));
}

void tst_Metrics::concurrentCounting()
{
    Metrics m;
    const int perThread = 5000;
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads << QThread::create([&m] {
            for (int i = 0; i < perThread; ++i) {
                m.messagesIn.fetch_add(1, std::memory_order_relaxed);
                m.latency.record(i % 3000);
                if (i % 10 == 0) {
                    m.countClose(1000 + i % 3);
                    m.countEvent(QStringLiteral("e%1").arg(i % 4));
                }
            }
        });
        threads.last()->start();
    }
    for (QThread *thread : threads) {
        QVERIFY(thread->wait(30000));
        delete thread;
    }
    QCOMPARE(m.messagesIn.load(), quint64(4 * perThread));
    quint64 total = 0;
    for (quint64 c : m.latency.counts())
        total += c;
    QCOMPARE(total, quint64(4 * perThread));
    quint64 closes = 0;
    for (quint64 c : m.closesByCode())
        closes += c;
    QCOMPARE(closes, quint64(4 * perThread / 10));
    quint64 events = 0;
    for (quint64 c : m.eventsByName())
        events += c;
    QCOMPARE(events, quint64(4 * perThread / 10));
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
