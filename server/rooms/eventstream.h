#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QString>

namespace Switchboard {

struct OutboundFrame;

/**
 * @brief The recorded room and broadcast events, with their offsets, and the sessions that
 * may come back for them: Socket.IO connection state recovery and native resume
 * (docs/socketio.md, docs/protocol.md).
 *
 * Two implementations: SioRecovery keeps them in this process (a single node), and
 * RedisEventStream keeps them in a Redis Stream and Redis keys (cluster mode), where the
 * offset is the stream id and so the same on every node. Offsets are 64-bit numbers that
 * increase in record order; StreamOffset turns them into the text clients see.
 *
 * Every method may be called from any thread; callbacks run on any thread (at once, on the
 * caller's, for the in-process store).
 */
class EventStream
{
public:
    using Frames = std::vector<std::shared_ptr<const OutboundFrame>>;

    /// What a Socket.IO socket leaves behind for a client that comes back with its pid.
    struct Session
    {
        QString userId;
        QSet<QString> rooms;
        QHash<QString, QString> namespaces; // namespace -> Socket.IO sid
        quint64 connectionId = 0;
        quint64 connectedOffset = 0;        // the newest offset when the socket connected
        qint64 expiresMs = 0;
        /// Shared stores: the events after prefetchedAfter, read with the session (every
        /// namespace's recovery is answered from them). Unset for the in-process store.
        std::optional<Frames> prefetched;
        quint64 prefetchedAfter = 0;
    };

    /// Whose events a read is for: a socket of @p userId, once connection @p connectionId,
    /// in @p rooms, connected to one of @p namespaces. Only the events it would have received
    /// are kept and counted against the replay bound (--recovery-replay-max-bytes); a shared
    /// store scans the others too, bounded separately (docs/cluster.md).
    struct Reader
    {
        QString userId;
        quint64 connectionId = 0;
        QSet<QString> rooms;
        QSet<QString> namespaces;
        bool wants(const OutboundFrame &frame) const;
    };

    /// A read: the events after the offset asked for, or why there are none to give.
    struct Read
    {
        bool ok = false;
        QString error;  // "expired" (some are no longer kept), "too large", "too much to scan", or Redis' error
        Frames frames;
    };

    virtual ~EventStream() = default;

    virtual bool enabled() const = 0;
    /// Events and sessions are read from Redis (asynchronously), on every node alike.
    virtual bool isShared() const = 0;
    /// Whether a socket that connects now gets every event recorded from now on: a shared
    /// stream is once this node's tail has read from Redis (GET /ready).
    virtual bool ready() const { return true; }
    /// A connection that may ask for missed events opened / closed: the in-process log is
    /// kept while one is open, a session waits, or one closed within the window.
    virtual void socketOpened() = 0;
    virtual void socketClosed() = 0;
    /// The newest offset this node knows of (a socket that connects now missed nothing before it).
    virtual quint64 currentOffset() const = 0;
    /// Gives @p frame its offset (and its native text the "offset" field) and keeps it, then
    /// runs @p post (the deliveries). Recorded frames are posted in offset order; a shared
    /// store posts once Redis gave the offset (on the link's thread). A frame that cannot be
    /// recorded (offset 0) is posted as it is.
    virtual void recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post) = 0;
    /// A frame another node recorded (its offset came with it): remembered as seen.
    virtual void seen(quint64 offset) { Q_UNUSED(offset); }
    /// Another Switchboard node's emit that came without an offset (its record seemed to fail)
    /// was delivered here: should the record have landed after all, the stream's copy is not
    /// delivered again.
    virtual void deliveredUnrecorded(const QString &id) { Q_UNUSED(id); }
    /// The recorded events after @p after that @p reader would have received, in order,
    /// bounded by the replay byte limit (counting only those events).
    virtual void readAfter(quint64 after, const Reader &reader, std::function<void(Read)> done) const = 0;

    /// A live Socket.IO socket's state (shared stores keep it in Redis for the window, so a
    /// client whose node dies can come back elsewhere); called on connect and room changes.
    virtual void track(const QString &pid, const Session &session) { Q_UNUSED(pid); Q_UNUSED(session); }
    /// The socket closed and may come back within the window.
    virtual void save(const QString &pid, Session session) = 0;
    /// The socket (connection @p connectionId) closed for good (a client or server
    /// disconnect): no recovery. A shared store deletes the session only while that
    /// connection owns it.
    virtual void forget(const QString &pid, quint64 connectionId) { Q_UNUSED(pid); Q_UNUSED(connectionId); }
    /// Takes the saved state of @p pid when it is recent and belongs to @p userId; a shared
    /// store also reads the events after @p after into Session::prefetched (no session when
    /// some of them are gone or they are over the replay bound). @p takerId is the
    /// connection that takes it: a shared store lets only that connection write the session
    /// from then on (a late save of the old one is refused).
    virtual void take(const QString &pid, const QString &userId, quint64 after, quint64 takerId,
                      std::function<void(std::optional<Session>)> done) = 0;
    /// Drops what is past the window; called every second.
    virtual void prune() = 0;

    /// Of @p frames, those after @p after of namespace @p nsp that a socket in @p rooms, once
    /// connection @p session.connectionId of session.userId, would have received.
    static Frames select(const Frames &frames, const QString &userId, quint64 connectionId,
                         const QSet<QString> &rooms, const QString &nsp, quint64 after);
    /// Whether a socket of @p userId, once connection @p connectionId, in @p rooms would have
    /// received @p frame (its namespace aside).
    static bool receives(const OutboundFrame &frame, const QString &userId, quint64 connectionId,
                         const QSet<QString> &rooms);
};

/// Offsets as clients see them: a number for the in-process store, "<ms>-<seq>" (the Redis
/// stream id) for a shared one. A stream id is kept as bit 63 | ms << 20 | seq.
namespace StreamOffset {
constexpr quint64 kStreamBit = quint64(1) << 63;
QString text(quint64 offset);
/// 0 with @p ok false when @p text is neither form.
quint64 parse(const QString &text, bool *ok = nullptr);
QByteArray streamId(quint64 offset); // "<ms>-<seq>" ("0-0" for 0)
quint64 fromStreamId(const QByteArray &id, bool *ok = nullptr);
/// Adds "offset":"<text>" to the frame's native JSON (before it is first sent).
void stamp(OutboundFrame &frame);
} // namespace StreamOffset

} // namespace Switchboard
