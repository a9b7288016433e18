#pragma once

#include <functional>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include "protocol/ratelimiter.h"
#include "queue/offlinestore.h"
#include "transport/clientevents.h"
#include "transport/joinauthorizer.h"

namespace Switchboard {

class IoWorker;
class LiveLimits;
class Server;
struct ConnectionInfo;
struct OutboundFrame;

/**
 * @brief One authenticated client, whatever protocol it speaks: identity, rooms, rate limit,
 * the persisted events and queue jobs it holds, and its entry in the registry.
 *
 * Subclasses speak a wire protocol (NativeConnection: the JSON protocol on /ws;
 * SioConnection: Socket.IO on /socket.io/). Owned by its IoWorker and used only on that
 * worker's thread.
 */
/**
 * @brief While one is open on a thread, Connection::countOut() adds the server's message and
 * byte totals up locally; they reach Metrics once, when it closes. A fan-out to 1,000
 * sockets then updates the shared counters once, not 2,000 times.
 */
class OutTally final
{
    Q_DISABLE_COPY_MOVE(OutTally)

public:
    explicit OutTally(Server &server);
    ~OutTally();
    /// Messages counted since it opened.
    quint64 messages() const { return m_messages; }

private:
    friend class Connection;
    Server &m_server;
    OutTally *m_outer;
    quint64 m_messages = 0;
    quint64 m_bytes = 0;
};

class Connection : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    ~Connection() override;

    /// Zero until the client has authenticated (activate()). Kept here, not only in the shared
    /// ConnectionInfo: a fan-out reads it for every member (the except-sender check).
    quint64 id() const { return m_id; }
    const QString &userId() const;
    bool isActive() const { return m_info != nullptr; }
    const ConnectionInfo &info() const { return *m_info; }
    const QSet<QString> &rooms() const { return m_rooms; }

    /// Sends one server-originated event frame; false when it was not sent (closing, slow).
    virtual bool deliver(const OutboundFrame &frame) = 0;
    /// Sends a queue job and remembers it, so the client's ack/nack goes to the queue.
    virtual void sendJob(const QString &queue, qint64 id, const QString &frame);
    virtual void close(int code, const QString &reason) = 0;
    virtual void abort() = 0;
    virtual bool isClosing() const = 0;
    /// Heartbeat bookkeeping, called by the worker's single sweep timer.
    virtual void heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs) = 0;

    /// False when already in @p room, or when it would exceed --max-rooms-per-connection
    /// (clients are answered first, see checkJoin()).
    bool join(const QString &room);
    bool leave(const QString &room);

    /// The limits a reload changed (core/livelimits.h) reach this open connection: its rate
    /// bucket here, its stream's message size and byte budget in the protocol's override
    /// (which calls this one). On the connection's I/O thread.
    virtual void applyLimits(const LiveLimits &limits);

    /// A presence event (rooms/presenceevents.h) in the client's protocol; @p nsp is the
    /// Socket.IO namespace the subscription came from.
    virtual void sendPresence(const QString &nsp, const QString &event, const QJsonObject &data) = 0;

    /// The session ends when the token's "exp" claim (plus --jwt-leeway) passes; none without
    /// one. A new token for the same user (native "refresh") moves it. The claims are kept
    /// for the event proxy.
    void setTokenExpiry(const QJsonObject &claims);

