// Unit tests for Switchboard::EventLog: bounded ring, sampling budget, skipped count.
#include <QtCore/QDateTime>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include "metrics/eventlog.h"

using Switchboard::EventLog;
using Dir = EventLog::Direction;

namespace {
/// Waits (polling) until the wall clock is early in a second, so a short burst of appends
/// falls into one sampling window.
void alignToSecondStart()
{
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() % 1000 < 200, 2000);
}
} // namespace

class tst_EventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void empty();
    void appendAndRead();
    void ringCapacity_data();
    void ringCapacity();
    void sinceCursor();
    void samplingBudget();
    void systemRowsAreNeverSampled();
    void budgetRefreshesEverySecond();
    void longDetailIsTruncated();
    void longFieldsAreTruncated();
    void concurrentAppends();
    void directionName();
};

void tst_EventLog::empty()
{
    EventLog log(10, 10);
    QCOMPARE(log.lastSeq(), quint64(0));
    QVERIFY(log.since(0).isEmpty());
    QCOMPARE(log.skipped(), quint64(0));
    QCOMPARE(log.capacity(), 10);
}

void tst_EventLog::appendAndRead()
{
    EventLog log(10, 100);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    log.append(Dir::Out, QStringLiteral("order.created"), QStringLiteral("order:1"), QStringLiteral("42"), 7,
               QStringLiteral("{\"id\":1}"));
    log.append(Dir::System, QStringLiteral("connect"), {}, QStringLiteral("43"), 8, QStringLiteral("127.0.0.1:5"));
    const auto rows = log.since(0);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].seq, quint64(1));
    QCOMPARE(rows[0].direction, Dir::Out);
    QCOMPARE(rows[0].name, QStringLiteral("order.created"));
    QCOMPARE(rows[0].room, QStringLiteral("order:1"));
    QCOMPARE(rows[0].userId, QStringLiteral("42"));
    QCOMPARE(rows[0].connectionId, quint64(7));
    QCOMPARE(rows[0].detail, QStringLiteral("{\"id\":1}"));
    QVERIFY(rows[0].timestampMs >= before);
    QCOMPARE(rows[1].seq, quint64(2));
    QCOMPARE(rows[1].name, QStringLiteral("connect"));
    QCOMPARE(log.lastSeq(), quint64(2));
}

void tst_EventLog::ringCapacity_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");

    QTest::addRow("below capacity") << 8 << 5;
    QTest::addRow("exactly capacity") << 8 << 8;
    QTest::addRow("one over") << 8 << 9;
    QTest::addRow("wrapped many times") << 8 << 83;
    QTest::addRow("capacity one") << 1 << 5;
    QTest::addRow("capacity zero is clamped to one") << 0 << 3;
}

void tst_EventLog::ringCapacity()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    EventLog log(capacity, 1000000);
    for (int i = 1; i <= appended; ++i)
        log.append(Dir::System, QStringLiteral("e%1").arg(i), {}, {}, quint64(i), {});
    const int kept = qMin(appended, qMax(1, capacity));
    const auto rows = log.since(0);
    QCOMPARE(rows.size(), kept);
    // Oldest first, consecutive, ending with the newest.
    for (int i = 0; i < rows.size(); ++i) {
        const quint64 seq = quint64(appended - kept + 1 + i);
        QCOMPARE(rows[i].seq, seq);
        QCOMPARE(rows[i].name, QStringLiteral("e%1").arg(seq));
        QCOMPARE(rows[i].connectionId, seq);
    }
    QCOMPARE(log.lastSeq(), quint64(appended));
}

void tst_EventLog::sinceCursor()
{
    EventLog log(5, 1000);
    for (int i = 1; i <= 12; ++i)
        log.append(Dir::System, QString::number(i), {}, {}, 0, {});
    QCOMPARE(log.since(10).size(), 2);
    QCOMPARE(log.since(10).first().seq, quint64(11));
    QVERIFY(log.since(12).isEmpty());
    QVERIFY(log.since(100).isEmpty());
    // A cursor older than the ring starts at the oldest row still held.
    QCOMPARE(log.since(2).size(), 5);
    QCOMPARE(log.since(2).first().seq, quint64(8));
}

void tst_EventLog::samplingBudget()
{
    const int budget = 50;
    const int total = 2000;
    EventLog log(10000, budget);
    alignToSecondStart();
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < total; ++i)
        log.append(i % 2 ? Dir::In : Dir::Out, QStringLiteral("tick"), QStringLiteral("r"), {}, 0, {});
    const bool oneWindow = QDateTime::currentMSecsSinceEpoch() / 1000 == started / 1000;

    const quint64 kept = log.lastSeq();
    QCOMPARE(kept + log.skipped(), quint64(total)); // every row is either kept or counted
    QCOMPARE(quint64(log.since(0).size()), kept);
    if (oneWindow)
        QCOMPARE(kept, quint64(budget));
    else // a very slow machine crossed into the next second: at most one more window
        QVERIFY2(kept >= quint64(budget) && kept <= quint64(2 * budget), qPrintable(QString::number(kept)));
}

