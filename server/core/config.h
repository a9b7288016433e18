#pragma once

#include <QtCore/QHash>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include "bridge/bindings.h"
#include "hooks/hookrules.h"
#include "hooks/webhooksettings.h"

namespace Switchboard {

/**
 * @brief Every option of the server, resolved from flags, environment, config file and
 * defaults (in that order of precedence). Plain data: copied into the Server at start.
 */
struct ServerConfig
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8080;
    QString jwtSecret;
    QString internalKey;
    QString adminToken;
    QString adminSecret;                       // signs admin tokens; never the client JWT secret
    qint64 auditMaxBytes = 10 * 1024 * 1024;   // audit.log rotates to audit.log.1 at this size
    int maxAdminChannels = 16;                 // admin channels (/admin/ws) open at once; more are refused 1013
    QString dataDir;
    int maxConnections = 10000;
    int heartbeatIntervalMs = 25000;
    int heartbeatTimeoutMs = 60000;
    qint64 maxMessageSize = 1024 * 1024;
    double rateLimit = 100.0;     // messages per second per connection
    double rateBurst = 200.0;     // bucket size
    int rateAbuseLimit = 100;     // messages refused within 10 s before the connection is closed 1008
    qint64 maxPendingBytes = 4 * 1024 * 1024; // outbound buffer cap per connection
    int handshakeTimeoutMs = 10000;
    double controlFrameRate = 10.0;  // WebSocket pings + pongs per second from a client (burst 2x); over it 1008
    int httpIdleTimeoutMs = 30000;   // a kept-alive HTTP connection idle this long after a response is closed
    int maxHttpConnections = 1024;   // HTTP connections (not upgraded) per server; more are closed at accept
    int maxQueuedEmits = 20000;   // per I/O thread; beyond it emits are refused as overloaded
    int maxRoomsPerConnection = 1000; // joins beyond it are refused with too_many_rooms
    int jwtLeewaySeconds = 30;
    int tokenExpiryWarningSeconds = 60;       // token_expiring this long before exp; 0 = none
    // Durable queues (SPEC section 4).
    qint64 queueVisibilityTimeoutMs = 30000; // unacked jobs return after this long
    qint64 queueBackoffBaseMs = 1000;         // retry delay: full jitter over base * 2^(failures-1)
    qint64 queueBackoffCapMs = 300000;        // ... capped at 5 minutes
    int queueMaxAttempts = 5;                 // default per message; then the dead-letter list
    qint64 queueMaxPayload = 256 * 1024;      // bytes of JSON per message
    bool queueFullSync = false;               // synchronous=FULL (power-loss safe) instead of NORMAL
    // Queues a client may consume that do not exist yet (wildcards, e.g. "booking_*"); any
    // other consume of a queue that does not exist is refused with unknown_queue.
    QStringList clientQueues;
    qint64 queueIdleTtlMs = 3600000;          // empty queues without consumers are removed after this; 0 = never
    int offlineMaxPerUser = 1000;             // persisted emits kept per offline user; oldest dropped
    qint64 offlineMaxBytesPerUser = 8 * 1024 * 1024; // their bytes per user; oldest dropped, a larger one refused
    int offlineLeaseMs = 30000;               // cluster: how long a dead node's connection keeps its offline events
    // Socket.IO v4 / Engine.IO v4 at socketioPath (docs/socketio.md); defaults are Socket.IO's.
    QString socketioPath = QStringLiteral("/socket.io/");
    int socketioPingIntervalMs = 25000;
    int socketioPingTimeoutMs = 20000;
    qint64 socketioMaxPayload = 1000000;
    int socketioConnectTimeoutMs = 45000;
    int socketioMaxAttachments = 10;          // binary attachments one packet may announce
    int socketioAckTimeoutMs = 30000;         // server->client acks not answered are reported failed
    int socketioRecoverySeconds = 120;        // connection state recovery window; 0 = off
    qint64 socketioRecoveryMaxBytes = 64 * 1024 * 1024; // recovery log bound; oldest events go first
    // Cluster mode: the Redis Stream of recorded events (docs/cluster.md, "Recovery").
    qint64 recoveryStreamMaxLen = 100000;     // entries the stream keeps
    int recoveryStreamMaxAgeSeconds = 0;      // trimmed by Redis' clock; 0 = by length and bytes only
    qint64 recoveryStreamMaxBytes = 64 * 1024 * 1024; // bytes of entries the stream keeps
    qint64 recoveryReplayMaxBytes = 8 * 1024 * 1024; // one recovery or resume replays at most this
    int maxPendingSessions = 1000;            // Engine.IO sessions without a connected namespace
    QStringList socketioNamespaces;           // besides "/"
    QString socketioCorsOrigin;               // empty: no CORS headers; "*": any origin
    bool socketioAllowAnonymous = false;      // connect without a token (test fixture only)
    bool socketioTestFixture = false;         // the official protocol suites' server (echo handlers)
    // Client events that join or leave rooms ("name=join:template" / "name=leave:template";
    // "{}" in the template is the event's first argument), with the built-in join_room and
    // leave_room.
    struct RoomEvent { bool join = true; QString tmpl; };
    QHash<QString, RoomEvent> roomEvents{{QStringLiteral("join_room"), {true, QStringLiteral("{}")}},
                                         {QStringLiteral("leave_room"), {false, QStringLiteral("{}")}}};
    QString redisUrl;                         // cluster mode when set (docs/cluster.md)
    QString redisKey = QStringLiteral("socket.io"); // the Socket.IO Redis adapter's default
    QString nodeName;                         // empty: host:port
    int clusterHeartbeatMs = 2000;
    QString logFormat = QStringLiteral("text");
    QString logLevel = QStringLiteral("info");  // debug, info, warning or critical (reloaded on SIGHUP)
    QString lang;
    int threads = 0; // 0 = number of cores
    int heapTrimIntervalSeconds = 30;         // free heap pages go back to the kernel this often; 0 = never
    // Rooms built from token claims, e.g. "company:{companyId}", "shop:{shopIds[]}".
    QStringList claimRooms;
    // Room-name patterns (wildcard, e.g. "order:*") a client may subscribe to; empty = any
    // room except other users' "user:" rooms and "role:" rooms.
    QStringList allowedRooms;
    QStringList allowedOrigins;               // WebSocket upgrades and Engine.IO; empty: any
    QStringList trustedProxies;               // peers whose X-Forwarded-For is believed
    int httpRateLimit = 0;                    // HTTP requests per second per client address; 0: off
    int handshakeRateLimit = 0;               // WebSocket / Engine.IO handshakes per second per address; 0: off
    int maxConnectionsPerUser = 0;            // connections per user id on this node; 0: unlimited
    bool evictOldestUserConnection = false;   // --user-connection-policy evict-oldest (else refuse)
    int maxConnectionsPerIp = 0;              // open WebSocket connections and Engine.IO sessions per address; 0: off
    QString tlsCert;                          // PEM chain; with tlsKey the port is TLS only
    QString tlsKey;
    // RabbitMQ bridge (docs/bridges.md): both set, or neither.
    QString amqpUrl;                          // amqp://user:pass@host:5672/vhost
    QString amqpBindingsFile;
    QList<AmqpBinding> amqpBindings;          // parsed from amqpBindingsFile at load
    AmqpTls amqpTls;                          // --amqp-ca, --amqp-cert, --amqp-key (amqps:// only)
    // Back-end hooks (docs/hooks.md): the event proxy's rules, and the key that signs its calls.
    QString hooksFile;
    HookSettings hooks;                       // parsed from hooksFile at load
    QString hooksSecret;
    WebhookSettings webhooks;                 // lifecycle webhooks (--webhook-*), signed with hooksSecret

