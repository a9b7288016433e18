#pragma once

#include <array>
#include <functional>

#include <QtCore/QMutex>
#include <QtCore/QString>

namespace Switchboard {

/**
 * @brief Puts this node's presence changes in the order they happened (rooms/presenceevents.h).
 *
 * The registry decides under its lock that a connection was a user's first in a room or their
 * last, but the change is published after that lock is released: a join on one I/O thread and
 * a leave on another could be published in the wrong order, and subscribers (here and on the
 * other nodes) would be left with the wrong state. So a change is not published as decided:
 * under a lock per (room, user) (striped), the registry is asked what is true now and that is
 * published. Whichever thread comes last publishes the final truth; an extra publication of
 * the same state is harmless (applying a state twice changes nothing).
 *
 * Thread-safe. @p truth must not call back into this object.
 */
class PresenceOrder final
{
    Q_DISABLE_COPY_MOVE(PresenceOrder)

public:
    using Truth = std::function<bool(const QString &room, const QString &userId)>;
    using Publish = std::function<void(const QString &room, const QString &userId, bool present)>;

    PresenceOrder(Truth truth, Publish publish) : m_truth(std::move(truth)), m_publish(std::move(publish)) {}

    /// @p userId's presence in @p room may have changed: publishes what is true now.
    void changed(const QString &room, const QString &userId)
    {
        QMutexLocker lock(&m_stripes[size_t(qHash(userId) ^ qHash(room)) % kStripes]);
        m_publish(room, userId, m_truth(room, userId));
    }

private:
    static constexpr size_t kStripes = 16;
    const Truth m_truth;
    const Publish m_publish;
    std::array<QMutex, kStripes> m_stripes;
};

} // namespace Switchboard
