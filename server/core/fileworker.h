#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <vector>

#include <QtCore/QMutex>
#include <QtCore/QWaitCondition>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief A thread of its own for small file work (the audit log, the admin revocation
 * list), so that no I/O thread and no GUI thread ever opens, writes or stats a file.
 *
 * Jobs run in order. The queue is bounded: post() refuses a job beyond kMaxJobs (the caller
 * counts the loss). Ticks run about once a second between jobs.
 */
class FileWorker final
{
    Q_DISABLE_COPY_MOVE(FileWorker)

public:
    FileWorker();
    /// Runs the jobs already queued, then joins the thread.
    ~FileWorker();

    static constexpr int kMaxJobs = 20000;

    /// False when the queue is full or the worker is stopping; @p job is then not run.
    bool post(std::function<void()> job);
    /// Runs @p tick on the worker about once a second, for as long as the worker runs.
    void addTick(std::function<void()> tick);

private:
    void run();

    QThread *m_thread = nullptr;
    QMutex m_lock;
    QWaitCondition m_wake;
    std::deque<std::function<void()>> m_jobs;
    std::vector<std::function<void()>> m_ticks;
    bool m_stopping = false;
};

} // namespace Switchboard