protected:
    Connection(IoWorker &worker, Server &server, QObject *parent);

    /// The client is authenticated: enters the registry and the worker's room index.
    void activate(std::shared_ptr<ConnectionInfo> info, const QStringList &rooms);
    /// The client is gone: leaves the registry, returns held jobs and persisted events, and
    /// tells the worker (which forgets it). Idempotent.
    void finish(int closeCode, const QString &detail);

    void countIn(qint64 bytes);
    /// One message of @p bytes written to this client: its own counters at once; the server's
    /// totals at once too, or once per fan-out while an OutTally is open on this thread.
    void countOut(qint64 bytes);
    /// True (and counted, logged, maybe closing the connection) when over the rate limit.
    /// @p answer is called with (code, message) for the protocol's error reply.
    bool rateLimited(qint64 nowMs, const std::function<void(const QString &, const QString &)> &answer);
    /// Asks the offline store for the user's persisted events. They come back later, on this
    /// thread, through deliverOffline() (not at all when there are none); the I/O thread
    /// never waits for SQLite.
    void requestOffline();
    /// The persisted events requestOffline() asked for, leased to this connection: sends each
    /// so that the client's ack settles it (settleOffline()).
    virtual void deliverOffline(const QList<OfflineStore::Pending> &events) = 0;
    /// Persisted events acknowledged by the client are removed from the store (on its thread).
    bool settleOffline(const QString &eventId);
    /// Why a client may not join @p room: an error code (too_many_rooms over
    /// --max-rooms-per-connection, invalid_room for a name that is too long, forbidden by the
    /// room policy) and its message; empty when it may.
    struct Refusal { QString code; QString message; bool isEmpty() const { return code.isEmpty(); } };
    Refusal checkJoin(const QString &room) const;
    /// presence_subscribe / presence_unsubscribe of @p room (from namespace @p nsp): empty
    /// when done, else why not (the snapshot follows through sendPresence()).
    Refusal watchPresence(const QString &nsp, const QString &room, bool subscribe);
    /// Called by heartbeat(): warns once --token-expiry-warning ahead (tokenExpiring()), then
    /// closes with 4002 "token expired" when the token's time is up. True when it closed.
    bool checkTokenExpiry(qint64 nowMs);
    /// The token expires in @p seconds: tell the client in its protocol.
    virtual void tokenExpiring(int seconds) = 0;
    /// Whether the event proxy (--hooks, docs/hooks.md) takes client events named @p event.
    bool isHooked(const QString &event) const;
    /// Hands @p event, with this connection's identity and claims, to the event proxy.
    /// @p answered runs later on this thread with the answer, unless the connection is gone.
    void forwardEvent(ClientEvent event, std::function<void(Connection &, const ClientEventAnswer &)> answered);

    // Client joins waiting for the subscribe proxy (connectionjoins.cpp, docs/hooks.md).
    /// Whether a client's join of @p room waits for the subscribe proxy: a rule matches it and
    /// the connection is not in it yet.
    bool joinNeedsDecision(const QString &room) const;
    /**
     * Asks the subscribe proxy whether this client may join @p room (from Socket.IO namespace
     * @p nsp), which checkJoin() has allowed. @p decided runs once on this thread: with an empty
     * refusal once the room is joined, else why not — too_many_pending at once when the
     * connection has --hooks "subscribeMaxPending" joins waiting, "cancelled" when the room
     * is left first. Never when the connection is gone first.
     */
    void authorizeJoin(const QString &room, const QString &nsp, std::function<void(const Refusal &)> decided);
    /// Joins asked from Socket.IO namespace @p nsp still waiting are answered "cancelled" and
    /// never made: the client left that namespace.
    void cancelPendingJoinsFrom(const QString &nsp);

    IoWorker &m_worker;
    Server &m_server;
    std::shared_ptr<ConnectionInfo> m_info;
    quint64 m_id = 0; // m_info->id once active
    QSet<QString> m_rooms;
    QSet<QString> m_consuming;        // queues this connection consumes
    QHash<qint64, QString> m_jobs;    // jobs it holds: id -> queue
    QHash<QString, qint64> m_offline; // persisted events sent and not yet acked: event id -> row
    RateLimiter m_limiter;
    bool m_finished = false;
    qint64 m_expiresAtMs = 0;     // monotonic; 0 = the token has no exp
    bool m_expiryWarned = false;
    QJsonObject m_claims;         // the token's, for the event proxy

private:
    struct PendingJoin
    {
        QString room;
        QString nsp;
        std::function<void(const Refusal &)> decided;
    };
    /// The subscribe proxy's decision on join @p ticket, back on this thread.
    void joinDecided(quint64 ticket, const JoinDecision &decision);
    /// Joins of @p room still waiting are answered "cancelled" (the room is being left).
    void cancelPendingJoins(const QString &room);

    QHash<quint64, PendingJoin> m_pendingJoins; // ticket -> join waiting for the subscribe proxy
    quint64 m_nextJoinTicket = 1;
};

} // namespace Switchboard
