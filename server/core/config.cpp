#include "config.h"

#include <cmath>
#include <limits>

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtNetwork/QHostAddress>

#include "auth/roompolicy.h"
#include "cluster/redislink.h"

namespace Switchboard {

int ServerConfig::effectiveThreads() const
{
    return threads > 0 ? threads : qMax(1, QThread::idealThreadCount());
}

const QList<ConfigLoader::Option> &ConfigLoader::options()
{
    static const QList<Option> list = {
        {QStringLiteral("config"), QStringLiteral("file"), QStringLiteral("JSON config file.")},
        {QStringLiteral("host"), QStringLiteral("address"), QStringLiteral("Listen address (default 127.0.0.1).")},
        {QStringLiteral("port"), QStringLiteral("port"), QStringLiteral("Listen port (default 8080, 0 = any free port).")},
        {QStringLiteral("jwt-secret"), QStringLiteral("secret"), QStringLiteral("HS256 secret for client tokens (default: generated and kept in the data dir).")},
        {QStringLiteral("jwt-leeway"), QStringLiteral("seconds"), QStringLiteral("Clock skew allowed on a token's exp and nbf (default 30).")},
        {QStringLiteral("token-expiry-warning"), QStringLiteral("seconds"), QStringLiteral("Warn clients this long before their token's exp closes the session (default 60; 0 = no warning).")},
        {QStringLiteral("internal-key"), QStringLiteral("key"), QStringLiteral("Key for x-internal-key on mutating HTTP routes.")},
        {QStringLiteral("admin-token"), QStringLiteral("token"), QStringLiteral("Static bearer token for admin HTTP routes (role admin, name \"static\").")},
        {QStringLiteral("admin-secret"), QStringLiteral("secret"), QStringLiteral("HS256 secret for admin tokens, kept apart from --jwt-secret (default: generated and kept in the data dir).")},
        {QStringLiteral("audit-max-bytes"), QStringLiteral("bytes"), QStringLiteral("Size at which audit.log is rotated to audit.log.1 (default 10485760, at least 4096).")},
        {QStringLiteral("data-dir"), QStringLiteral("dir"), QStringLiteral("Directory for SQLite files and the generated secret.")},
        {QStringLiteral("max-connections"), QStringLiteral("n"), QStringLiteral("Maximum WebSocket connections (default 10000).")},
        {QStringLiteral("heartbeat-interval"), QStringLiteral("ms"), QStringLiteral("Server ping interval (default 25000).")},
        {QStringLiteral("heartbeat-timeout"), QStringLiteral("ms"), QStringLiteral("Close peers silent for this long (default 60000).")},
        {QStringLiteral("max-message-size"), QStringLiteral("bytes"), QStringLiteral("Largest client message (default 1048576).")},
        {QStringLiteral("rate-limit"), QStringLiteral("n"), QStringLiteral("Messages per second per connection (default 100).")},
        {QStringLiteral("rate-burst"), QStringLiteral("n"), QStringLiteral("Token bucket size (default 200).")},
        {QStringLiteral("max-admin-channels"), QStringLiteral("n"), QStringLiteral("Admin channels (/admin/ws, docs/admin-channel.md) open at once; more are refused with 1013 (default 16).")},
        {QStringLiteral("max-pending-bytes"), QStringLiteral("bytes"), QStringLiteral("Outbound buffer cap per connection before it is dropped as a slow consumer (default 4194304).")},
        {QStringLiteral("max-rooms-per-connection"), QStringLiteral("n"), QStringLiteral("Rooms one connection may be in; joins beyond it are refused with too_many_rooms (default 1000).")},
        {QStringLiteral("control-frame-rate"), QStringLiteral("n"), QStringLiteral("WebSocket pings and pongs a client may send per second (burst twice that); over it the connection is closed with 1008 (default 10).")},
        {QStringLiteral("http-idle-timeout"), QStringLiteral("ms"), QStringLiteral("Close kept-alive HTTP connections idle this long after a response (default 30000).")},
        {QStringLiteral("max-http-connections"), QStringLiteral("n"), QStringLiteral("Open HTTP connections (not upgraded to WebSocket) per server; more are closed at accept (default 1024).")},
        {QStringLiteral("max-queued-emits"), QStringLiteral("n"), QStringLiteral("Emits waiting per I/O thread before new ones are refused as overloaded (default 20000).")},
        {QStringLiteral("queue-visibility-timeout"), QStringLiteral("ms"), QStringLiteral("Unacknowledged queue jobs return to the queue after this long (default 30000).")},
        {QStringLiteral("queue-backoff-base"), QStringLiteral("ms"), QStringLiteral("Retry backoff base; the delay is random in [0, base * 2^(failures-1)] (default 1000).")},
        {QStringLiteral("queue-backoff-cap"), QStringLiteral("ms"), QStringLiteral("Longest retry backoff (default 300000).")},
        {QStringLiteral("queue-max-attempts"), QStringLiteral("n"), QStringLiteral("Deliveries before a message is dead-lettered, unless it sets its own (default 5).")},
        {QStringLiteral("queue-max-payload"), QStringLiteral("bytes"), QStringLiteral("Largest queue message payload as JSON (default 262144).")},
        {QStringLiteral("queue-sync"), QStringLiteral("normal|full"), QStringLiteral("SQLite durability: normal survives a process crash, full also a power cut (default normal).")},
        {QStringLiteral("client-queues"), QStringLiteral("patterns"), QStringLiteral("Comma-separated wildcard patterns of queues clients may consume before they exist, e.g. booking_* (default: none; only existing queues).")},
        {QStringLiteral("queue-idle-ttl"), QStringLiteral("ms"), QStringLiteral("Remove queues that stay empty (no dead letters either) and without consumers this long; 0 = never (default 3600000).")},
        {QStringLiteral("offline-max-per-user"), QStringLiteral("n"), QStringLiteral("Persisted emits kept per offline user; the oldest are dropped beyond it (default 1000).")},
        {QStringLiteral("offline-max-bytes-per-user"), QStringLiteral("bytes"), QStringLiteral("Bytes of persisted emits kept per offline user; the oldest are dropped beyond it, a larger event is refused (default 8388608).")},
        {QStringLiteral("offline-lease"), QStringLiteral("ms"), QStringLiteral("Cluster mode: a connection's unacknowledged offline events go to another connection this long after its node died (default 30000).")},
        {QStringLiteral("handshake-timeout"), QStringLiteral("ms"), QStringLiteral("Close TCP connections that send no request within this time (default 10000).")},
        {QStringLiteral("claim-rooms"), QStringLiteral("templates"), QStringLiteral("Comma-separated room templates from token claims: any number of {claim} placeholders and at most one {claim[]} list each, e.g. company:{companyId},{user_type}:{sub},shop:{shopIds[]}.")},
        {QStringLiteral("allowed-origins"), QStringLiteral("origins"), QStringLiteral("Comma-separated origins browsers may open sessions from: exact, https://*.example.com or * (default: any).")},
        {QStringLiteral("trusted-proxies"), QStringLiteral("addresses"), QStringLiteral("Comma-separated proxy addresses or CIDR subnets whose X-Forwarded-For names the client (default: none).")},
        {QStringLiteral("http-rate-limit"), QStringLiteral("n"), QStringLiteral("HTTP requests per second per client address, burst twice that; 429 beyond (default 0: off).")},
        {QStringLiteral("handshake-rate-limit"), QStringLiteral("n"), QStringLiteral("WebSocket and Engine.IO handshakes per second per client address, burst twice that (default 0: off).")},
        {QStringLiteral("max-connections-per-user"), QStringLiteral("n"), QStringLiteral("Connections one user id may hold (native and Socket.IO together; with --redis, in the whole cluster); see --user-connection-policy (default 0: unlimited).")},
        {QStringLiteral("user-connection-policy"), QStringLiteral("refuse|evict-oldest"), QStringLiteral("Over --max-connections-per-user: refuse the new connection (1013) or close the user's oldest (4004 \"replaced by a newer connection\") (default refuse).")},
        {QStringLiteral("max-connections-per-ip"), QStringLiteral("n"), QStringLiteral("Open WebSocket connections and Engine.IO sessions per client address; handshakes beyond get 429 (default 0: unlimited).")},
        {QStringLiteral("tls-cert"), QStringLiteral("file"), QStringLiteral("TLS: certificate chain (PEM, leaf first); with --tls-key the port serves https:// and wss:// only. SIGHUP reloads both files.")},
        {QStringLiteral("tls-key"), QStringLiteral("file"), QStringLiteral("TLS: the certificate's private key (PEM, unencrypted).")},
        {QStringLiteral("amqp"), QStringLiteral("url"), QStringLiteral("RabbitMQ bridge: the broker, amqp://user:pass@host:5672/vhost; needs --amqp-bindings (docs/bridges.md).")},
        {QStringLiteral("amqp-bindings"), QStringLiteral("file"), QStringLiteral("RabbitMQ bridge: JSON file of bindings (exchange, queue, routing keys, event and room templates).")},
        {QStringLiteral("amqp-ca"), QStringLiteral("file"), QStringLiteral("RabbitMQ bridge over amqps://: CA certificates (PEM) the broker's certificate is checked against (default: the system's).")},
        {QStringLiteral("amqp-cert"), QStringLiteral("file"), QStringLiteral("RabbitMQ bridge over amqps://: client certificate (PEM) for brokers that ask for one; with --amqp-key.")},
        {QStringLiteral("amqp-key"), QStringLiteral("file"), QStringLiteral("RabbitMQ bridge over amqps://: the client certificate's private key (PEM, unencrypted).")},
        {QStringLiteral("hooks"), QStringLiteral("file"), QStringLiteral("Back-end hooks: JSON file of event-proxy rules (event patterns, back-end URL or durable queue, timeouts, retries), subscribe-proxy rules (room patterns, back-end URL, decision cache) and the optional connect proxy (docs/hooks.md).")},
        {QStringLiteral("hooks-secret"), QStringLiteral("secret"), QStringLiteral("Back-end hooks: shared secret of the HMAC-SHA256 signature on every call (required when a rule has a url, or with --webhook-url).")},
        {QStringLiteral("webhook-url"), QStringLiteral("url"), QStringLiteral("Lifecycle webhooks: POST batches of connect, disconnect, join, leave and dead-letter events here, signed with --hooks-secret (docs/hooks.md).")},
        {QStringLiteral("webhook-events"), QStringLiteral("list"), QStringLiteral("Lifecycle webhooks: comma-separated events to send: connect, disconnect, join, leave, dead_letter (default all).")},
        {QStringLiteral("webhook-batch-size"), QStringLiteral("n"), QStringLiteral("Lifecycle webhooks: most events per POST, 1-1000 (default 100).")},
        {QStringLiteral("webhook-batch-interval"), QStringLiteral("ms"), QStringLiteral("Lifecycle webhooks: a batch that is not full goes out after this long, 10-60000 (default 1000).")},
        {QStringLiteral("webhook-queue-max"), QStringLiteral("n"), QStringLiteral("Lifecycle webhooks: most events waiting; more are dropped and counted (default 10000).")},
        {QStringLiteral("webhook-queue-max-bytes"), QStringLiteral("bytes"), QStringLiteral("Lifecycle webhooks: most bytes of events waiting; more are dropped and counted (default 8388608).")},
        {QStringLiteral("webhook-timeout"), QStringLiteral("ms"), QStringLiteral("Lifecycle webhooks: per attempt, 100-60000 (default 5000); a failed batch is retried with backoff.")},
        {QStringLiteral("webhook-flush-timeout"), QStringLiteral("ms"), QStringLiteral("Lifecycle webhooks: at shutdown, how long queued events may take to go out, 0-60000 (default 2000).")},
        {QStringLiteral("allowed-rooms"), QStringLiteral("patterns"), QStringLiteral("Comma-separated wildcard patterns of rooms clients may subscribe to (default: any).")},
        {QStringLiteral("socketio-path"), QStringLiteral("path"), QStringLiteral("Path of the Socket.IO endpoint (default /socket.io/).")},
        {QStringLiteral("socketio-ping-interval"), QStringLiteral("ms"), QStringLiteral("Engine.IO ping interval (default 25000).")},
        {QStringLiteral("socketio-ping-timeout"), QStringLiteral("ms"), QStringLiteral("Engine.IO pong deadline after a ping (default 20000).")},
        {QStringLiteral("socketio-max-payload"), QStringLiteral("bytes"), QStringLiteral("Largest Engine.IO message or polling body (default 1000000).")},
        {QStringLiteral("socketio-max-attachments"), QStringLiteral("n"), QStringLiteral("Most binary attachments one Socket.IO packet may carry (default 10); more closes the session.")},
        {QStringLiteral("socketio-connect-timeout"), QStringLiteral("ms"), QStringLiteral("Close Engine.IO sessions that do not connect a namespace within this time (default 45000).")},
        {QStringLiteral("socketio-ack-timeout"), QStringLiteral("ms"), QStringLiteral("Server-to-client acks not answered within this time are reported as failed (default 30000).")},
        {QStringLiteral("socketio-recovery-window"), QStringLiteral("s"), QStringLiteral("Connection state recovery: missed events are replayed to a client back within this many seconds; 0 = off (default 120).")},
        {QStringLiteral("socketio-recovery-max-bytes"), QStringLiteral("bytes"), QStringLiteral("Memory bound of the recovery log; the oldest events go first (default 67108864).")},
        {QStringLiteral("recovery-stream-max-len"), QStringLiteral("n"), QStringLiteral("Cluster mode: entries kept in the Redis Stream of recorded events (default 100000).")},
        {QStringLiteral("recovery-stream-max-bytes"), QStringLiteral("bytes"), QStringLiteral("Cluster mode: bytes of entries kept in the Redis Stream of recorded events; an event over 1/16 of it is delivered but not recorded (default 67108864).")},
        {QStringLiteral("recovery-stream-max-age"), QStringLiteral("s"), QStringLiteral("Cluster mode: events older than this (by Redis' clock) are trimmed from the stream; 0 = by length and bytes only (default 0).")},
        {QStringLiteral("recovery-replay-max-bytes"), QStringLiteral("bytes"), QStringLiteral("Most bytes of events one recovery or native resume replays; beyond it the client gets a fresh session / resume_failed (default 8388608).")},
        {QStringLiteral("max-pending-sessions"), QStringLiteral("n"), QStringLiteral("Engine.IO sessions that have not connected a namespace yet; beyond it handshakes are refused (HTTP 503, WebSocket close 1013) (default 1000).")},
        {QStringLiteral("socketio-namespace"), QStringLiteral("names"), QStringLiteral("Socket.IO namespaces besides /, comma-separated or repeated, e.g. /admin.")},
        {QStringLiteral("socketio-cors-origin"), QStringLiteral("origin"), QStringLiteral("Access-Control-Allow-Origin for Socket.IO long-polling from browsers; * = any (default: none).")},
        {QStringLiteral("socketio-test-fixture"), QString(), QStringLiteral("Serve the official Socket.IO/Engine.IO protocol suites' fixture (echo handlers, /engine.io/, short timers, anonymous); tests only.")},
        {QStringLiteral("room-event"), QStringLiteral("name=join:template"), QStringLiteral("Client event that joins or leaves a room, e.g. subscribe_order=join:order:{}; comma-separated or repeated.")},
        {QStringLiteral("redis"), QStringLiteral("url"), QStringLiteral("Cluster mode: redis://[:password@]host:port[/db]; every node on the same Redis and key is one server (default: single node).")},
        {QStringLiteral("redis-key"), QStringLiteral("key"), QStringLiteral("Channel prefix shared with the Socket.IO Redis adapter and emitter (default socket.io).")},
        {QStringLiteral("node-name"), QStringLiteral("name"), QStringLiteral("This node's name in the cluster (default host:port).")},
        {QStringLiteral("cluster-heartbeat"), QStringLiteral("ms"), QStringLiteral("How often a node announces itself, 100 to 60000; a node silent for twice this plus 5 s is gone (default 2000).")},
        {QStringLiteral("log-format"), QStringLiteral("text|json|journal"), QStringLiteral("Log line format (default text; journal when stderr is the systemd journal, with the level as its priority and no timestamp of ours).")},
        {QStringLiteral("log-level"), QStringLiteral("debug|info|warning|critical"), QStringLiteral("Least severe level logged by switchboard's categories (default info; QT_LOGGING_RULES still wins). SIGHUP reloads it.")},
        {QStringLiteral("lang"), QStringLiteral("code"), QStringLiteral("Console language, e.g. de (default: system locale).")},
        {QStringLiteral("threads"), QStringLiteral("n"), QStringLiteral("I/O threads (default: number of cores).")},
        // Back-end hooks (docs/hooks.md): acks back, presence events, audit trail.
        {QStringLiteral("max-ack-wait-ms"), QStringLiteral("ms"), QStringLiteral("Longest \"waitMs\" of an acked HTTP emit waiting for its clients' acks (default 30000).")},
        {QStringLiteral("max-ack-waits"), QStringLiteral("n"), QStringLiteral("Acked HTTP emits that may wait for acks at once; more get 503 too_many_ack_waits (default 1000).")},
        {QStringLiteral("max-ack-bytes"), QStringLiteral("bytes"), QStringLiteral("Ack replies and listed sockets one waiting emit keeps; beyond it they are only counted (default 1048576).")},
        {QStringLiteral("presence-rooms"), QStringLiteral("patterns"), QStringLiteral("Comma-separated wildcard patterns of rooms whose presence clients may subscribe to, e.g. chat:*,booking:* (default: none, presence events off).")},
        {QStringLiteral("max-presence-subscriptions"), QStringLiteral("n"), QStringLiteral("Rooms one connection may watch the presence of (default 50).")},
        {QStringLiteral("presence-event-rate"), QStringLiteral("n"), QStringLiteral("Presence events per second sent to one connection, burst twice that; more are dropped (default 100).")},
        {QStringLiteral("log-connections"), QStringLiteral("text|json|off"), QStringLiteral("Log connects, disconnects, joins and leaves at info level (category switchboard.connections) as text or JSON lines (default off).")},
        {QStringLiteral("user-id-claim"), QStringLiteral("claims"), QStringLiteral("Token claim(s) holding the user id, comma-separated, first present wins, e.g. _id (default sub,userId).")},
        {QStringLiteral("auth-grace-ms"), QStringLiteral("ms"), QStringLiteral("In-band authentication: clients may connect without a token and send authenticate within this time, else they are closed with 4001 (default 0: off, a token is required at connect).")},
        {QStringLiteral("claim-rooms-query"), QStringLiteral("names"), QStringLiteral("Comma-separated query parameters that --claim-rooms templates may use like claims, e.g. user_type for {user_type}:{sub}; user_type=driver|rider also limits its values, and rooms made only of listed values need no --allowed-rooms pattern (default: none).")},
        {QStringLiteral("relay-room-key"), QStringLiteral("key"), QStringLiteral("Field naming the target room of a client relay (native emit, Socket.IO event payload), e.g. roomId (default room).")},
        {QStringLiteral("socketio-connected-event"), QStringLiteral("event"), QStringLiteral("Emit this event with {socketId, userId} to Socket.IO clients once connected, e.g. connected (default: none).")},
        {QStringLiteral("connect-error-messages"), QStringLiteral("json"), QStringLiteral("Socket.IO connect_error message per close code, a JSON object, e.g. {\"4001\":\"Authentication required\"} (default: the server's reasons).")},
        {QStringLiteral("heap-trim-interval"), QStringLiteral("s"), QStringLiteral("Give the heap's free pages back to the system this often (glibc malloc_trim); 0 = never (default 30).")},
    };
    return list;
}

QString ConfigLoader::envName(const QString &option)
{
    return QStringLiteral("SWITCHBOARD_") + option.toUpper().replace(QLatin1Char('-'), QLatin1Char('_'));
}

QHash<QString, QString> ConfigLoader::systemEnvironment()
{
    QHash<QString, QString> env;
    const auto sys = QProcessEnvironment::systemEnvironment();
    for (const QString &key : sys.keys())
        env.insert(key, sys.value(key));
    return env;
}

namespace {

QString jsonToString(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return v.toString();
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == qint64(d) ? QString::number(qint64(d)) : QString::number(d);
    }
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts << jsonToString(item);
        return parts.join(QLatin1Char(','));
    }
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default: return {};
    }
}

