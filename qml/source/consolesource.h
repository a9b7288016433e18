#pragma once

#include <functional>
#include <optional>

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include "emit.h"
#include "metrics/eventlog.h"
#include "metrics/metrics.h"
#include "queue/queuemessage.h"
#include "rooms/registry.h"

namespace Switchboard {

/// What the Overview and the navigation rail show: one read of the node's headline figures.
struct SourceStatus
{
    bool running = false;
    QString url;
    QString wsUrl;
    int threads = 0;
    qint64 uptime = 0;
    int connections = 0;
    int users = 0;
    int rooms = 0;
    qint64 totalConnections = 0;
    qint64 authFailures = 0;
    qint64 rateLimited = 0;
    qint64 errorsTotal = 0;
    MetricsSample sample;
    bool clustered = false;
    QString nodeName;
    QString redisAddress;
    QString degradedReason;
    QJsonArray nodes;   // /api/cluster/nodes "nodes" entries (name, state, connections, ...)
    bool draining = false; // POST /api/admin/drain: no new sessions, the open ones closed gradually
};

/// The node's configuration as the Settings page shows it. Secrets are empty for a remote node.
struct SourceSettings
{
    QString host;
    int port = 0;
    QString url;
    QString wsUrl;
    QString dataDir;
    int threads = 0;
    int maxConnections = 0;
    int heartbeatInterval = 0;
    int heartbeatTimeout = 0;
    qint64 maxMessageSize = 0;
    double rateLimit = 0;
    double rateBurst = 0;
    qint64 maxPendingBytes = 0;
    QString redisUrl;
    int queueMaxAttempts = 5;
    qint64 queueMaxPayload = 0;
    QString jwtSecret;
    QString internalKey;
    QString adminToken;
};

/// The queue store as the Queues page sees it.
struct SourceQueueInfo
{
    bool available = false;
    bool durable = false;
    QString description;
};

/// A typed action result, the same for a local call and an admin channel "result".
struct SourceResult
{
    bool ok = false;
    QString result;     // "ok", "unauthenticated", "forbidden", "not_found", "invalid", "error"
    QString message;
    QJsonObject data;
};
using SourceCallback = std::function<void(const SourceResult &)>;

/**
 * What waiting for an acked console emit's acks gave: the answer of the HTTP emit with
 * "ack": true and "waitMs" (docs/hooks.md, "Acks back to the emitter"), whose "delivered"
 * counts the sockets of every node of a cluster, not only this one's.
 */
struct SourceAckWait
{
    struct Ack
    {
        quint64 connectionId = 0;
        QString userId;
        bool ok = true;
        QString error;
    };
    QString error;          // the wait could not run or its answer was lost; the rest is unset
    int delivered = -1;     // sockets of every node the event was handed to (-1: not known)
    bool complete = false;  // every socket answered (and, in a cluster, every node reported)
    QList<Ack> acks;        // the answers, in the order the node collected them
    int timedOut = 0;       // sockets that had not answered when the wait ended
    int omitted = 0;        // answers over the node's --max-ack-bytes, counted only
    bool live = false;      // every ack came through ConsoleSource::ackReceived() already, as it
                            // arrived: "acks" holds none of them or repeats them

    /// Reads the "waitMs" answer of POST /api/v1/internal/emit (or AckWaits' result).
    static SourceAckWait fromJson(const QJsonObject &answer);
    /// An ack entry's "connectionId": a decimal string, or a number from an older node.
    static quint64 connectionIdOf(const QJsonValue &id);
};

/// A room (or user) and its member (or connection) count, on a cluster node when known.
struct SourceRoom
{
    QString name;
    int count = 0;
    QString node;   // empty: the node the console shows (a rooms query for this node only)
};

/// A page of dead letters.
struct SourceDeadLetters
{
    QList<QueueMessage> rows;
    qint64 total = 0;
    QString error;
};

/**
 * @brief The one interface through which every console view model reads its data and runs its
 * actions (docs/console.md, "Local and remote").
 *
 * LocalSource wraps the Server embedded in the process; RemoteSource is a client of a node's
 * admin channel (docs/admin-channel.md). Reads return what the source holds now and never
 * block: a remote source answers from what the channel last pushed. Actions are asynchronous
 * (the callback runs on the GUI thread; a local source may call it before returning).
 *
 * Detail data travels only while a page wants it: a model calls subscribe() with its query
 * while it is active and unsubscribe() when it is not; a local source ignores both.
 * connections() may be called from a worker thread; everything else is for the GUI thread.
 */
class ConsoleSource : public QObject
{
    Q_OBJECT

public:
    /// Where the link to the data stands. A local source is always Local.
    enum class Link { Local, Connecting, Connected, Reconnecting, Refused };
    Q_ENUM(Link)

    using QObject::QObject;

