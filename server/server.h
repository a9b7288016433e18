#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QReadWriteLock>
#include <QtCore/QTimer>

#include "auth/jwt.h"
#include "auth/roompolicy.h"
#include "bridge/bridge.h"
#include "cluster/broker.h"
#include "core/config.h"
#include "core/heaptrim.h"
#include "core/livelimits.h"
#include "metrics/eventlog.h"
#include "metrics/metrics.h"
#include "queue/offlinestore.h"
#include "queue/queueservice.h"
#include "rooms/registry.h"
#include "emit.h"
#include "http/edgepolicy.h"

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

class AckWaits;
class AdminAuth;
class AdminChannels;
class AuditLog;
class ClientEventHandler;
class ConnectHandler;
class ConnectProxy;
class Connection;
class ConnectionLog;
class EventProxy;
class FileWorker;
class IoWorker;
class JoinAuthorizer;
class NodeDrain;
class PresenceEvents;
class RedisEventStream;
class Router;
class SioHooks;
class SioRecovery;
class EventStream;
class SubscribeProxy;
class TlsContext;
class Webhooks;
class WsEndpoints;

/**
 * @brief The realtime server: owns the I/O threads, the registry, metrics and the event log.
 *
 * Everything the GUI and headless mode share lives here. All public methods are thread-safe;
 * sockets live in the I/O threads and are touched only there. The object itself may live in
 * the GUI thread: it only runs a once-a-second sampling timer.
 */