// File keys may be written as "max-connections", "maxConnections" or "max_connections".
QString camel(const QString &option)
{
    QString out;
    bool upper = false;
    for (QChar c : option) {
        if (c == QLatin1Char('-')) { upper = true; continue; }
        out += upper ? c.toUpper() : c;
        upper = false;
    }
    return out;
}

template <typename T>
bool parseNumber(const QString &name, const QString &text, T min, T *out, QString *error)
{
    bool ok = false;
    T value;
    if constexpr (std::is_same_v<T, double>) {
        value = text.toDouble(&ok);
        ok = ok && std::isfinite(value); // "nan" and "inf" parse, but are no rate
    } else {
        // Range-checked: "99999999999" must not wrap around into a valid-looking int.
        const qlonglong wide = text.toLongLong(&ok);
        ok = ok && wide <= qlonglong(std::numeric_limits<T>::max());
        value = ok ? T(wide) : T();
    }
    if (!ok || value < min) {
        *error = QStringLiteral("invalid value for %1: \"%2\"").arg(name, text);
        return false;
    }
    *out = value;
    return true;
}

QStringList splitList(const QString &s)
{
    QStringList out;
    for (const QString &part : s.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out << part.trimmed();
    return out;
}

bool parseEnvAliases(const QJsonValue &value, QHash<QString, QString> *out, QString *error)
{
    static const QRegularExpression envVar(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    if (!value.isObject()) {
        *error = QStringLiteral("config file \"env\" must be an object of option -> environment variable, e.g. {\"jwt-secret\": \"JWT_SECRET\"}");
        return false;
    }
    const QJsonObject aliases = value.toObject();
    for (auto it = aliases.constBegin(); it != aliases.constEnd(); ++it) {
        // Keys as the file writes options: "jwt-secret", "jwtSecret" or "jwt_secret".
        QString option;
        for (const ConfigLoader::Option &known : ConfigLoader::options()) {
            if (it.key() == known.name || it.key() == camel(known.name) || it.key() == QString(known.name).replace(QLatin1Char('-'), QLatin1Char('_')))
                option = known.name;
        }
        if (option.isEmpty() || option == QLatin1String("config")) {
            *error = QStringLiteral("config file \"env\": \"%1\" is not an option").arg(it.key());
            return false;
        }
        if (!it.value().isString() || !envVar.match(it.value().toString()).hasMatch()) {
            *error = QStringLiteral("config file \"env\": the variable for %1 must be a name like JWT_SECRET").arg(option);
            return false;
        }
        out->insert(option, it.value().toString());
    }
    return true;
}

} // namespace

bool ConfigLoader::load(const QHash<QString, QString> &flags, const QHash<QString, QString> &env,
                        ServerConfig *config, QString *error)
{
    QString file = flags.value(QStringLiteral("config"), env.value(envName(QStringLiteral("config"))));
    QJsonObject fileObject;
    if (!file.isEmpty()) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read config file %1: %2").arg(file, f.errorString());
            return false;
        }
        QJsonParseError pe;
        const auto doc = QJsonDocument::fromJson(f.readAll(), &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            *error = QStringLiteral("config file %1 is not a JSON object: %2 at offset %3")
                         .arg(file, pe.errorString()).arg(pe.offset);
            return false;
        }
        fileObject = doc.object();
    }

    ServerConfig c;
    // "env": {"jwt-secret": "JWT_SECRET"} reads an option from the variable an older service
    // used, below SWITCHBOARD_<NAME> and above the file's own value.
    for (const QString &key : {QStringLiteral("env"), QStringLiteral("envAliases"), QStringLiteral("env-aliases")}) {
        if (!fileObject.contains(key))
            continue;
        if (!parseEnvAliases(fileObject.value(key), &c.envAliases, error))
            return false;
    }

    auto resolve = [&](const QString &name, QString *value) {
        if (flags.contains(name)) { *value = flags.value(name); return true; }
        const QString e = envName(name);
        if (env.contains(e)) { *value = env.value(e); return true; }
        if (const auto alias = c.envAliases.constFind(name); alias != c.envAliases.cend() && env.contains(*alias)) {
            *value = env.value(*alias);
            return true;
        }
        for (const QString &key : {name, camel(name), QString(name).replace(QLatin1Char('-'), QLatin1Char('_'))}) {
            if (fileObject.contains(key)) { *value = jsonToString(fileObject.value(key)); return true; }
        }
        return false;
    };

    QString v;
    if (resolve(QStringLiteral("host"), &v)) c.host = v;
    if (resolve(QStringLiteral("port"), &v)) {
        int port = 0;
        if (!parseNumber(QStringLiteral("port"), v, 0, &port, error)) return false;
        if (port > 65535) { *error = QStringLiteral("invalid value for port: \"%1\"").arg(v); return false; }
        c.port = quint16(port);
    }
    if (resolve(QStringLiteral("jwt-secret"), &v)) c.jwtSecret = v;
    if (resolve(QStringLiteral("jwt-leeway"), &v) && !parseNumber(QStringLiteral("jwt-leeway"), v, 0, &c.jwtLeewaySeconds, error)) return false;
    if (resolve(QStringLiteral("token-expiry-warning"), &v) && !parseNumber(QStringLiteral("token-expiry-warning"), v, 0, &c.tokenExpiryWarningSeconds, error)) return false;
    if (resolve(QStringLiteral("internal-key"), &v)) c.internalKey = v;
    if (resolve(QStringLiteral("admin-token"), &v)) c.adminToken = v;
    if (resolve(QStringLiteral("admin-secret"), &v)) c.adminSecret = v;
    if (resolve(QStringLiteral("audit-max-bytes"), &v) && !parseNumber(QStringLiteral("audit-max-bytes"), v, qint64(4096), &c.auditMaxBytes, error)) return false;
    if (resolve(QStringLiteral("data-dir"), &v)) c.dataDir = v;
    if (resolve(QStringLiteral("max-connections"), &v) && !parseNumber(QStringLiteral("max-connections"), v, 1, &c.maxConnections, error)) return false;
    if (resolve(QStringLiteral("heartbeat-interval"), &v) && !parseNumber(QStringLiteral("heartbeat-interval"), v, 10, &c.heartbeatIntervalMs, error)) return false;
    if (resolve(QStringLiteral("heartbeat-timeout"), &v) && !parseNumber(QStringLiteral("heartbeat-timeout"), v, 10, &c.heartbeatTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("max-message-size"), &v) && !parseNumber(QStringLiteral("max-message-size"), v, qint64(64), &c.maxMessageSize, error)) return false;
    if (resolve(QStringLiteral("rate-limit"), &v) && !parseNumber(QStringLiteral("rate-limit"), v, 0.001, &c.rateLimit, error)) return false;
    if (resolve(QStringLiteral("rate-burst"), &v)) {
        if (!parseNumber(QStringLiteral("rate-burst"), v, 1.0, &c.rateBurst, error)) return false;
    } else {
        c.rateBurst = c.rateLimit * 2; // the burst follows the rate unless set on its own
    }
    if (resolve(QStringLiteral("max-admin-channels"), &v) && !parseNumber(QStringLiteral("max-admin-channels"), v, 1, &c.maxAdminChannels, error)) return false;
    if (resolve(QStringLiteral("max-pending-bytes"), &v) && !parseNumber(QStringLiteral("max-pending-bytes"), v, qint64(1024), &c.maxPendingBytes, error)) return false;
    if (resolve(QStringLiteral("handshake-timeout"), &v) && !parseNumber(QStringLiteral("handshake-timeout"), v, 10, &c.handshakeTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("control-frame-rate"), &v) && !parseNumber(QStringLiteral("control-frame-rate"), v, 0.1, &c.controlFrameRate, error)) return false;
    if (resolve(QStringLiteral("http-idle-timeout"), &v) && !parseNumber(QStringLiteral("http-idle-timeout"), v, 10, &c.httpIdleTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("max-http-connections"), &v) && !parseNumber(QStringLiteral("max-http-connections"), v, 1, &c.maxHttpConnections, error)) return false;
    if (resolve(QStringLiteral("max-queued-emits"), &v) && !parseNumber(QStringLiteral("max-queued-emits"), v, 1, &c.maxQueuedEmits, error)) return false;
    if (resolve(QStringLiteral("max-rooms-per-connection"), &v) && !parseNumber(QStringLiteral("max-rooms-per-connection"), v, 1, &c.maxRoomsPerConnection, error)) return false;
    if (resolve(QStringLiteral("queue-visibility-timeout"), &v) && !parseNumber(QStringLiteral("queue-visibility-timeout"), v, qint64(10), &c.queueVisibilityTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("queue-backoff-base"), &v) && !parseNumber(QStringLiteral("queue-backoff-base"), v, qint64(0), &c.queueBackoffBaseMs, error)) return false;
    if (resolve(QStringLiteral("queue-backoff-cap"), &v) && !parseNumber(QStringLiteral("queue-backoff-cap"), v, qint64(0), &c.queueBackoffCapMs, error)) return false;
    if (resolve(QStringLiteral("queue-max-attempts"), &v) && !parseNumber(QStringLiteral("queue-max-attempts"), v, 1, &c.queueMaxAttempts, error)) return false;
    if (resolve(QStringLiteral("queue-max-payload"), &v) && !parseNumber(QStringLiteral("queue-max-payload"), v, qint64(16), &c.queueMaxPayload, error)) return false;
    if (resolve(QStringLiteral("queue-sync"), &v)) {
        if (v != QLatin1String("normal") && v != QLatin1String("full")) {
            *error = QStringLiteral("invalid value for queue-sync: \"%1\" (normal or full)").arg(v);
            return false;
        }
        c.queueFullSync = v == QLatin1String("full");
    }
    if (resolve(QStringLiteral("client-queues"), &v)) {
        for (const QString &pattern : splitList(v)) {
            // The queue-name characters (queue/queuemessage.h) and the wildcards.
            static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_.:*?-]{1,128}$"));
            if (!valid.match(pattern).hasMatch()) {
                *error = QStringLiteral("invalid value for client-queues: \"%1\" (queue-name characters A-Z a-z 0-9 _ . : - and the wildcards * ?)").arg(pattern);
                return false;
            }
            c.clientQueues << pattern;
        }
    }
    if (resolve(QStringLiteral("queue-idle-ttl"), &v) && !parseNumber(QStringLiteral("queue-idle-ttl"), v, qint64(0), &c.queueIdleTtlMs, error)) return false;
    if (resolve(QStringLiteral("offline-max-per-user"), &v) && !parseNumber(QStringLiteral("offline-max-per-user"), v, 1, &c.offlineMaxPerUser, error)) return false;
    if (resolve(QStringLiteral("offline-max-bytes-per-user"), &v) && !parseNumber(QStringLiteral("offline-max-bytes-per-user"), v, qint64(1), &c.offlineMaxBytesPerUser, error)) return false;
    if (resolve(QStringLiteral("offline-lease"), &v) && !parseNumber(QStringLiteral("offline-lease"), v, 300, &c.offlineLeaseMs, error)) return false;
    if (resolve(QStringLiteral("claim-rooms"), &v)) {
        c.claimRooms = splitList(v);
        for (const QString &tmpl : std::as_const(c.claimRooms)) {
            const QString why = RoomPolicy::checkTemplate(tmpl);
            if (!why.isEmpty()) {
                *error = QStringLiteral("invalid value for claim-rooms: \"%1\": %2").arg(tmpl, why);
                return false;
            }
        }
    }
    if (resolve(QStringLiteral("allowed-rooms"), &v)) c.allowedRooms = splitList(v);
    if (resolve(QStringLiteral("allowed-origins"), &v)) c.allowedOrigins = splitList(v);
    if (resolve(QStringLiteral("trusted-proxies"), &v)) {
        c.trustedProxies = splitList(v);
        for (const QString &entry : std::as_const(c.trustedProxies)) {
            const bool ok = entry.contains(QLatin1Char('/')) ? !QHostAddress::parseSubnet(entry).first.isNull() : !QHostAddress(entry).isNull();
            if (!ok) {
                *error = QStringLiteral("--trusted-proxies: \"%1\" is not an address or a CIDR subnet").arg(entry);
                return false;
            }
        }
    }
    if (resolve(QStringLiteral("max-connections-per-user"), &v) && !parseNumber(QStringLiteral("max-connections-per-user"), v, 0, &c.maxConnectionsPerUser, error)) return false;
    if (resolve(QStringLiteral("user-connection-policy"), &v)) {
        if (v != QLatin1String("refuse") && v != QLatin1String("evict-oldest")) {
            *error = QStringLiteral("invalid value for user-connection-policy: \"%1\" (refuse or evict-oldest)").arg(v);
            return false;
        }
        c.evictOldestUserConnection = v == QLatin1String("evict-oldest");
    }
    if (resolve(QStringLiteral("max-connections-per-ip"), &v) && !parseNumber(QStringLiteral("max-connections-per-ip"), v, 0, &c.maxConnectionsPerIp, error)) return false;
    if (resolve(QStringLiteral("tls-cert"), &v)) c.tlsCert = v;
    if (resolve(QStringLiteral("tls-key"), &v)) c.tlsKey = v;
    if (c.tlsCert.isEmpty() != c.tlsKey.isEmpty()) {
        *error = QStringLiteral("--tls-cert and --tls-key go together: give both or neither");
        return false;
    }
    if (resolve(QStringLiteral("amqp"), &v)) {
        const QString why = AmqpBindings::checkUrl(v);
        if (!why.isEmpty()) {
            *error = QStringLiteral("invalid value for amqp: %1").arg(why);
            return false;
        }
        c.amqpUrl = v;
    }
    if (resolve(QStringLiteral("amqp-bindings"), &v)) {
        QString why;
        if (!AmqpBindings::load(v, &c.amqpBindings, &why)) {
            *error = QStringLiteral("invalid value for amqp-bindings: %1").arg(why);
            return false;
        }
        c.amqpBindingsFile = v;
    }
    if (c.amqpUrl.isEmpty() != c.amqpBindingsFile.isEmpty()) {
        *error = QStringLiteral("--amqp and --amqp-bindings go together: give both or neither");
        return false;
    }
    if (resolve(QStringLiteral("amqp-ca"), &v)) c.amqpTls.caFile = v;
    if (resolve(QStringLiteral("amqp-cert"), &v)) c.amqpTls.certFile = v;
    if (resolve(QStringLiteral("amqp-key"), &v)) c.amqpTls.keyFile = v;
    if (const QString why = AmqpBindings::checkTls(c.amqpUrl, c.amqpTls); !why.isEmpty()) {
        *error = why;
        return false;
    }
    if (resolve(QStringLiteral("hooks"), &v)) {
        QString why;
        if (!HookRules::load(v, &c.hooks, &why)) {
            *error = QStringLiteral("invalid value for hooks: %1").arg(why);
            return false;
        }
        c.hooksFile = v;
    }
    if (resolve(QStringLiteral("hooks-secret"), &v)) c.hooksSecret = v;
    if (c.hooks.needsSecret() && c.hooksSecret.size() < 16) {
        *error = QStringLiteral("--hooks has rules with a url (or a \"connect\" proxy): --hooks-secret must be set, at least 16 characters");
        return false;
    }
    if (!WebhookSettings::load(resolve, &c.webhooks, error))
        return false;
    if (c.webhooks.enabled() && c.hooksSecret.size() < 16) {
        *error = QStringLiteral("--webhook-url signs with --hooks-secret: it must be set, at least 16 characters");
        return false;
    }
    if (resolve(QStringLiteral("http-rate-limit"), &v) && !parseNumber(QStringLiteral("http-rate-limit"), v, 0, &c.httpRateLimit, error)) return false;
    if (resolve(QStringLiteral("handshake-rate-limit"), &v) && !parseNumber(QStringLiteral("handshake-rate-limit"), v, 0, &c.handshakeRateLimit, error)) return false;
    if (resolve(QStringLiteral("socketio-path"), &v)) {
        if (!v.startsWith(QLatin1Char('/'))) {
            *error = QStringLiteral("invalid value for socketio-path: \"%1\" (must start with /)").arg(v);
            return false;
        }
        c.socketioPath = v.endsWith(QLatin1Char('/')) ? v : v + QLatin1Char('/');
    }
    if (resolve(QStringLiteral("socketio-ping-interval"), &v) && !parseNumber(QStringLiteral("socketio-ping-interval"), v, 10, &c.socketioPingIntervalMs, error)) return false;
    if (resolve(QStringLiteral("socketio-ping-timeout"), &v) && !parseNumber(QStringLiteral("socketio-ping-timeout"), v, 10, &c.socketioPingTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("socketio-max-payload"), &v) && !parseNumber(QStringLiteral("socketio-max-payload"), v, qint64(64), &c.socketioMaxPayload, error)) return false;
    if (resolve(QStringLiteral("socketio-max-attachments"), &v) && !parseNumber(QStringLiteral("socketio-max-attachments"), v, 0, &c.socketioMaxAttachments, error)) return false;
    if (resolve(QStringLiteral("socketio-connect-timeout"), &v) && !parseNumber(QStringLiteral("socketio-connect-timeout"), v, 10, &c.socketioConnectTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("socketio-ack-timeout"), &v) && !parseNumber(QStringLiteral("socketio-ack-timeout"), v, 10, &c.socketioAckTimeoutMs, error)) return false;
    if (resolve(QStringLiteral("socketio-recovery-window"), &v) && !parseNumber(QStringLiteral("socketio-recovery-window"), v, 0, &c.socketioRecoverySeconds, error)) return false;
    if (resolve(QStringLiteral("socketio-recovery-max-bytes"), &v) && !parseNumber(QStringLiteral("socketio-recovery-max-bytes"), v, qint64(1024), &c.socketioRecoveryMaxBytes, error)) return false;
    if (resolve(QStringLiteral("recovery-stream-max-len"), &v) && !parseNumber(QStringLiteral("recovery-stream-max-len"), v, qint64(1), &c.recoveryStreamMaxLen, error)) return false;
    if (resolve(QStringLiteral("recovery-stream-max-bytes"), &v) && !parseNumber(QStringLiteral("recovery-stream-max-bytes"), v, qint64(64 * 1024), &c.recoveryStreamMaxBytes, error)) return false;
    if (resolve(QStringLiteral("recovery-stream-max-age"), &v) && !parseNumber(QStringLiteral("recovery-stream-max-age"), v, 0, &c.recoveryStreamMaxAgeSeconds, error)) return false;
    if (resolve(QStringLiteral("recovery-replay-max-bytes"), &v) && !parseNumber(QStringLiteral("recovery-replay-max-bytes"), v, qint64(1024), &c.recoveryReplayMaxBytes, error)) return false;
    if (resolve(QStringLiteral("max-pending-sessions"), &v) && !parseNumber(QStringLiteral("max-pending-sessions"), v, 1, &c.maxPendingSessions, error)) return false;
    if (resolve(QStringLiteral("socketio-namespace"), &v)) {
        for (const QString &nsp : splitList(v)) {
            if (!nsp.startsWith(QLatin1Char('/')) || nsp.size() < 2 || nsp.contains(QLatin1Char(','))) {
                *error = QStringLiteral("invalid value for socketio-namespace: \"%1\" (e.g. /admin)").arg(nsp);
                return false;
            }
            c.socketioNamespaces << nsp;
        }
    }
    if (resolve(QStringLiteral("socketio-cors-origin"), &v)) c.socketioCorsOrigin = v;
    if (resolve(QStringLiteral("socketio-test-fixture"), &v) && v != QLatin1String("false") && v != QLatin1String("0")) {
        // The server the official suites expect (docs/socket.io-protocol/v5-test-suite).
        c.socketioTestFixture = true;
        c.socketioAllowAnonymous = true;
        c.socketioPingIntervalMs = 300;
        c.socketioPingTimeoutMs = 200;
        c.socketioMaxPayload = 1000000;
        c.socketioConnectTimeoutMs = 1000;
        c.socketioRecoverySeconds = 0;
        if (!c.socketioNamespaces.contains(QStringLiteral("/custom")))
            c.socketioNamespaces << QStringLiteral("/custom");
    }
    if (resolve(QStringLiteral("room-event"), &v)) {
        for (const QString &rule : splitList(v)) {
            const qsizetype eq = rule.indexOf(QLatin1Char('='));
            const QString action = rule.mid(eq + 1).section(QLatin1Char(':'), 0, 0);
            if (eq <= 0 || (action != QLatin1String("join") && action != QLatin1String("leave"))
                || rule.mid(eq + 1).section(QLatin1Char(':'), 1).isEmpty()) {
                *error = QStringLiteral("invalid value for room-event: \"%1\" (name=join:template or name=leave:template)").arg(rule);
                return false;
            }
            c.roomEvents.insert(rule.left(eq), {action == QLatin1String("join"), rule.mid(eq + 1).section(QLatin1Char(':'), 1)});
        }
    }
    if (resolve(QStringLiteral("redis"), &v)) {
        QString why;
        if (!RedisUrl::parse(v, &why)) {
            *error = QStringLiteral("invalid value for redis: \"%1\": %2").arg(v, why);
            return false;
        }
        c.redisUrl = v;
    }
    if (resolve(QStringLiteral("redis-key"), &v)) {
        if (v.isEmpty() || v.contains(QLatin1Char('#')) || v.contains(QLatin1Char('*'))) {
            *error = QStringLiteral("invalid value for redis-key: \"%1\" (non-empty, without # or *)").arg(v);
            return false;
        }
        c.redisKey = v;
    }
    if (resolve(QStringLiteral("node-name"), &v)) c.nodeName = v;
    if (resolve(QStringLiteral("cluster-heartbeat"), &v)) {
        if (!parseNumber(QStringLiteral("cluster-heartbeat"), v, 100, &c.clusterHeartbeatMs, error)) return false;
        if (c.clusterHeartbeatMs > 60000) { // a node is gone after 2 heartbeats + 5 s: a minute is plenty
            *error = QStringLiteral("invalid value for cluster-heartbeat: \"%1\" (100 to 60000 ms)").arg(v);
            return false;
        }
    }
    if (resolve(QStringLiteral("log-format"), &v)) {
        if (v != QLatin1String("text") && v != QLatin1String("json") && v != QLatin1String("journal")) {
            *error = QStringLiteral("invalid value for log-format: \"%1\" (text, json or journal)").arg(v);
            return false;
        }
        c.logFormat = v;
    }
    if (resolve(QStringLiteral("log-level"), &v)) {
        if (v != QLatin1String("debug") && v != QLatin1String("info") && v != QLatin1String("warning") && v != QLatin1String("critical")) {
            *error = QStringLiteral("invalid value for log-level: \"%1\" (debug, info, warning or critical)").arg(v);
            return false;
        }
        c.logLevel = v;
    }
    if (resolve(QStringLiteral("lang"), &v)) c.lang = v;
    if (resolve(QStringLiteral("threads"), &v) && !parseNumber(QStringLiteral("threads"), v, 0, &c.threads, error)) return false;
    if (resolve(QStringLiteral("user-id-claim"), &v)) {
        c.userIdClaims = splitList(v);
        if (c.userIdClaims.isEmpty()) {
            *error = QStringLiteral("invalid value for user-id-claim: \"%1\" (claim names, e.g. _id or sub,userId)").arg(v);
            return false;
        }
    }
    if (resolve(QStringLiteral("auth-grace-ms"), &v) && !parseNumber(QStringLiteral("auth-grace-ms"), v, 0, &c.authGraceMs, error)) return false;
    if (resolve(QStringLiteral("claim-rooms-query"), &v)) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
        // A value list: 1-64 values of the characters a query value may have, '|'-separated.
        static const QRegularExpression values(QStringLiteral("^[A-Za-z0-9_.@-]{1,64}(\\|[A-Za-z0-9_.@-]{1,64}){0,63}$"));
        for (const QString &spec : splitList(v)) {
            const qsizetype eq = spec.indexOf(QLatin1Char('='));
            const QString param = eq < 0 ? spec : spec.left(eq);
            // Never the token's parameters, nor the id claims: a query must not stand in for them.
            if (!name.match(param).hasMatch() || param == QLatin1String("token") || param == QLatin1String("userId")
                || param == QLatin1String("sub") || c.userIdClaims.contains(param)
                || (eq >= 0 && !values.match(spec.mid(eq + 1)).hasMatch())) {
                *error = QStringLiteral("invalid value for claim-rooms-query: \"%1\" (a query parameter name, not token, sub, userId or the id claim, optionally with its values: user_type=driver|rider)").arg(spec);
                return false;
            }
            c.claimRoomsQuery << spec;
        }
    }
    if (resolve(QStringLiteral("relay-room-key"), &v)) {
        if (v.isEmpty() || v.size() > 64) {
            *error = QStringLiteral("invalid value for relay-room-key: \"%1\" (a field name, e.g. roomId)").arg(v);
            return false;
        }
        c.relayRoomKey = v;
    }
    if (resolve(QStringLiteral("socketio-connected-event"), &v)) {
        // socket.io-client reserves these names: emitting one would break the client.
        static const QStringList reserved{QStringLiteral("connect"), QStringLiteral("connect_error"), QStringLiteral("disconnect"),
                                          QStringLiteral("disconnecting"), QStringLiteral("newListener"), QStringLiteral("removeListener")};
        if (v.isEmpty() || v.toUtf8().size() > 128 || reserved.contains(v)) {
            *error = QStringLiteral("invalid value for socketio-connected-event: \"%1\" (an event name of 1-128 bytes, not a reserved one like connect)").arg(v);
            return false;
        }
        c.socketioConnectedEvent = v;
    }
    if (resolve(QStringLiteral("connect-error-messages"), &v)) {
        const QJsonDocument doc = QJsonDocument::fromJson(v.toUtf8());
        const QJsonObject map = doc.object();
        for (auto it = map.constBegin(); it != map.constEnd() && doc.isObject(); ++it) {
            bool ok = false;
            const int code = it.key().toInt(&ok);
            if (!ok || !it.value().isString() || it.value().toString().isEmpty()) {
                *error = QStringLiteral("invalid value for connect-error-messages: \"%1\" is not a close code with a message").arg(it.key());
                return false;
            }
            c.connectErrorMessages.insert(code, it.value().toString());
        }
        if (!doc.isObject()) {
            *error = QStringLiteral("invalid value for connect-error-messages: a JSON object of close code -> message, e.g. {\"4001\":\"Authentication required\"}");
            return false;
        }
    }
    if (resolve(QStringLiteral("heap-trim-interval"), &v) && !parseNumber(QStringLiteral("heap-trim-interval"), v, 0, &c.heapTrimIntervalSeconds, error)) return false;
    // Back-end hooks (docs/hooks.md).
    if (resolve(QStringLiteral("max-ack-wait-ms"), &v) && !parseNumber(QStringLiteral("max-ack-wait-ms"), v, 1, &c.maxAckWaitMs, error)) return false;
    if (resolve(QStringLiteral("max-ack-waits"), &v) && !parseNumber(QStringLiteral("max-ack-waits"), v, 1, &c.maxAckWaits, error)) return false;
    if (resolve(QStringLiteral("max-ack-bytes"), &v) && !parseNumber(QStringLiteral("max-ack-bytes"), v, qint64(1024), &c.maxAckBytes, error)) return false;
    if (resolve(QStringLiteral("presence-rooms"), &v)) c.presenceRooms = splitList(v);
    if (resolve(QStringLiteral("max-presence-subscriptions"), &v) && !parseNumber(QStringLiteral("max-presence-subscriptions"), v, 1, &c.maxPresenceSubscriptions, error)) return false;
    if (resolve(QStringLiteral("presence-event-rate"), &v) && !parseNumber(QStringLiteral("presence-event-rate"), v, 1.0, &c.presenceEventRate, error)) return false;
    if (resolve(QStringLiteral("log-connections"), &v)) {
        if (v == QLatin1String("text") || v == QLatin1String("true") || v == QLatin1String("1"))
            c.logConnections = QStringLiteral("text");
        else if (v == QLatin1String("json"))
            c.logConnections = v;
        else if (v != QLatin1String("off") && v != QLatin1String("false") && v != QLatin1String("0")) {
            *error = QStringLiteral("invalid value for log-connections: \"%1\" (text, json or off)").arg(v);
            return false;
        }
    }
    *config = c;
    return true;
}

} // namespace Switchboard
