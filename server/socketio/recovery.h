#pragma once

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QString>

namespace Switchboard {

struct OutboundFrame;

/**
 * @brief Socket.IO connection state recovery: recent room and broadcast emits with their
 * offsets, and the state of sockets whose transport went away, for one window (seconds).
 *
 * A client that comes back within the window with its pid and last offset gets the same
 * rooms and the events it missed, in order. The log is bounded by the window and by bytes
 * (the oldest go first), pruned on every record and by prune() on a timer, and kept only
 * while Socket.IO is in use: while a Socket.IO connection is open or a saved state waits to
 * be recovered. A saved state is taken by the first socket that recovers it.
 *
 * Thread-safe: emits record from any thread, I/O threads save and recover.
 */
class SioRecovery final
{
public:
    struct Saved
    {
        QString userId;
        QSet<QString> rooms;
        QHash<QString, QString> namespaces; // namespace -> Socket.IO sid
        quint64 connectionId = 0;
        quint64 connectedOffset = 0;        // the offset counter when the socket connected
        qint64 expiresMs = 0;
    };

    static constexpr qint64 kDefaultMaxBytes = 64 * 1024 * 1024;

    explicit SioRecovery(int windowSeconds, qint64 maxBytes = kDefaultMaxBytes);

    bool enabled() const { return m_windowMs > 0; }
    /// A Socket.IO connection opened / closed: while any is open, emits are recorded.
    void socketOpened();
    void socketClosed();
    /// The offset of the newest recorded emit.
    quint64 currentOffset() const;
    /// Gives @p frame its offset and keeps it for the window, when recovery is on and
    /// Socket.IO is in use, then runs @p post (the deliveries of the frame to the I/O
    /// threads). Recorded frames are posted in offset order under one lock, so every I/O
    /// thread sees their offsets increase whatever threads emit them: a socket that just had
    /// events replayed can tell a live copy of one of them from a newer event. A frame that is
    /// not recorded (offset 0) is posted outside the lock.
    void recordThenPost(const std::shared_ptr<OutboundFrame> &frame, const std::function<void()> &post);

    void save(const QString &pid, Saved saved);
    /// Removes and returns the saved state of @p pid when it is recent and belongs to @p userId.
    std::optional<Saved> take(const QString &pid, const QString &userId);
    /// Emits of namespace @p nsp after @p offset that a socket in @p rooms, once connection
    /// @p saved.connectionId, would have received. The log is copied under the lock and
    /// filtered outside it: O(events) pointer copies, O(1) per room lookup.
    /// Empty (nullopt) when some of those emits were already pruned: no recovery then.
    std::optional<std::vector<std::shared_ptr<const OutboundFrame>>>
    missed(const Saved &saved, const QSet<QString> &rooms, const QString &nsp, quint64 offset) const;
    /// Drops what is past the window (events and saved states); called on a timer.
    void prune();

    /// The memory an event holds while it is logged, as counted against the byte bound.
    static qint64 cost(const OutboundFrame &frame);
    qint64 bytes() const;
    int events() const;

private:
    /// Gives @p frame its offset and keeps it, when Socket.IO is in use; false otherwise.
    bool record(const std::shared_ptr<OutboundFrame> &frame);
    void pruneLocked(qint64 nowMs);
    bool inUseLocked() const { return m_open.load(std::memory_order_relaxed) > 0 || !m_saved.isEmpty(); }

    const qint64 m_windowMs;
    const qint64 m_maxBytes;
    std::atomic<int> m_open{0};
    std::mutex m_postOrder;   // held from a frame's offset until its deliveries are posted
    mutable QMutex m_lock;
    quint64 m_offset = 0;
    quint64 m_prunedUpTo = 0; // newest offset no longer in the log
    struct Logged { std::shared_ptr<const OutboundFrame> frame; qint64 atMs; qint64 cost; };
    std::deque<Logged> m_events;
    qint64 m_bytes = 0;
    QHash<QString, Saved> m_saved;
};

} // namespace Switchboard
