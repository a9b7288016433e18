#pragma once

#include <functional>

#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QThread>

namespace Switchboard {

/**
 * @brief Lets other threads run tasks on one QObject's thread without racing its deletion.
 *
 * A QPointer checked on another thread can go stale between the check and the post. Here
 * the owner closes the mailbox (in its destructor) under the lock that post() holds, so a
 * task is either queued to a live object, whose deletion discards it unrun, or refused.
 * Shared (std::shared_ptr) by the owner and everyone who answers it later.
 */
class Mailbox final
{
    Q_DISABLE_COPY_MOVE(Mailbox)

public:
    explicit Mailbox(QObject *owner) : m_owner(owner) {}

    /// Queues @p task to the owner's thread; false (and @p task dropped) once closed.
    bool post(std::function<void()> task)
    {
        QMutexLocker lock(&m_mutex);
        if (!m_owner)
            return false;
        return QMetaObject::invokeMethod(m_owner, std::move(task), Qt::QueuedConnection);
    }

    /// True on the owner's thread (where its tasks may run directly).
    bool isOwnerThread()
    {
        QMutexLocker lock(&m_mutex);
        return m_owner && m_owner->thread() == QThread::currentThread();
    }

    /// Called by the owner before it goes; post() refuses from then on.
    void close()
    {
        QMutexLocker lock(&m_mutex);
        m_owner = nullptr;
    }

private:
    QMutex m_mutex;
    QObject *m_owner = nullptr;
};

} // namespace Switchboard
