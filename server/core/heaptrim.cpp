#include "heaptrim.h"

#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#include <unistd.h>
#endif

#include <QtCore/QElapsedTimer>

#include "logging.h"

namespace Switchboard {

HeapTrim::HeapTrim(QObject *parent)
    : QObject(parent)
{
    // Coarse: when it runs does not matter, only that it runs now and then without waking
    // the thread more than needed.
    m_timer.setTimerType(Qt::VeryCoarseTimer);
    m_pool.setMaxThreadCount(1);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_busy.exchange(true))
            return; // the last one is still running (a loaded box): skipped, not queued
        m_pool.start([this] {
            trim();
            m_busy.store(false);
        });
    });
}

HeapTrim::~HeapTrim()
{
    stop();
}

void HeapTrim::start(int intervalMs)
{
    if (intervalMs <= 0 || !supported()) {
        stop();
        return;
    }
    m_timer.start(intervalMs);
}

void HeapTrim::stop()
{
    m_timer.stop();
    m_pool.waitForDone(); // a trim in progress (milliseconds at most)
}

void HeapTrim::trim()
{
#if defined(__GLIBC__)
    if (!supported())
        return;
    const qint64 before = residentAnonBytes();
    QElapsedTimer clock;
    clock.start();
    malloc_trim(0);
    const qint64 micros = clock.nsecsElapsed() / 1000;
    const qint64 after = residentAnonBytes();
    const qint64 released = before >= 0 && after >= 0 && before > after ? before - after : 0;
    m_trims.fetch_add(1, std::memory_order_relaxed);
    m_micros.fetch_add(quint64(micros), std::memory_order_relaxed);
    m_released.fetch_add(quint64(released), std::memory_order_relaxed);
    qCDebug(lcServer) << "heap trim:" << released / 1024 << "KiB released in" << micros << "us";
#endif
}

bool HeapTrim::supported()
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    return true;
#else
    return false;
#endif
}

qint64 HeapTrim::residentAnonBytes()
{
#if defined(__GLIBC__)
    // statm: size resident shared text lib data dt, in pages; shared counts file-backed and
    // shared-memory pages, so resident - shared is the anonymous part.
    FILE *statm = std::fopen("/proc/self/statm", "re");
    if (!statm)
        return -1;
    long long size = 0, resident = 0, shared = 0;
    const int read = std::fscanf(statm, "%lld %lld %lld", &size, &resident, &shared);
    std::fclose(statm);
    if (read != 3)
        return -1;
    return (resident - shared) * qint64(sysconf(_SC_PAGESIZE));
#else
    return -1;
#endif
}

} // namespace Switchboard
