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

#include "rooms/eventstream.h"

namespace Switchboard {

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
 * Native resume reads the same log (readAfter()): native connections count as users too,
 * and the log is kept for a window after the last one closed. An emit made while nobody
 * uses the log still moves the offset on, as a gap: a resume from before it fails.
 *
 * Thread-safe: emits record from any thread, I/O threads save and recover.
 */
class SioRecovery final : public EventStream
{
public:
    using Saved = EventStream::Session;

    static constexpr qint64 kDefaultMaxBytes = 64 * 1024 * 1024;

    explicit SioRecovery(int windowSeconds, qint64 maxBytes = kDefaultMaxBytes, qint64 maxReplayBytes = kDefaultMaxBytes);

    bool enabled() const override { return m_windowMs > 0; }
    bool isShared() const override { return false; }
    /// A connection opened / closed: while any is open (or closed within the window), emits
    /// are recorded.
    void socketOpened() override;
    void socketClosed() override;
    /// The offset of the newest recorded emit.
    quint64 currentOffset() const override;
    /// Gives @p frame its offset and keeps it for the window, when recovery is on and
    /// Socket.IO is in use, then runs @p post (the deliveries of the frame to the I/O
    /// threads). Recorded frames are posted in offset order under one lock, so every I/O
    /// thread sees their offsets increase whatever threads emit them: a socket that just had
    /// events replayed can tell a live copy of one of them from a newer event. A frame that is
    /// not recorded (offset 0) is posted outside the lock.
    void recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post) override;
    void readAfter(quint64 after, const Reader &reader, std::function<void(Read)> done) const override;

    void save(const QString &pid, Saved saved) override;
    void take(const QString &pid, const QString &userId, quint64 after, quint64 takerId,
              std::function<void(std::optional<Session>)> done) override;
    /// Removes and returns the saved state of @p pid when it is recent and belongs to @p userId.
    std::optional<Saved> take(const QString &pid, const QString &userId);
    /// Emits of namespace @p nsp after @p offset that a socket in @p rooms, once connection
    /// @p saved.connectionId, would have received. The log is copied under the lock and
    /// filtered outside it: O(events) pointer copies, O(1) per room lookup.
    /// Empty (nullopt) when some of those emits were already pruned: no recovery then.
    std::optional<std::vector<std::shared_ptr<const OutboundFrame>>>
    missed(const Saved &saved, const QSet<QString> &rooms, const QString &nsp, quint64 offset) const;
    /// Drops what is past the window (events and saved states); called on a timer.
    void prune() override;

    /// The memory an event holds while it is logged, as counted against the byte bound.
    static qint64 cost(const OutboundFrame &frame);
    qint64 bytes() const;
    int events() const;

private:
    /// Gives @p frame its offset and keeps it, when Socket.IO is in use; false otherwise.
    bool record(const std::shared_ptr<OutboundFrame> &frame);
    void pruneLocked(qint64 nowMs);
    bool inUseLocked(qint64 nowMs) const
    {
        return m_open.load(std::memory_order_relaxed) > 0 || !m_saved.isEmpty()
            || nowMs - m_lastClosedMs.load(std::memory_order_relaxed) <= m_windowMs;
    }

    const qint64 m_windowMs;
    const qint64 m_maxBytes;
    const qint64 m_maxReplayBytes;
    std::atomic<int> m_open{0};
    std::atomic<qint64> m_lastClosedMs{-(qint64(1) << 60)};
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