    virtual bool isRemote() const = 0;
    virtual Link link() const = 0;
    /// Why the link is down (empty while connected), e.g. "connection refused", "token revoked".
    virtual QString linkError() const { return {}; }
    /// Data last received while connected is shown, flagged as stale, while the link is down.
    bool isStale() const { return link() != Link::Local && link() != Link::Connected; }
    /// "viewer", "operator" or "admin"; a local console is admin.
    virtual QString role() const = 0;
    /// The least role @p action needs ("" when the source does not say: allowed).
    virtual QString requiredRole(const QString &action) const { Q_UNUSED(action); return {}; }
    bool allows(const QString &action) const;
    /// A profile's forced read-only mode: every action but reads is refused here, before the
    /// node would refuse it too.
    bool isReadOnly() const { return m_readOnly; }
    void setReadOnly(bool readOnly);
    /// Whether the console may start and stop the node itself (only the embedded one).
    virtual bool canStartStop() const { return false; }
    virtual bool start(QString *error) { Q_UNUSED(error); return false; }
    virtual void stop() {}
    /// What the console calls the node: the URL it shows.
    virtual QString displayName() const = 0;

    virtual SourceStatus status() const = 0;
    virtual SourceSettings settings() const = 0;
    virtual QList<MetricsSample> history() const = 0;

    /// Streams: "connection" (one connection's details, query {"id"}), "connections", "rooms", "events", "queues", "deadletters", "history", "bridges".
    virtual void subscribe(const QString &stream, const QJsonObject &query) { Q_UNUSED(stream); Q_UNUSED(query); }
    virtual void unsubscribe(const QString &stream) { Q_UNUSED(stream); }

    /// Connections: all of them locally; the subscribed page (already filtered, sorted and paged
    /// on the node) remotely. Thread-safe.
    virtual QList<ConnectionSnapshot> connections() const = 0;
    /// The number of connections the connections query matches (locally: all).
    virtual int connectionsTotal() const = 0;
    /// Whether connections() are filtered, sorted and paged by the node (the query's job).
    virtual bool pagesOnServer() const { return false; }
    virtual std::optional<ConnectionSnapshot> connection(quint64 id) const = 0;
    /// Room (or user) name -> members.
    virtual QHash<QString, int> roomCounts(bool users) const = 0;
    /// The rooms (or users) the rooms query asked for, with the node each row is on: a remote
    /// node asked for another node ("node": its name) or all of them ("*") says which.
    virtual QList<SourceRoom> rooms(bool users) const;
    /// The cluster node connection @p id is on (empty when not clustered or not known).
    virtual QString nodeOf(quint64 id) const { Q_UNUSED(id); return {}; }
    /**
     * Why the node could not answer a stream's "node" query as asked (a node of an older
     * version lists only its own rows), for the page to say so; empty when it did.
     */
    virtual QString nodeQueryProblem(const QString &stream) const { Q_UNUSED(stream); return {}; }
    /// Event log entries newer than @p seq, oldest first, and how many the log left out.
    virtual QList<EventLog::Entry> eventsSince(quint64 seq) const = 0;
    virtual quint64 eventsSkipped() const = 0;
    /// Server::bridgesJson()'s "bridges" array.
    virtual QJsonArray bridges() const = 0;
    virtual SourceQueueInfo queueInfo() const = 0;
    virtual QList<QueueStats> queueStats() const = 0;
    /// A page of dead letters of @p queue; @p done runs on the GUI thread.
    virtual void deadLetters(const QString &queue, int offset, int limit,
                             std::function<void(const SourceDeadLetters &)> done) = 0;

    /**
     * Runs admin action @p action ("disconnect", "join", "leave", "retry_dead", "purge_dead",
     * "enqueue", "emit", "connection", "drain", "stop") with @p args as the admin channel names
     * them. Returns false (and calls nothing) when it cannot even be sent.
     *
     * Two more run through the node's HTTP admin routes (docs/console.md, "Drain and tokens"):
     * "undrain" (POST /api/admin/undrain) and "mint_token" (POST /api/admin/tokens, args
     * {role, name, ttl}, data {token}). A node without those routes answers "not_found".
     */
    virtual bool action(const QString &action, const QJsonObject &args, SourceCallback done) = 0;

    /**
     * Sends a console emit. @p done gets the result on the GUI thread (a local source calls it
     * before returning). For an acked emit with @p ackWaitMs > 0 the source also waits up to
     * that long for the clients' acks on every node and hands the outcome to @p waited, on the
     * GUI thread (always, once @p done ran without an error). When the outcome says "live",
     * each ack came through ackReceived() as it arrived: a local source's from the server, a
     * remote one's from the node's "acks" pushes (every quarter second); otherwise (an older
     * node, or more emits waiting on the channel than it follows) they are in the outcome.
     */
    virtual void emitEvent(const EmitRequest &request, int ackWaitMs, std::function<void(const EmitResult &)> done,
                           std::function<void(const SourceAckWait &)> waited) = 0;
    void emitEvent(const EmitRequest &request, std::function<void(const EmitResult &)> done)
    {
        emitEvent(request, 0, std::move(done), {});
    }

    static int roleRank(const QString &role);

Q_SIGNALS:
    void linkChanged();
    void roleChanged();
    /// About once a second, after a new metrics sample (local) or summary (remote).
    void sampled();
    /// A stream's data changed (remote: a snapshot or diff arrived).
    void streamChanged(const QString &stream);
    /// Emitted by a source whose node restarted or that reattached: models re-read everything.
    void reset();
    /// A client acked a console emit. Emitted on the thread that read the ack (a local
    /// source: an I/O thread; a remote one: the GUI thread): connect with
    /// Qt::DirectConnection, filter, and queue the rest to your own thread.
    void ackReceived(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                     const QString &error);

private:
    bool m_readOnly = false;
};

} // namespace Switchboard