class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    explicit Server(const ServerConfig &config, QObject *parent = nullptr);
    ~Server() override;

    /// Binds every I/O thread to host:port. False (with @p error) when the port is taken.
    bool start(QString *error = nullptr);
    /// Stops accepting, closes every client with @p closeCode and joins the I/O threads.
    void stop(int closeCode = 1001, const QString &reason = QStringLiteral("server shutting down"));
    bool isRunning() const { return m_running; }

    const ServerConfig &config() const { return m_config; }
    /// The limits SIGHUP reloads (core/livelimits.h): read these, not config()'s copies.
    const LiveLimits &limits() const { return m_limits; }
    LiveLimits &limits() { return m_limits; }
    quint16 port() const { return m_port; }
    QString url() const;       // http://host:port
    QString wsUrl() const;     // ws://host:port/ws
    qint64 uptimeSeconds() const;
    int threadCount() const { return int(m_workers.size()); }

    Registry &registry() { return m_registry; }
    const Registry &registry() const { return m_registry; }
    Metrics &metrics() { return m_metrics; }
    EventLog &eventLog() { return m_eventLog; }
    /// Gives free heap pages back to the system every --heap-trim-interval while running.
    const HeapTrim &heapTrim() const { return m_heapTrim; }
    const RoomPolicy &roomPolicy() const { return m_policy; }
    /// The edge's per-address policy (docs/security.md): who the client is behind a proxy,
    /// and its HTTP request and handshake rates.
    const ClientAddress &clientAddress() const { return m_clientAddress; }
    /// The TLS context when --tls-cert is set (loaded by start()), else null.
    const std::shared_ptr<TlsContext> &tls() const { return m_tls; }
    /// Reads the certificate and key again (SIGHUP): new connections use them, open ones
    /// keep theirs. False with @p error (the old ones stay) when they cannot be used.
    bool reloadTls(QString *error);
    AddressRateLimits &httpRateLimits() { return m_httpRates; }
    AddressRateLimits &handshakeRateLimits() { return m_handshakeRates; }
    AddressConnectionCounts &connectionsPerAddress() { return m_connectionsPerAddress; }
    OfflineStore &offlineStore() { return *m_offline; }
    /// The durable queues (local or, with --redis, the cluster's); null while the server is
    /// stopped or when the store cannot open.
    QueueBackend *queueBackend() const { return m_queues.get(); }
    /// The single-node queue service (its blocking calls: tests, the console's dead-letter
    /// actions); null in cluster mode.
    QueueService *queues() const { return dynamic_cast<QueueService *>(m_queues.get()); }
    /// Hands a queue job to a consumer's connection (from the queue thread).
    void deliverJob(quint64 connectionId, const QString &queue, qint64 id, const QString &frame);
    /// Runs @p task with connection @p connectionId on its I/O thread, if it is still open
    /// then (any thread). Ordered with every other post to that thread. False when the
    /// connection is not known (not connected, or the server is stopped).
    bool postToConnection(quint64 connectionId, std::function<void(Connection *)> task);
    QByteArray jwtSecret() const { return m_config.jwtSecret.toUtf8(); }
    /// A client token checked with --jwt-secret, --jwt-leeway and --user-id-claim.
    Jwt::Result verifyToken(const QByteArray &token) const
    {
        Jwt::Result result = Jwt::verify(token, jwtSecret(), m_config.jwtLeewaySeconds, QDateTime::currentDateTimeUtc(), m_config.userIdClaims);
        // An admin token is no client token, whatever secrets an operator chose.
        if (result.ok() && result.claims.value(QLatin1String("aud")).toString() == QLatin1String("switchboard-admin")) {
            result.error = Jwt::Error::BadSignature;
            result.message = QStringLiteral("an admin token is not a client token");
        }
        return result;
    }

    // Socket.IO (docs/socketio.md).
    /// The in-process recovery log (a single node's Socket.IO recovery).
    SioRecovery &sioRecovery() const { return *m_sioRecovery; }
    /// Recorded events and recoverable sessions: the in-process log, or Redis in cluster mode.
    EventStream &eventStream() const { return *m_eventStream; }
    /// Server-side event handlers for Socket.IO sockets; null unless a fixture installs some.
    SioHooks *sioHooks() const { return m_sioHooks.get(); }
    /// Which I/O thread owns an Engine.IO session (any thread; null when unknown).
    IoWorker *engineIoOwner(const QString &sid) const;
    void registerEngineIo(const QString &sid, IoWorker *worker);
    void unregisterEngineIo(const QString &sid);
    /// Engine.IO sessions that have not connected a namespace count against
    /// --max-pending-sessions: false when the cap is reached (the handshake is refused).
    bool reservePendingSession();
    void releasePendingSession();
    int pendingSessions() const { return m_pendingSessions.load(std::memory_order_relaxed); }

    EmitResult emitEvent(EmitRequest request);
    /// --max-connections-per-user for connection @p connectionId of @p userId, about to open
    /// (any thread; docs/security.md). Admitted or Refused at once on a single node (evict-
    /// oldest has closed the user's oldest connections with 4004 "replaced by a newer
    /// connection"); in a cluster Pending, and @p later gets the verdict on any thread (see
    /// Broker::admitUser). Refused means close 1013.
    Broker::Admission admitUser(const QString &userId, quint64 connectionId, std::function<void(bool admitted)> later);
    /// An admitted connection of @p userId has closed, or did not open after all (any thread).
    void userConnectionClosed(const QString &userId, quint64 connectionId);
    /// Closes one connection (any thread). False when it is not connected.
    bool disconnectConnection(quint64 id, int code, const QString &reason);
    /// Server-side room membership change for one connection (console, admin API).
    bool joinRoom(quint64 id, const QString &room);
    bool leaveRoom(quint64 id, const QString &room);
    /// disconnectConnection / joinRoom / leaveRoom for a connection on any node of the
    /// cluster; @p done (any thread) gets whether some node had it.
    void connectionOp(quint64 id, Broker::ConnectionOp op, const QString &room, int code, const QString &reason,
                      std::function<void(bool found)> done);

    // Cluster mode (docs/cluster.md); a single node has a LocalBroker.
    Broker &broker() const { return *m_broker; }
    /// --node-name, or host:port.
    QString nodeName() const;
    /// This node as GET /api/cluster/nodes lists it.
    QJsonObject nodeJson() const;

    /// Checks an HTTP credential: "ok", "missing" or "forbidden".
    enum class AuthResult { Ok, Missing, Forbidden };
    AuthResult checkAdmin(const QByteArray &internalKey, const QByteArray &authorization) const;
    /// Admin credentials and roles, and the audit log (docs/operations.md, "Roles and audit").
    AdminAuth &adminAuth() const { return *m_adminAuth; }
    AuditLog &auditLog() const { return *m_auditLog; }
    /// The admin channel on /admin/ws (docs/admin-channel.md).
    AdminChannels &adminChannels() const { return *m_adminChannels; }
    /// Drain (POST /api/admin/drain): no new sessions, the open ones closed 1001 gradually.
    NodeDrain &drain() const { return *m_drain; }
    /// WebSocket paths served above the transport (the admin channel's), for the I/O threads.
    const WsEndpoints &wsEndpoints() const { return *m_wsEndpoints; }
    /// The HTTP routes (the admin channel runs its actions through them).
    const Router &router() const { return *m_router; }
    /// Asks the application to shut down as on SIGTERM (POST /api/admin/stop; any thread):
    /// stopRequested() is emitted on this object's thread shortly after.
    void requestStop();

    /// Per-second history (newest last), at most 900 samples (15 minutes).
    QList<MetricsSample> history() const;
    MetricsSample lastSample() const;

    QJsonObject healthJson() const;
    /// "stopped", "draining", "degraded" or "ok" (GET /health's status); @p degraded gets the
    /// broker's reason for "degraded".
    QString statusName(QString *degraded = nullptr) const;
    /// GET /ready: {"ready", "reason"?, "status"}: whether a load balancer should send this node
    /// new clients (running, not draining, joined to its cluster; docs/operations.md).
    QJsonObject readyJson() const;
    QJsonObject metricsJson() const;
    QJsonObject statsJson() const;
    /// Depth by state of every durable queue, plus totals.
    QJsonObject queuesJson() const;
    QByteArray prometheusText() const;
    /// State and per-binding counters of the message-broker bridges (GET /api/bridges).
    QJsonObject bridgesJson() const;
    /// The event proxy of --hooks (docs/hooks.md); null without one (any thread).
    ClientEventHandler *clientEvents() const;
    /// The subscribe proxy of --hooks "subscribe" (docs/hooks.md); null without (any thread).
    JoinAuthorizer *joinAuthorizer() const;
    /// Whether a subscribe-proxy rule covers a room (empty without the proxy; any thread).
    std::function<bool(const QString &)> subscribeRuleCovers() const;
    /// The connect proxy of --hooks' "connect" (docs/hooks.md); null without one (any thread).
    ConnectHandler *connectHandler() const;
    /// The lifecycle webhooks of --webhook-url (docs/hooks.md); null without (any thread).
    Webhooks *webhooks() const { return m_webhooks.get(); }

    // Back-end hooks (docs/hooks.md).
    /// HTTP emits waiting for their clients' acks ("waitMs").
    AckWaits &ackWaits() const { return *m_ackWaits; }
    /// Presence subscriptions: who watches which room's joins and leaves.
    PresenceEvents &presenceEvents() const { return *m_presenceEvents; }
    /// --log-connections: the audit trail of connects, disconnects, joins and leaves.
    ConnectionLog &connectionLog() const { return *m_connectionLog; }

    /// Called by I/O threads when a client acknowledges an acked emit. @p fromCluster: the
    /// ack was forwarded by another node, so this node is where it ends (never forwarded
    /// again: two nodes holding a route for the same emit id would bounce it for ever).
    void reportAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                   const QString &error, const QJsonArray &args = {}, bool fromCluster = false);

    /// Milliseconds on a monotonic clock shared by all threads.
    static qint64 monotonicMs();
    static qint64 monotonicNs();
    static QString newId();
    quint64 nextConnectionId() { return m_nextConnectionId.fetch_add(1, std::memory_order_relaxed); }

