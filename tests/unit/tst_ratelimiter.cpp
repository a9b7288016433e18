// Unit tests for Switchboard::RateLimiter (token bucket with an abuse window). Time is
// passed in, so every case is exact.
#include <QtTest/QTest>

#include "protocol/ratelimiter.h"

using Switchboard::RateLimiter;

namespace {
/// Acquires until refused (at most @p cap times); returns how many were granted.
int drain(RateLimiter &limiter, qint64 nowMs, int cap = 100000)
{
    int granted = 0;
    while (granted < cap && limiter.tryAcquire(nowMs))
        ++granted;
    return granted;
}
constexpr qint64 kStart = 1000000; // a monotonic clock is far from zero
} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenRefusal_data();
    void burstThenRefusal();
    void refillOverTime_data();
    void refillOverTime();
    void refillIsCappedAtBurst();
    void clockGoingBackwardsDoesNotRefill();
    void abuseWindowCounting();
    void abuseWindowResets();
    void grantsDoNotCountAsAbuse();
    void defaultIsSpecRate();
    void setLimitsKeepsTokensCutToTheNewBurst();
};

void tst_RateLimiter::burstThenRefusal_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("burst");
    QTest::addColumn<int>("granted");

    QTest::addRow("spec default 100/s burst 200") << 100.0 << 200.0 << 200;
    QTest::addRow("burst 1") << 10.0 << 1.0 << 1;
    QTest::addRow("burst below rate") << 1000.0 << 5.0 << 5;
    QTest::addRow("fractional burst rounds down") << 10.0 << 3.5 << 3;
}

void tst_RateLimiter::burstThenRefusal()
{
    QFETCH(double, rate);
    QFETCH(double, burst);
    QFETCH(int, granted);
    RateLimiter limiter(rate, burst, kStart);
    QCOMPARE(drain(limiter, kStart), granted);
    QVERIFY(!limiter.tryAcquire(kStart));
    QCOMPARE(limiter.rejectedRecently(), 2); // drain's final refusal + this one
}

void tst_RateLimiter::refillOverTime_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<int>("granted");

    QTest::addRow("10/s after 100 ms") << 10.0 << qint64(100) << 1;
    QTest::addRow("10/s after 99 ms") << 10.0 << qint64(99) << 0;
    QTest::addRow("10/s after 550 ms") << 10.0 << qint64(550) << 5;
    QTest::addRow("100/s after 1 s") << 100.0 << qint64(1000) << 100;
    QTest::addRow("0.5/s after 1.9 s") << 0.5 << qint64(1900) << 0;
    QTest::addRow("0.5/s after 2 s") << 0.5 << qint64(2000) << 1;
}

void tst_RateLimiter::refillOverTime()
{
    QFETCH(double, rate);
    QFETCH(qint64, elapsedMs);
    QFETCH(int, granted);
    RateLimiter limiter(rate, 1000.0, kStart);
    drain(limiter, kStart);
    QCOMPARE(limiter.tokens() < 1.0, true);
    QCOMPARE(drain(limiter, kStart + elapsedMs), granted);
}

void tst_RateLimiter::refillIsCappedAtBurst()
{
    RateLimiter limiter(100.0, 20.0, kStart);
    QCOMPARE(drain(limiter, kStart), 20);
    // An hour of silence saves up no more than the burst.
    QCOMPARE(drain(limiter, kStart + 3600 * 1000), 20);
    QCOMPARE(limiter.tokens() < 1.0, true);
}

void tst_RateLimiter::clockGoingBackwardsDoesNotRefill()
{
    RateLimiter limiter(100.0, 10.0, kStart);
    QCOMPARE(drain(limiter, kStart), 10);
    QCOMPARE(drain(limiter, kStart - 5000), 0);
    // ... and the refill then starts from the latest time seen, not the earlier one.
    QCOMPARE(drain(limiter, kStart + 100), 10);
}

void tst_RateLimiter::abuseWindowCounting()
{
    RateLimiter limiter(10.0, 5.0, kStart);
    QCOMPARE(drain(limiter, kStart), 5); // one refusal counted
    QCOMPARE(limiter.rejectedRecently(), 1);
    for (int i = 0; i < 49; ++i)
        QVERIFY(!limiter.tryAcquire(kStart + i)); // < 100 ms: nothing refilled yet
    QCOMPARE(limiter.rejectedRecently(), 50);
    // Still inside the 10 s window: a granted message does not clear the count.
    // 1 s later the bucket is full again (burst 5); grants do not clear the count.
    QCOMPARE(drain(limiter, kStart + 1000), 5);
    QCOMPARE(limiter.rejectedRecently(), 51); // + drain's final refusal
    QVERIFY(!limiter.tryAcquire(kStart + 1000));
    QCOMPARE(limiter.rejectedRecently(), 52);
}

void tst_RateLimiter::abuseWindowResets()
{
    RateLimiter limiter(1.0, 1.0, kStart);
    QVERIFY(limiter.tryAcquire(kStart));
    for (int i = 0; i < 10; ++i)
        QVERIFY(!limiter.tryAcquire(kStart + 1 + i * 10));
    QCOMPARE(limiter.rejectedRecently(), 10);
    // A refusal more than one window after the window began starts a new count.
    const qint64 later = kStart + 1 + RateLimiter::kAbuseWindowMs;
    QCOMPARE(drain(limiter, later), 1); // refilled to the burst of 1, then refused once
    QCOMPARE(limiter.rejectedRecently(), 1);
}

void tst_RateLimiter::grantsDoNotCountAsAbuse()
{
    RateLimiter limiter(1000.0, 10.0, kStart);
    // A steady client at the allowed rate is never refused.
    for (int i = 0; i < 5000; ++i)
        QVERIFY2(limiter.tryAcquire(kStart + i), qPrintable(QString::number(i)));
    QCOMPARE(limiter.rejectedRecently(), 0);
}

void tst_RateLimiter::defaultIsSpecRate()
{
    RateLimiter limiter;
    QCOMPARE(limiter.tokens(), 200.0);
    QCOMPARE(drain(limiter, 0), 200);
}

void tst_RateLimiter::setLimitsKeepsTokensCutToTheNewBurst()
{
    // A reload lowering rate and burst: a full bucket of 1000 keeps only 5 ...
    RateLimiter limiter(1000.0, 1000.0, kStart);
    limiter.setLimits(1.0, 5.0);
    QCOMPARE(limiter.rate(), 1.0);
    QCOMPARE(limiter.burst(), 5.0);
    QCOMPARE(drain(limiter, kStart), 5);
    // ... and refills at the new rate (1 a second), never past the new burst.
    QCOMPARE(drain(limiter, kStart + 2000), 2);
    QCOMPARE(drain(limiter, kStart + 3600 * 1000), 5);
    // Raising them keeps what is left (nothing is handed out for free).
    limiter.setLimits(100.0, 50.0);
    QCOMPARE(drain(limiter, kStart + 3600 * 1000), 0);
    QCOMPARE(drain(limiter, kStart + 3600 * 1000 + 100), 10);
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
