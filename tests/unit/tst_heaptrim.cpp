// Unit tests for Switchboard::HeapTrim: pages freed between live blocks of a thread's arena
// stay resident until it trims, and then go back to the system.
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <QtTest/QTest>

#include "core/heaptrim.h"

using Switchboard::HeapTrim;

class tst_HeapTrim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void releasesPagesFreedInsideAnArena();
    void runsOnItsTimer();
};

void tst_HeapTrim::releasesPagesFreedInsideAnArena()
{
    if (!HeapTrim::supported()) {
        // Not glibc's malloc (another libc, or a sanitizer's allocator): a trim does nothing.
        HeapTrim trim;
        trim.trim();
        QCOMPARE(trim.trims(), quint64(0));
        return;
    }
    // Like an I/O thread under churn: a thread allocates 32 MiB in 16 KiB blocks (below the
    // mmap threshold, so on its own arena's heap), then frees all but every 32nd. What it
    // freed lies between live blocks, where free() never hands it back.
    constexpr size_t kBlock = 16 * 1024;
    constexpr size_t kBlocks = 2048;
    constexpr qint64 kFreed = qint64(kBlock * (kBlocks - kBlocks / 32));
    std::vector<void *> kept;
    std::thread churn([&kept] {
        std::vector<void *> blocks;
        for (size_t i = 0; i < kBlocks; ++i) {
            void *block = std::malloc(kBlock);
            std::memset(block, 1, kBlock);
            blocks.push_back(block);
        }
        for (size_t i = 0; i < kBlocks; ++i) {
            if (i % 32 == 0)
                kept.push_back(blocks[i]);
            else
                std::free(blocks[i]);
        }
    });
    churn.join();

    const qint64 before = HeapTrim::residentAnonBytes();
    QVERIFY(before > kFreed);
    HeapTrim trim;
    trim.trim();
    const qint64 after = HeapTrim::residentAnonBytes();
    for (void *block : kept)
        std::free(block);
    QVERIFY2(before - after > kFreed / 2, qPrintable(QStringLiteral("resident %1 KiB before the trim, %2 KiB after")
                                                         .arg(before / 1024).arg(after / 1024)));
    QCOMPARE(trim.trims(), quint64(1));
    QVERIFY(trim.releasedBytes() > quint64(kFreed / 2));
}

void tst_HeapTrim::runsOnItsTimer()
{
    HeapTrim trim;
    if (!HeapTrim::supported()) {
        trim.start(20); // no timer where a trim could not release anything
        QVERIFY(!trim.active());
        return;
    }
    trim.start(20);
    QVERIFY(trim.active());
    QTRY_VERIFY(trim.trims() >= 2);
    trim.start(0); // off
    QVERIFY(!trim.active());
    const quint64 trims = trim.trims();
    QTest::qWait(100);
    QCOMPARE(trim.trims(), trims);
}

QTEST_GUILESS_MAIN(tst_HeapTrim)
#include "tst_heaptrim.moc"
