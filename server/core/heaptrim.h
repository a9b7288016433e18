#pragma once

#include <atomic>

#include <QtCore/QObject>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>

namespace Switchboard {

/**
 * @brief Gives the allocator's free pages back to the kernel on a slow timer.
 *
 * glibc's malloc keeps an arena per allocating thread and returns memory to the kernel only
 * from the top of an arena's heap. Under churn (connections, HTTP requests and Engine.IO
 * sessions that come and go on every I/O thread, next to longer-lived objects such as the
 * recovery log's frames) the freed space sits between live chunks, is touched again bit by bit,
 * and the resident size creeps up to the arenas' high-water mark while the memory in use stays
 * flat (docs/security.md, "Soak": 8–9 MiB in use, 22 MiB resident). malloc_trim(0) releases
 * every whole free page of every arena (MADV_DONTNEED) at once.
 *
 * The timer runs it on a thread of its own (never the owner's, which is the GUI thread in the
 * console, nor an I/O thread), one trim at a time. It holds one arena's lock at a time while it
 * walks that arena's free chunks, so a thread that allocates meanwhile waits that long; hence a
 * timer of tens of seconds, and its cost is counted (trimMicros()).
 * Where malloc is not glibc's (another libc, a sanitizer's allocator) it does nothing.
 */
class HeapTrim final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeapTrim)

public:
    explicit HeapTrim(QObject *parent = nullptr);
    ~HeapTrim() override;

    /// Trims every @p intervalMs from now on; 0 stops.
    void start(int intervalMs);
    /// Stops the timer and waits for a trim in progress.
    void stop();
    bool active() const { return m_timer.isActive(); }

    /// Trims now, on the calling thread, counted in the figures below (nothing where not
    /// supported()).
    void trim();

    quint64 trims() const { return m_trims.load(std::memory_order_relaxed); }
    quint64 trimMicros() const { return m_micros.load(std::memory_order_relaxed); }
    /// Drop of the process's anonymous resident memory across the trims (other threads
    /// allocate meanwhile, so this is an estimate).
    quint64 releasedBytes() const { return m_released.load(std::memory_order_relaxed); }

    /// Whether trimming can release anything here (glibc malloc, no sanitizer allocator).
    static bool supported();
    /// Resident memory that is not a mapped file: the heap, arenas and thread stacks
    /// (/proc/self/statm resident - shared); -1 when unknown.
    static qint64 residentAnonBytes();

private:
    QTimer m_timer;
    QThreadPool m_pool;                  // one thread: the timer's trims
    std::atomic<bool> m_busy{false};     // a trim is queued or running there
    std::atomic<quint64> m_trims{0};
    std::atomic<quint64> m_micros{0};
    std::atomic<quint64> m_released{0};
};

} // namespace Switchboard
