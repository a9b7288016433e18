#pragma once

#include <deque>
#include <memory>
#include <optional>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QStringList>

namespace Switchboard {

struct OutboundFrame;

/**
 * @brief Socket.IO connection state recovery: recent room and broadcast emits with their
 * offsets, and the state of sockets whose transport went away, for one window (seconds).
 *
 * A client that comes back within the window with its pid and last offset gets the same
 * rooms and the events it missed, in order. Thread-safe: emits record from any thread,
 * I/O threads save and recover.
 */
class SioRecovery final
{
public:
    struct Saved
    {
        QString userId;
        QStringList rooms;
        QHash<QString, QString> namespaces; // namespace -> Socket.IO sid
        quint64 connectionId = 0;
        quint64 connectedOffset = 0;        // the offset counter when the socket connected
        qint64 expiresMs = 0;
    };

    explicit SioRecovery(int windowSeconds, int maxEvents = 100000);

    bool enabled() const { return m_windowMs > 0; }
    /// The offset of the newest recorded emit.
    quint64 currentOffset() const;
    /// Gives @p frame its offset and keeps it for the window.
    void record(const std::shared_ptr<OutboundFrame> &frame);

    void save(const QString &pid, Saved saved);
    /// The saved state of @p pid when it is recent and belongs to @p userId.
    std::optional<Saved> find(const QString &pid, const QString &userId) const;
    /// Emits of namespace @p nsp after @p offset that @p saved would have received.
    std::vector<std::shared_ptr<const OutboundFrame>> missed(const Saved &saved, const QString &nsp, quint64 offset) const;

private:
    void prune(qint64 nowMs);

    const qint64 m_windowMs;
    const int m_maxEvents;
    mutable QMutex m_lock;
    quint64 m_offset = 0;
    struct Logged { std::shared_ptr<const OutboundFrame> frame; qint64 atMs; };
    std::deque<Logged> m_events;
    QHash<QString, Saved> m_saved;
};

} // namespace Switchboard