    // Back-end hooks (docs/hooks.md): acks back, presence events, audit trail.
    int maxAckWaitMs = 30000;                 // longest "waitMs" of an acked HTTP emit
    int maxAckWaits = 1000;                   // acked emits waiting at once; more get 503
    qint64 maxAckBytes = 1024 * 1024;         // ack replies one waiting emit keeps; the rest are counted
    QStringList presenceRooms;                // room patterns clients may watch presence of; empty: off
    int maxPresenceSubscriptions = 50;        // presence subscriptions per connection
    double presenceEventRate = 100.0;         // presence events per second per connection (burst 2x)
    QString logConnections;                   // audit trail: empty (off), "text" or "json"

    // Identity, in-band authentication and migration aids (docs/migrating.md, docs/security.md).
    QStringList userIdClaims;                 // --user-id-claim, first present wins; empty: "sub", then "userId"
    int authGraceMs = 0;                      // connect without a token, authenticate within this; 0: a token is required
    QStringList claimRoomsQuery;              // query parameters --claim-rooms templates may use besides claims
    QString relayRoomKey = QStringLiteral("room"); // payload field naming the room of a client relay
    QString socketioConnectedEvent;           // emitted with the socket id after CONNECT; empty: none
    QHash<int, QString> connectErrorMessages; // Socket.IO connect_error message by close code
    QHash<QString, QString> envAliases;       // option -> another environment variable (config file "env")

    int effectiveThreads() const;
};

/**
 * @brief Resolves a ServerConfig with the precedence flag > env > file > default.
 */
class ConfigLoader final
{
public:
    struct Option
    {
        QString name;        // flag name without dashes, e.g. "max-connections"
        QString valueName;   // shown in --help; empty for switches
        QString description;
    };

    /// Every option the server understands, for --help and for env/file lookup.
    static const QList<Option> &options();

    /// Environment variable for an option: "max-connections" -> "SWITCHBOARD_MAX_CONNECTIONS".
    static QString envName(const QString &option);

    /**
     * Resolves the config. @p flags holds options given on the command line (name -> value),
     * @p env the process environment, @p configFile a JSON file path (may be empty; a flag,
     * or SWITCHBOARD_CONFIG, can name it too). Returns false and sets @p error when a value
     * does not parse or the file cannot be read.
     */
    static bool load(const QHash<QString, QString> &flags, const QHash<QString, QString> &env,
                     ServerConfig *config, QString *error);

    static QHash<QString, QString> systemEnvironment();
};

} // namespace Switchboard
