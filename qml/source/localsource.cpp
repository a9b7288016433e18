#include "localsource.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>

#include "protocol/emitjson.h"
#include "queue/queuebackend.h"
#include "rooms/ackwaits.h"
#include "admin/nodedrain.h"
#include "http/admingate.h"
#include "http/router.h"
#include "cluster/broker.h"
#include "server.h"
#include "queue/queuejson.h"

namespace Switchboard {

namespace {

SourceResult resultOf(bool ok, const QString &code, const QString &message = {}, const QJsonObject &data = {})
{
    return SourceResult{ok, code, message, data};
}

} // namespace

LocalSource::LocalSource(Server &server, QObject *parent) : ConsoleSource(parent), m_server(server)
{
    connect(&m_server, &Server::sampled, this, &ConsoleSource::sampled);
    // Started and stopped from the Overview page: what depends on the listener follows.
    connect(&m_server, &Server::started, this, &ConsoleSource::linkChanged);
    connect(&m_server, &Server::stopped, this, &ConsoleSource::linkChanged);
    // Acks are read on I/O threads; the emitter filters them there (see Emitter).
    connect(&m_server, &Server::ackReceived, this, &ConsoleSource::ackReceived, Qt::DirectConnection);
}

bool LocalSource::start(QString *error)
{
    return m_server.start(error);
}

void LocalSource::stop()
{
    m_server.stop(1001, QStringLiteral("server stopped from the console"));
}

QString LocalSource::displayName() const
{
    return m_server.url();
}

SourceStatus LocalSource::status() const
{
    SourceStatus s;
    const Registry &registry = m_server.registry();
    s.running = m_server.isRunning();
    s.url = m_server.url();
    s.wsUrl = m_server.wsUrl();
    s.threads = s.running ? m_server.threadCount() : 0;
    s.uptime = m_server.uptimeSeconds();
    s.connections = registry.connectionCount();
    s.users = registry.userCount();
    s.rooms = registry.roomCount();
    const Metrics &metrics = m_server.metrics();
    s.totalConnections = qint64(metrics.connectionsTotal.load(std::memory_order_relaxed));
    s.authFailures = qint64(metrics.authFailures.load(std::memory_order_relaxed));
    s.rateLimited = qint64(metrics.rateLimited.load(std::memory_order_relaxed));
    s.errorsTotal = qint64(metrics.errors.load(std::memory_order_relaxed));
    s.sample = m_server.lastSample();
    // Health and the node list are local reads (the broker caches what it last read from
    // Redis on its own thread): no network I/O here.
    s.clustered = m_server.broker().isClustered();
    s.nodeName = m_server.nodeName();
    s.degradedReason = s.running ? m_server.broker().degradedReason() : QString();
    const QJsonObject nodes = m_server.broker().nodesJson();
    s.redisAddress = nodes.value(QLatin1String("redis")).toString();
    s.nodes = nodes.value(QLatin1String("nodes")).toArray();
    s.draining = m_server.drain().isDraining();
    return s;
}

SourceSettings LocalSource::settings() const
{
    const ServerConfig &c = m_server.config();
    SourceSettings s;
    s.host = c.host;
    s.port = m_server.port();
    s.url = m_server.url();
    s.wsUrl = m_server.wsUrl();
    s.dataDir = c.dataDir;
    s.threads = c.effectiveThreads();
    s.maxConnections = c.maxConnections;
    s.heartbeatInterval = c.heartbeatIntervalMs;
    s.heartbeatTimeout = c.heartbeatTimeoutMs;
    s.maxMessageSize = c.maxMessageSize;
    s.rateLimit = c.rateLimit;
    s.rateBurst = c.rateBurst;
    s.maxPendingBytes = c.maxPendingBytes;
    s.redisUrl = c.redisUrl;
    s.queueMaxAttempts = c.queueMaxAttempts;
    s.queueMaxPayload = c.queueMaxPayload;
    s.jwtSecret = c.jwtSecret;
    s.internalKey = c.internalKey;
    s.adminToken = c.adminToken;
    return s;
}

QList<MetricsSample> LocalSource::history() const
{
    return m_server.history();
}

QList<ConnectionSnapshot> LocalSource::connections() const
{
    return m_server.registry().connections();
}

int LocalSource::connectionsTotal() const
{
    return m_server.registry().connectionCount();
}

std::optional<ConnectionSnapshot> LocalSource::connection(quint64 id) const
{
    return m_server.registry().snapshot(id);
}

QHash<QString, int> LocalSource::roomCounts(bool users) const
{
    return users ? m_server.registry().users() : m_server.registry().roomCounts();
}

QString LocalSource::nodeOf(quint64 id) const
{
    // The embedded server lists only its own connections.
    Q_UNUSED(id);
    return m_server.broker().isClustered() ? m_server.nodeName() : QString();
}

QList<EventLog::Entry> LocalSource::eventsSince(quint64 seq) const
{
    return m_server.eventLog().since(seq);
}

quint64 LocalSource::eventsSkipped() const
{
    return m_server.eventLog().skipped();
}

QJsonArray LocalSource::bridges() const
{
    // The bridge comes and goes with the server (start/stop from the Overview page).
    return m_server.isRunning() ? m_server.bridgesJson().value(QLatin1String("bridges")).toArray() : QJsonArray();
}

SourceQueueInfo LocalSource::queueInfo() const
{
    // The backend comes and goes with the server (start/stop from the Overview page); with
    // --redis it is the cluster's (RedisQueueBackend).
    const QueueBackend *queues = m_server.queueBackend();
    SourceQueueInfo info;
    info.available = queues && queues->isRunning();
    info.description = queues ? queues->storeDescription() : QString();
    info.durable = queues && queues->isDurable();
    return info;
}

QList<QueueStats> LocalSource::queueStats() const
{
    const QueueBackend *queues = m_server.queueBackend();
    return queues && queues->isRunning() ? queues->stats() : QList<QueueStats>();
}

template <typename Done, typename Value>
void LocalSource::answerHere(Done done, Value value)
{
    // The backend answers on its own thread; the models live on this one.
    QMetaObject::invokeMethod(this, [done = std::move(done), value = std::move(value)]() mutable { done(value); },
                              Qt::QueuedConnection);
}

void LocalSource::deadLetters(const QString &queue, int offset, int limit,
                              std::function<void(const SourceDeadLetters &)> done)
{
    QueueBackend *queues = m_server.queueBackend();
    if (!queues || !queues->isRunning()) {
        SourceDeadLetters page;
        page.error = tr("The durable queue store is not available (is the server running?).");
        done(page);
        return;
    }
    QPointer<LocalSource> self(this);
    queues->deadLettersAsync(queue, offset, limit, [self, done = std::move(done)](const QueueBackend::DeadPage &dead) {
        SourceDeadLetters page;
        page.rows = dead.messages;
        page.total = dead.total;
        if (!dead.ok)
            page.error = tr("The store could not list the dead letters.");
        if (self)
            self->answerHere(std::move(done), page);
    });
}

void LocalSource::emitEvent(const EmitRequest &request, int ackWaitMs, std::function<void(const EmitResult &)> done,
                            std::function<void(const SourceAckWait &)> waited)
{
    if (!request.ack || ackWaitMs <= 0 || !waited) {
        done(m_server.emitEvent(request));
        return;
    }
    // The same wait as the HTTP emit's "waitMs" (rooms/ackwaits.h): in a cluster, the other
    // nodes report the sockets they handed the emit to, so the wait's "delivered" is the
    // cluster's and the console's ack count can be set against it (docs/console.md, "Emit").
    EmitRequest r = request;
    if (r.id.isEmpty())
        r.id = Server::newId();
    const QString id = r.id;
    AckWaits &acks = m_server.ackWaits();
    QPointer<LocalSource> self(this);
    const auto opened = acks.open(id, qBound(1, ackWaitMs, m_server.config().maxAckWaitMs),
                                  [self, waited](const QJsonObject &collected) {
        if (!self)
            return;
        SourceAckWait wait = SourceAckWait::fromJson(collected);
        wait.live = true; // every ack came through ackReceived() too
        self->answerHere(waited, wait);
    });
    if (opened != AckWaits::Opened::Ok) {
        // The acks still arrive one by one; only the cluster-wide count is missing.
        const EmitResult result = m_server.emitEvent(r);
        done(result);
        SourceAckWait failed;
        failed.error = opened == AckWaits::Opened::Full ? tr("Too many emits are waiting for acks on this server.")
                                                        : tr("An emit with this id is waiting for its acks already.");
        waited(failed);
        return;
    }
    r.ackTargets = true;
    if (m_server.broker().isClustered()) {
        r.whenPublished = [&acks, id](const PublishOutcome &outcome) {
            acks.expectReports(id, outcome.published ? outcome.switchboardNodes : 0);
        };
    }
    const EmitResult result = m_server.emitEvent(std::move(r));
    acks.emitted(id, result);
    done(result);
}

bool LocalSource::action(const QString &action, const QJsonObject &args, SourceCallback done)
{
    const quint64 id = args.value(QLatin1String("id")).toVariant().toULongLong();
    const auto found = [&done](bool ok) {
        done(ok ? resultOf(true, QStringLiteral("ok"))
                : resultOf(false, QStringLiteral("not_found"), tr("The connection is gone.")));
        return true;
    };
    if (action == QLatin1String("connection")) {
        const auto s = m_server.registry().snapshot(id);
        done(s ? resultOf(true, QStringLiteral("ok")) : resultOf(false, QStringLiteral("not_found")));
        return true;
    }
    if (action == QLatin1String("disconnect"))
        return found(m_server.disconnectConnection(id, args.value(QLatin1String("code")).toInt(1000),
                                                   args.value(QLatin1String("reason")).toString()));
    if (action == QLatin1String("join"))
        return found(m_server.joinRoom(id, args.value(QLatin1String("room")).toString()));
    if (action == QLatin1String("leave"))
        return found(m_server.leaveRoom(id, args.value(QLatin1String("room")).toString()));
    if (action == QLatin1String("emit")) {
        EmitRequest request;
        QString why;
        if (!parseEmitJson(args, &request, &why)) {
            done(resultOf(false, QStringLiteral("invalid"), why));
            return true;
        }
        request.source = QStringLiteral("console");
        const EmitResult r = m_server.emitEvent(request);
        done(resultOf(r.error.isEmpty(), r.error.isEmpty() ? QStringLiteral("ok") : QStringLiteral("error"), r.error,
                      {{QStringLiteral("id"), r.id}, {QStringLiteral("delivered"), r.delivered}}));
        return true;
    }
    // Drain and tokens take the HTTP routes' way: the same checks, result and audit.
    if (action == QLatin1String("drain") || action == QLatin1String("undrain")) {
        routeAction(QStringLiteral("/api/admin/%1").arg(action), {}, std::move(done));
        return true;
    }
    if (action == QLatin1String("mint_token")) {
        routeAction(QStringLiteral("/api/admin/tokens"), args, std::move(done));
        return true;
    }
    if (action == QLatin1String("stop")) {
        stop();
        done(resultOf(true, QStringLiteral("ok")));
        return true;
    }
    return queueAction(action, args, std::move(done));
}

void LocalSource::routeAction(const QString &path, const QJsonObject &body, SourceCallback done)
{
    // The console acts for the operator at this desk: the server's own internal key (or its
    // static admin token), as a back end on this host would call the route.
    const ServerConfig &config = m_server.config();
    QList<QPair<QByteArray, QByteArray>> headers{{QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")}};
    if (!config.internalKey.isEmpty())
        headers.append({QByteArrayLiteral("x-internal-key"), config.internalKey.toUtf8()});
    else if (!config.adminToken.isEmpty())
        headers.append({QByteArrayLiteral("authorization"), "Bearer " + config.adminToken.toUtf8()});
    const RequestData request(QHttpServerRequest::Method::Post, QUrl(path), headers,
                              QJsonDocument(body).toJson(QJsonDocument::Compact), QHostAddress(QHostAddress::LocalHost));
    QPointer<LocalSource> self(this);
    m_server.router().dispatch(request, m_server, Responder::toSink([self, done, path](const HttpResponse &response) {
        const QJsonObject data = QJsonDocument::fromJson(response.body).object();
        const QString result = AdminGate::resultOf(response.status);
        QString message = data.value(QLatin1String("error")).toString();
        if (response.status == 404 && message.isEmpty())
            message = tr("This server has no %1 route (an older version).").arg(path);
        if (self)
            self->answerHere(done, resultOf(result == QLatin1String("ok"), result, message, data));
    }));
}

bool LocalSource::queueAction(const QString &action, const QJsonObject &args, SourceCallback done)
{
    QueueBackend *queues = m_server.queueBackend();
    const QString queue = args.value(QLatin1String("queue")).toString();
    const bool known = action == QLatin1String("retry_dead") || action == QLatin1String("purge_dead")
        || action == QLatin1String("enqueue");
    if (!known) {
        done(resultOf(false, QStringLiteral("invalid"), tr("Unknown action %1.").arg(action)));
        return true;
    }
    if (!queues || !queues->isRunning())
        return false;
    QPointer<LocalSource> self(this);
    const auto moved = [self, done](const QueueBackend::Moved &m) {
        if (!self)
            return;
        SourceResult result = !m.known ? resultOf(false, QStringLiteral("not_found"))
            : m.count < 0 ? resultOf(false, QStringLiteral("error"), tr("The store failed."))
                          : resultOf(true, QStringLiteral("ok"), {}, {{QStringLiteral("count"), m.count}});
        self->answerHere(done, result);
    };
    if (action == QLatin1String("retry_dead")) {
        queues->retryDeadAsync(queue, args.value(QLatin1String("id")).toVariant().toLongLong(), moved);
    } else if (action == QLatin1String("purge_dead")) {
        queues->purgeDeadAsync(queue, moved);
    } else {
        QueueMessage m;
        m.queue = queue;
        m.payload = storedPayload(args.value(QLatin1String("payload")));
        parsePriority(args.value(QLatin1String("priority")).toString(QStringLiteral("normal")), &m.priority);
        m.maxAttempts = args.value(QLatin1String("maxAttempts")).toInt(m_server.config().queueMaxAttempts);
        m.createdAtMs = QDateTime::currentMSecsSinceEpoch();
        m.availableAtMs = m.createdAtMs + args.value(QLatin1String("delayMs")).toVariant().toLongLong();
        queues->enqueueAsync({m}, 0, [self, done](const QueueBackend::Enqueued &e) {
            if (!self)
                return;
            const qint64 id = e.ok && !e.messages.isEmpty() ? e.messages.constFirst().id : 0;
            self->answerHere(done, resultOf(e.ok, e.ok ? QStringLiteral("ok") : QStringLiteral("error"), e.error,
                                            {{QStringLiteral("count"), id}, {QStringLiteral("id"), id}}));
        });
    }
    return true;
}

} // namespace Switchboard