Q_SIGNALS:
    void started();
    void stopped();
    /// A client answered an acked emit. Emitted from an I/O thread.
    void ackReceived(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                     const QString &error);
    /// Once a second, after a new sample was taken.
    void sampled();
    /// requestStop() was called: the application shuts down as on SIGTERM.
    void stopRequested();

private:
    void sample();
    IoWorker *workerFor(quint64 connectionId) const;
    /// Hands @p message (an emit to offline @p userId) to the offline store; false, with the
    /// error in @p result, when the store is not open. @p whenPersisted gets the outcome.
    bool persistForOffline(std::function<void(const EmitResult &)> whenPersisted, const QString &userId,
                           QJsonObject message, EmitResult *result);

    ServerConfig m_config;
    LiveLimits m_limits{m_config};
    RoomPolicy m_policy;
    ClientAddress m_clientAddress;
    std::shared_ptr<TlsContext> m_tls;
    AddressRateLimits m_httpRates;
    AddressRateLimits m_handshakeRates;
    AddressConnectionCounts m_connectionsPerAddress;
    Registry m_registry;
    Metrics m_metrics;
    EventLog m_eventLog;
    // SQLite in the data dir (single node) or Redis (cluster); never null.
    std::unique_ptr<OfflineStore> m_offline;
    std::unique_ptr<QueueBackend> m_queues;
    std::unique_ptr<SioRecovery> m_sioRecovery;
    std::unique_ptr<RedisEventStream> m_redisEvents; // cluster mode
    EventStream *m_eventStream = nullptr;        // m_sioRecovery or m_redisEvents
    std::unique_ptr<SioHooks> m_sioHooks;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<AckWaits> m_ackWaits;
    std::unique_ptr<PresenceEvents> m_presenceEvents;
    std::unique_ptr<ConnectionLog> m_connectionLog;
    // Admin roles and audit (docs/operations.md): the file thread, who may do what, the log.
    std::unique_ptr<FileWorker> m_fileWorker;
    std::unique_ptr<AdminAuth> m_adminAuth;
    std::unique_ptr<AuditLog> m_auditLog;
    std::unique_ptr<WsEndpoints> m_wsEndpoints;
    std::unique_ptr<NodeDrain> m_drain;
    std::unique_ptr<AdminChannels> m_adminChannels;
    // --amqp: made by the first start() and kept (its counters outlive a stop); runs only
    // while the server does.
    std::unique_ptr<Bridge> m_bridge;
    // --hooks: made with the server (its counters outlive a stop); runs only while it does.
    std::unique_ptr<EventProxy> m_eventProxy;
    // --hooks "subscribe": likewise made with the server, running only while it does.
    std::unique_ptr<SubscribeProxy> m_subscribeProxy;
    // --hooks' "connect": likewise.
    std::unique_ptr<ConnectProxy> m_connectProxy;
    // --webhook-url: made with the server (its counters outlive a stop); runs only while it does.
    std::unique_ptr<Webhooks> m_webhooks;
    std::atomic<int> m_pendingSessions{0};
    mutable QMutex m_eioLock;
    QHash<QString, IoWorker *> m_eioOwners;
    Router *m_router = nullptr;
    std::atomic<quint64> m_nextConnectionId{1};
    std::vector<QThread *> m_threads;
    std::vector<IoWorker *> m_workers;
    // Written by the Server's thread, read by every other (HTTP routes, the stores' threads).
    std::atomic<bool> m_running{false};
    quint16 m_port = 0;
    qint64 m_startedMs = 0;
    QTimer m_sampleTimer;
    HeapTrim m_heapTrim;

    mutable QReadWriteLock m_historyLock;
    QList<MetricsSample> m_history;
    struct Totals { quint64 in = 0, out = 0, bytesIn = 0, bytesOut = 0, errors = 0; qint64 atMs = 0; };
    Totals m_lastTotals;
    std::array<quint64, LatencyHistogram::kBuckets> m_lastLatency{};
};

} // namespace Switchboard
