#include "fileworker.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>

namespace Switchboard {

FileWorker::FileWorker()
{
    // Returns once the thread runs: what it sets up for itself (Qt's event dispatcher, an
    // eventfd) exists when the constructor returns, not at some later moment of its own.
    QSemaphore running;
    m_thread = QThread::create([this, &running] {
        running.release();
        run();
    });
    m_thread->setObjectName(QStringLiteral("switchboard-files"));
    m_thread->start(QThread::LowPriority);
    running.acquire();
}

FileWorker::~FileWorker()
{
    {
        QMutexLocker locker(&m_lock);
        m_stopping = true;
        m_wake.wakeAll();
    }
    m_thread->wait();
    delete m_thread;
}

bool FileWorker::post(std::function<void()> job)
{
    QMutexLocker locker(&m_lock);
    if (m_stopping || m_jobs.size() >= size_t(kMaxJobs))
        return false;
    m_jobs.push_back(std::move(job));
    m_wake.wakeOne();
    return true;
}

void FileWorker::addTick(std::function<void()> tick)
{
    QMutexLocker locker(&m_lock);
    m_ticks.push_back(std::move(tick));
}

void FileWorker::run()
{
    QDeadlineTimer nextTick(1000);
    for (;;) {
        std::function<void()> job;
        std::vector<std::function<void()>> ticks;
        {
            QMutexLocker locker(&m_lock);
            while (m_jobs.empty() && !m_stopping && !nextTick.hasExpired())
                m_wake.wait(&m_lock, nextTick);
            if (m_jobs.empty() && m_stopping)
                return;
            if (!m_jobs.empty()) {
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            if (nextTick.hasExpired()) {
                ticks = m_ticks;
                nextTick.setRemainingTime(1000);
            }
        }
        if (job)
            job();
        for (const auto &tick : ticks)
            tick();
    }
}

} // namespace Switchboard