void tst_EventLog::systemRowsAreNeverSampled()
{
    EventLog log(1000, 5);
    alignToSecondStart();
    for (int i = 0; i < 20; ++i)
        log.append(Dir::Out, QStringLiteral("spam"), {}, {}, 0, {});
    const quint64 skippedBefore = log.skipped();
    QVERIFY(skippedBefore >= 5);
    for (int i = 0; i < 20; ++i)
        log.append(Dir::System, QStringLiteral("connect"), {}, {}, quint64(i), {});
    QCOMPARE(log.skipped(), skippedBefore);
    int system = 0;
    for (const auto &row : log.since(0))
        system += row.direction == Dir::System ? 1 : 0;
    QCOMPARE(system, 20);
}

void tst_EventLog::budgetRefreshesEverySecond()
{
    EventLog log(1000, 3);
    alignToSecondStart();
    for (int i = 0; i < 10; ++i)
        log.append(Dir::In, QStringLiteral("a"), {}, {}, 0, {});
    const quint64 firstKept = log.lastSeq();
    QVERIFY(firstKept >= 3 && firstKept <= 6);
    // Next second: the budget is available again.
    const qint64 second = QDateTime::currentMSecsSinceEpoch() / 1000;
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() / 1000 > second, 2000);
    log.append(Dir::In, QStringLiteral("b"), {}, {}, 0, {});
    QCOMPARE(log.lastSeq(), firstKept + 1);
    QCOMPARE(log.since(firstKept).first().name, QStringLiteral("b"));
}

void tst_EventLog::longDetailIsTruncated()
{
    EventLog log(4, 100);
    log.append(Dir::Out, QStringLiteral("big"), {}, {}, 0, QString(5000, 'x'));
    log.append(Dir::Out, QStringLiteral("fits"), {}, {}, 0, QString(512, 'y'));
    const auto rows = log.since(0);
    QCOMPARE(rows[0].detail.size(), 513); // 512 + ellipsis
    QVERIFY(rows[0].detail.endsWith(QChar(0x2026)));
    QCOMPARE(rows[1].detail, QString(512, 'y'));
}

void tst_EventLog::longFieldsAreTruncated()
{
    // Names, rooms and user ids come from clients too: every field is bounded.
    EventLog log(4, 100);
    const QString huge(1 << 20, 'h');
    log.append(Dir::In, huge, huge, huge, 1, huge);
    log.append(Dir::In, QString(EventLog::kMaxFieldChars, 'n'), QStringLiteral("room"), QStringLiteral("u"), 2, {});
    const auto rows = log.since(0);
    QCOMPARE(rows.size(), 2);
    for (const QString &field : {rows[0].name, rows[0].room, rows[0].userId}) {
        QCOMPARE(field.size(), EventLog::kMaxFieldChars + 1);
        QVERIFY(field.endsWith(QChar(0x2026)));
    }
    QCOMPARE(rows[0].detail.size(), EventLog::kMaxDetailChars + 1);
    QCOMPARE(rows[1].name, QString(EventLog::kMaxFieldChars, 'n'));
    QCOMPARE(rows[1].room, QStringLiteral("room"));
}

void tst_EventLog::concurrentAppends()
{
    // The log is written from every I/O thread at once.
    EventLog log(100, 1000000);
    const int perThread = 2000;
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads << QThread::create([&log, t] {
            for (int i = 0; i < perThread; ++i)
                log.append(Dir::System, QStringLiteral("t%1").arg(t), {}, {}, quint64(i), {});
        });
        threads.last()->start();
    }
    for (QThread *thread : threads) {
        QVERIFY(thread->wait(30000));
        delete thread;
    }
    QCOMPARE(log.lastSeq(), quint64(4 * perThread));
    const auto rows = log.since(0);
    QCOMPARE(rows.size(), 100);
    for (int i = 1; i < rows.size(); ++i)
        QCOMPARE(rows[i].seq, rows[i - 1].seq + 1);
}

void tst_EventLog::directionName()
{
    QCOMPARE(EventLog::directionName(Dir::In), QStringLiteral("in"));
    QCOMPARE(EventLog::directionName(Dir::Out), QStringLiteral("out"));
    QCOMPARE(EventLog::directionName(Dir::System), QStringLiteral("system"));
}

QTEST_GUILESS_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
