#include "server.h"

#include <chrono>

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QUuid>
#include <QtNetwork/QHostAddress>

#include "admin/adminauth.h"
#include "admin/adminchannel.h"
#include "admin/nodedrain.h"
#include "admin/auditlog.h"
#include "auth/jwt.h"
#include "bridge/amqpbridge.h"
#include "cluster/localbroker.h"
#include "cluster/redisbroker.h"
#include "core/connectionlog.h"
#include "core/fileworker.h"
#include "core/logging.h"
#include "core/slots.h"
#include "hooks/connectproxy.h"
#include "hooks/eventproxy.h"
#include "hooks/subscribeproxy.h"
#include "hooks/webhooks.h"
#include "http/router.h"
#include "protocol/messages.h"
#include "protocol/eventtext.h"
#include "queue/sqliteofflinestore.h"
#include "offlinefallback.h"
#include "rooms/ackwaits.h"
#include "rooms/presenceevents.h"
#include "rooms/socketidroom.h"
#include "socketio/fixture.h"
#include "socketio/recovery.h"
#include "cluster/rediseventstream.h"
#include "rooms/eventstream.h"
#include "transport/connection.h"
#include "transport/epolldispatcher.h"
#include "transport/ioworker.h"
#include "transport/listener.h"
#include "transport/tls.h"
#include "stores.h"
#include "transport/wsendpoints.h"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif

namespace Switchboard {

namespace {

constexpr int kHistorySize = 900;

/// Hands @p frame to every I/O thread, for everyone there (@p everyone) or for @p room's members.
void postToEveryWorker(const std::vector<IoWorker *> &workers, bool everyone, const QString &room,
                       const std::shared_ptr<const OutboundFrame> &frame)
{
    for (IoWorker *worker : workers) {
        if (everyone)
            worker->post([worker, frame] { worker->deliverToAll(frame); });
        else
            worker->post([worker, room, frame] { worker->deliverToRoom(room, frame); });
    }
}

/// The first I/O thread with @p limit or more deliveries waiting, if any.
const IoWorker *fullWorker(const std::vector<IoWorker *> &workers, int limit)
{
    for (const IoWorker *worker : workers) {
        if (worker->queued() >= limit)
            return worker;
    }
    return nullptr;
}

} // namespace

Server::Server(const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_policy(config.claimRooms, config.allowedRooms, config.claimRoomsQuery)
    , m_clientAddress(config.trustedProxies)
    , m_httpRates(config.httpRateLimit, 2.0 * config.httpRateLimit)
    , m_handshakeRates(config.handshakeRateLimit, 2.0 * config.handshakeRateLimit)
    , m_connectionsPerAddress(config.maxConnectionsPerIp)
    , m_offline(std::make_unique<SqliteOfflineStore>())
    , m_sioRecovery(std::make_unique<SioRecovery>(config.socketioRecoverySeconds, config.socketioRecoveryMaxBytes,
                                                  config.recoveryReplayMaxBytes))
    , m_eventStream(m_sioRecovery.get())
    , m_broker(std::make_unique<LocalBroker>(*this))
    , m_ackWaits(std::make_unique<AckWaits>(config.maxAckWaits, config.maxAckBytes))
    , m_presenceEvents(std::make_unique<PresenceEvents>(*this))
    , m_connectionLog(std::make_unique<ConnectionLog>(config.logConnections))
    , m_fileWorker(std::make_unique<FileWorker>())
    , m_adminAuth(std::make_unique<AdminAuth>(m_config, *m_fileWorker))
    , m_auditLog(std::make_unique<AuditLog>(config.dataDir.isEmpty() ? QString() : config.dataDir + QStringLiteral("/audit.log"),
                                            config.auditMaxBytes, *m_fileWorker))
    , m_wsEndpoints(std::make_unique<WsEndpoints>())
    , m_drain(std::make_unique<NodeDrain>(*this))
    , m_router(new Router)
{
    registerApiRoutes(*m_router, *this);
    m_adminChannels = std::make_unique<AdminChannels>(*this);
    m_wsEndpoints->add(AdminChannels::path(), [channels = m_adminChannels.get()](IoWorker &worker, const WsUpgrade &upgrade) {
        channels->open(worker, upgrade);
    });
    if (config.socketioTestFixture)
        m_sioHooks = std::make_unique<SioTestFixture>();
    if (config.hooks.connect.enabled())
        m_connectProxy = std::make_unique<ConnectProxy>(config.hooks, config.hooksSecret.toUtf8());
    if (!config.hooks.events.isEmpty()) {
        m_eventProxy = std::make_unique<EventProxy>(
            config.hooks, config.hooksSecret.toUtf8(), [this](EmitRequest r) { return emitEvent(std::move(r)); },
            [this](const QString &queue, const QByteArray &payload, qint64 maxDepth,
                   std::function<void(qint64, const QString &, bool)> done) {
                // Read on an I/O thread like a client's consume: set before they start, reset after.
                QueueBackend *queues = m_queues.get();
                if (!queues)
                    return done(0, QStringLiteral("the durable queue store is not available"), false);
                if (payload.size() > m_config.queueMaxPayload)
                    return done(0, QStringLiteral("%1 bytes; --queue-max-payload is %2").arg(payload.size()).arg(m_config.queueMaxPayload), false);
                QueueMessage message;
                message.queue = queue;
                message.payload = payload;
                message.maxAttempts = m_config.queueMaxAttempts;
                message.createdAtMs = message.availableAtMs = QDateTime::currentMSecsSinceEpoch();
                // The HTTP route's enqueue path, with the rule's depth bound.
                queues->enqueueAsync({message}, maxDepth, [done = std::move(done)](const QueueBackend::Enqueued &r) {
                    done(r.ok ? r.messages.constFirst().id : 0, r.ok ? QString() : r.error, r.full);
                });
            });
    }
    if (!config.hooks.subscribe.isEmpty())
        m_subscribeProxy = std::make_unique<SubscribeProxy>(config.hooks, config.hooksSecret.toUtf8());
    if (config.webhooks.enabled())
        m_webhooks = std::make_unique<Webhooks>(config.webhooks, config.hooksSecret.toUtf8());
    m_sampleTimer.setInterval(1000);
    connect(&m_sampleTimer, &QTimer::timeout, this, &Server::sample);
    // The recovery window holds when emits stop too.
    connect(&m_sampleTimer, &QTimer::timeout, this, [this] { m_eventStream->prune(); });
}

Server::~Server()
{
    stop();
    m_adminChannels.reset();
    delete m_router;
    // Its queued jobs (audit lines, revocations) use the admin objects: finished first.
    m_fileWorker.reset();
}

qint64 Server::monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

qint64 Server::monotonicMs()
{
    return monotonicNs() / 1000000;
}

QString Server::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool Server::reloadTls(QString *error)
{
    if (!m_tls) {
        *error = QStringLiteral("TLS is off (no --tls-cert)");
        return false;
    }
    if (!m_tls->reload(error))
        return false;
    qCInfo(lcServer).noquote() << "TLS certificate reloaded: SHA-256" << m_tls->fingerprint();
    return true;
}

bool Server::start(QString *error)
{
    QString localError;
    if (!error)
        error = &localError;
    if (m_running)
        return true;

    QHostAddress address;
    if (m_config.host == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(m_config.host)) {
        *error = QStringLiteral("invalid host address \"%1\"").arg(m_config.host);
        return false;
    }

    if (!m_config.tlsCert.isEmpty() && !m_tls) {
        m_tls = TlsContext::load(m_config.tlsCert, m_config.tlsKey, error);
        if (!m_tls)
            return false;
        qCInfo(lcServer).noquote() << "TLS on: certificate" << m_config.tlsCert << "SHA-256" << m_tls->fingerprint();
    }

    const int threads = m_config.effectiveThreads();
    std::vector<qintptr> descriptors;
    quint16 port = m_config.port;
    if (port != 0) {
        // SO_REUSEPORT would happily share the port with another process of ours; a plain
        // bind first makes "address in use" an error, as users expect.
        QTcpServer probe;
        if (!probe.listen(address, port)) {
            *error = QStringLiteral("cannot listen on %1:%2: %3").arg(m_config.host).arg(port).arg(probe.errorString());
            return false;
        }
        probe.close();
    }
    for (int i = 0; i < threads; ++i) {
        const qintptr fd = openReusePortListener(address, port, error);
        if (fd < 0) {
            for (qintptr open : descriptors)
                closeDescriptor(open);
            return false;
        }
        if (port == 0)
            port = boundPort(fd);
        descriptors.push_back(fd);
    }
    m_port = port;

    if (!m_offline->isOpen())
        m_offline = Stores::offline(m_config);

    {
        // Durable queues: shared through Redis with --redis, else this node's (docs/queues.md).
        std::unique_ptr<QueueBackend> queues = Stores::queues(*this, m_config);
        if (m_webhooks) {
            m_webhooks->start();
            queues->setDeadLetterSink([webhooks = m_webhooks.get()](const QString &queue, qint64 id, int attempts, const QString &error) {
                webhooks->deadLetter(queue, id, attempts, error);
            });
        }
        QString queueError;
        if (queues->start(&queueError))
            m_queues = std::move(queues);
        else
            qCWarning(lcQueue).noquote() << "durable queues disabled:" << queueError;
    }

    // Cluster mode: a fresh broker per start (a stopped one has left the cluster). Connection
    // ids carry its prefix, so they are unique across the cluster.
    if (!m_config.redisUrl.isEmpty()) {
        m_broker = std::make_unique<RedisBroker>(*this, *RedisUrl::parse(m_config.redisUrl));
        m_nextConnectionId.store(m_broker->connectionIdBase() + 1, std::memory_order_relaxed);
    }
    // Recovery and resume state: the cluster's stream with --redis (docs/cluster.md), else
    // this node's in-memory log.
    m_redisEvents = Stores::sharedEvents(m_config);
    m_eventStream = m_redisEvents ? static_cast<EventStream *>(m_redisEvents.get()) : m_sioRecovery.get();
    m_broker->start();
    m_adminAuth->start(); // cluster mode: revocations shared through Redis

    if (m_eventProxy)
        m_eventProxy->start();
    if (m_subscribeProxy)
        m_subscribeProxy->start();
    if (m_connectProxy)
        m_connectProxy->start();
    // SWITCHBOARD_EVENT_DISPATCHER=qt keeps Qt's own poll()-based dispatcher (for comparison).
    const bool useEpoll = qEnvironmentVariable("SWITCHBOARD_EVENT_DISPATCHER") != QLatin1String("qt");
    // HTTP connections of all I/O threads count against one cap.
    auto httpConnections = std::make_shared<std::atomic<int>>(0);
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("switchboard-io-%1").arg(i));
        if (useEpoll) {
            auto *dispatcher = new EpollDispatcher;
            if (dispatcher->isValid())
                thread->setEventDispatcher(dispatcher);
            else
                delete dispatcher;
        }
        auto *worker = new IoWorker(*this, *m_router, i, descriptors[size_t(i)], httpConnections);
        worker->moveToThread(thread);
        connect(thread, &QThread::started, worker, &IoWorker::start);
        // No deleteLater on finished: stop() deletes the workers once every thread is joined.
        m_threads.push_back(thread);
        m_workers.push_back(worker);
        thread->start();
    }
    m_running = true;
    m_drain->reset();
    m_adminChannels->start();
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_lastTotals = {};
    m_lastTotals.atMs = monotonicMs();
    m_sampleTimer.start();
    // Cluster mode: recorded events (this node's and the others') reach this node's sockets
    // from the stream, in its order (docs/cluster.md); the tail waits while the I/O threads
    // are at their queued limit.
    if (m_redisEvents) {
        m_redisEvents->startTail(
            [this](std::shared_ptr<const OutboundFrame> frame) {
                postToEveryWorker(m_workers, frame->room.isEmpty(), frame->room, frame);
            },
            [this] { return !fullWorker(m_workers, m_config.maxQueuedEmits); });
    }
    // The bridge emits through emitEvent, so it starts once the server runs (and stops first).
    if (!m_config.amqpUrl.isEmpty()) {
        if (!m_bridge)
            m_bridge = std::make_unique<AmqpBridge>(m_config.amqpUrl, m_config.amqpTls, m_config.amqpBindings,
                                                    [this](EmitRequest r) { return emitEvent(std::move(r)); });
        m_bridge->start();
    }
    m_heapTrim.start(m_config.heapTrimIntervalSeconds * 1000);
    qCInfo(lcServer).noquote() << "listening on" << url() << "with" << threads << "I/O threads; WebSocket endpoint" << wsUrl();
    Q_EMIT started();
    return true;
}

void Server::stop(int closeCode, const QString &reason)
{
    if (!m_running)
        return;
    m_sampleTimer.stop();
    // Admin channels first: closed with the clients below (their closes are posted before the
    // workers' shutdown), and nothing is sent to them once the workers go.
    m_adminChannels->stop(closeCode, reason);
    m_drain->reset();
    // Emitters waiting for acks get what came in, while their HTTP connections are open.
    m_ackWaits->finishAll();
    // No new emits from the broker; what it delivered and is not acked yet goes back to it.
    if (m_bridge)
        m_bridge->stop();
    // Calls in flight are answered "unavailable" while their connections still exist.
    if (m_eventProxy)
        m_eventProxy->stop();
    if (m_subscribeProxy)
        m_subscribeProxy->stop();
    // Connections waiting for the connect proxy are refused (connect_unavailable) likewise.
    if (m_connectProxy)
        m_connectProxy->stop();
    m_heapTrim.stop();
    // Out of the cluster first, so no node counts or routes to this one while it closes; but
    // first the other nodes' presence subscribers hear that this node's users left (once it
    // left, nothing more is published). The publishes precede the departure on the one Redis
    // link, whose confirmation leave() waits for (at most 1 s).
    if (m_broker->isClustered())
        m_presenceEvents->nodeLeaving();
    m_broker->leave();
    // One ownership rule (docs/architecture.md, "Shutdown"): close everything, join every I/O
    // thread, and only then delete the workers. A worker that has drained keeps running,
    // because another may still answer a long-poll through it.
    auto drained = std::make_shared<QSemaphore>();
    for (IoWorker *worker : m_workers) {
        // Direct: this thread blocks below; the semaphore outlives a late signal.
        connect(worker, &IoWorker::drained, worker, [drained] { drained->release(); }, Qt::DirectConnection);
        worker->post([worker, closeCode, reason] { worker->shutdown(closeCode, reason); });
    }
    if (!drained->tryAcquire(int(m_workers.size()), 5000))
        qCWarning(lcServer) << "I/O threads did not drain in time; closing what is left";
    // Behind whatever the workers posted to each other while draining (answers to held polls).
    for (IoWorker *worker : m_workers)
        worker->post([worker] { worker->finishThread(); });
    for (QThread *thread : m_threads) {
        if (!thread->wait(5000)) {
            qCWarning(lcServer) << "I/O thread did not stop in time; quitting it";
            thread->quit();
            thread->wait();
        }
    }
    m_running = false;
    // After the I/O threads: consumers that left during shutdown have returned their jobs.
    if (m_queues) {
        m_queues->stop();
        m_queues.reset();
    }
    // Last: the disconnects of the shutdown and the queue's last dead letters go out too.
    if (m_webhooks)
        m_webhooks->stop();
    // The recorded events' link answers what it still has in flight (its callbacks post to
    // the finished workers, which drop the tasks) before the workers go.
    if (m_redisEvents)
        m_redisEvents->stop();
    // So does the offline store: a persisted emit it refuses now is emitted live by its
    // fallback (offlinefallback.h) from the store's thread, which must not find the workers
    // gone; closed, it calls nothing more.
    m_offline->close();
    // Nothing can post to a worker any more (the queue thread was the last): delete them.
    for (IoWorker *worker : m_workers)
        delete worker;
    for (QThread *thread : m_threads)
        delete thread;
    m_workers.clear();
    m_threads.clear();
    {
        QMutexLocker lock(&m_eioLock);
        m_eioOwners.clear();
    }
    m_adminAuth->stop();
    m_broker->stop();
    qCInfo(lcServer) << "stopped";
    Q_EMIT stopped();
}

ClientEventHandler *Server::clientEvents() const
{
    return m_eventProxy.get();
}

JoinAuthorizer *Server::joinAuthorizer() const
{
    return m_subscribeProxy.get();
}

std::function<bool(const QString &)> Server::subscribeRuleCovers() const
{
    const JoinAuthorizer *joins = joinAuthorizer();
    if (!joins)
        return {};
    return [joins](const QString &room) { return joins->covers(room); };
}

ConnectHandler *Server::connectHandler() const
{
    return m_connectProxy.get();
}

QString Server::url() const
{
    const QString host = m_config.host.contains(QLatin1Char(':')) ? QLatin1Char('[') + m_config.host + QLatin1Char(']') : m_config.host;
    return QStringLiteral("%1://%2:%3").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), host).arg(m_port);
}

QString Server::wsUrl() const
{
    QString u = url();
    u.replace(0, 4, QStringLiteral("ws"));
    return u + QStringLiteral("/ws");
}

qint64 Server::uptimeSeconds() const
{
    return m_running ? (QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000 : 0;
}

IoWorker *Server::workerFor(quint64 connectionId) const
{
    const int index = m_registry.workerOf(connectionId);
    if (index < 0 || index >= int(m_workers.size()))
        return nullptr;
    return m_workers[size_t(index)];
}

EmitResult Server::emitEvent(EmitRequest request)
{
    EmitResult result;
    // Every source comes through here: the name becomes a metric key and an event-log field.
    result.error = Protocol::checkEventName(request.event);
    if (!result.error.isEmpty()) {
        result.invalid = true;
        result.code = QStringLiteral("invalid_event");
        return result;
    }
    if (request.nsp != QLatin1String("/") && !m_config.socketioNamespaces.contains(request.nsp)) {
        result.invalid = true;
        result.code = QStringLiteral("invalid_request");
        result.error = QStringLiteral("unknown namespace %1 (configured: / %2)").arg(request.nsp, m_config.socketioNamespaces.join(QLatin1Char(' '))).trimmed();
        return result;
    }
    if (request.id.isEmpty())
        request.id = newId();
    result.id = request.id;
    if (!m_running) {
        result.code = QStringLiteral("unavailable");
        result.error = QStringLiteral("server is not running");
        return result;
    }
    // Backpressure: a producer faster than the sockets gets a clear refusal instead of an
    // ever-growing queue in the I/O threads.
    if (const IoWorker *worker = fullWorker(m_workers, m_config.maxQueuedEmits)) {
        m_metrics.emitsRefused.fetch_add(1, std::memory_order_relaxed);
        result.overloaded = true;
        result.code = QStringLiteral("overloaded");
        result.error = QStringLiteral("server overloaded: %1 deliveries waiting on an I/O thread; retry later")
                           .arg(worker->queued());
        return result;
    }

    const bool recordable = !request.ack && request.target != EmitRequest::Target::Connection;
    Protocol::EventFields message;
    message.type = request.event;
    message.data = request.payload.isUndefined() ? QJsonValue() : request.payload;
    message.id = request.id;
    message.timestamp = QDateTime::currentMSecsSinceEpoch();
    QString room;
    switch (request.target) {
    case EmitRequest::Target::Room: room = request.room; break;
    case EmitRequest::Target::User: room = QStringLiteral("user:") + request.userId; break;
    default: break;
    }
    message.room = room;
    message.hasRoom = request.target == EmitRequest::Target::Room;
    message.from = request.fromUserId;
    message.ack = request.ack;
    if (!request.moreArgs.isEmpty()) {
        // Several Socket.IO arguments (a Node emitter's emit("e", a, b)): native clients get
        // them all in "args", the first also in "data".
        message.args.append(message.data);
        for (const QJsonValue &arg : request.moreArgs)
            message.args.append(arg);
    }

    auto frame = std::make_shared<OutboundFrame>();
    frame->text = Protocol::encodeEvent(message); // the text of Protocol::eventObject(message)
    frame->emittedNs = monotonicNs();
    frame->exceptConnectionId = request.exceptConnectionId;
    frame->exceptUserId = request.exceptUserId;
    frame->event = request.event;
    frame->payload = request.attachments.isEmpty() ? message.data : request.sioPayload;
    frame->attachments = request.attachments;
    frame->nsp = request.nsp;
    frame->id = request.id;
    frame->room = room;
    frame->moreRooms = request.moreRooms;
    frame->exceptRooms = request.exceptRooms;
    if (request.target == EmitRequest::Target::Room) {
        for (const QString &name : QStringList{request.room} + request.moreRooms) {
            if (const quint64 id = SocketIdRoom::connectionId(name))
                frame->connectionRooms.append(id);
        }
    }
    for (const QString &name : request.exceptRooms) {
        if (const quint64 id = SocketIdRoom::connectionId(name))
            frame->exceptConnectionRooms.append(id);
    }
    frame->moreArgs = request.moreArgs;
    frame->ack = request.ack;
    IoWorker *owner = nullptr; // Target::Connection: the connection's I/O thread
    switch (request.target) {
    case EmitRequest::Target::Room:
    case EmitRequest::Target::User:
    case EmitRequest::Target::Broadcast: // room is empty: everyone
        if (request.ackTargets) {
            result.targets = m_registry.listTargets(room, request.moreRooms, request.exceptRooms, request.exceptConnectionId,
                                                    request.exceptUserId, Registry::kMaxListedTargets, &result.moreTargets);
            result.delivered = int(result.targets.size()) + result.moreTargets;
        } else {
            result.delivered = m_registry.countTargets(room, request.moreRooms, request.exceptRooms,
                                                       request.exceptConnectionId, request.exceptUserId);
        }
        break;
    case EmitRequest::Target::Connection:
        if ((owner = workerFor(request.connectionId)) || !m_broker->isClustered()) {
            const auto info = m_registry.connection(request.connectionId);
            const bool skipped = request.exceptConnectionId == request.connectionId
                || (info && !request.exceptUserId.isEmpty() && info->userId == request.exceptUserId);
            result.delivered = skipped ? 0 : 1;
            if (request.ackTargets && !skipped && info)
                result.targets.append({info->id, info->userId});
        }
        break;
    }

    const auto post = [this, target = request.target, room, frame, owner, connectionId = request.connectionId] {
        switch (target) {
        case EmitRequest::Target::Room:
        case EmitRequest::Target::User:
        case EmitRequest::Target::Broadcast:
            postToEveryWorker(m_workers, target == EmitRequest::Target::Broadcast, room, frame);
            break;
        case EmitRequest::Target::Connection:
            if (owner)
                owner->post([owner, id = connectionId, frame] { owner->deliverToConnection(id, frame); });
            break;
        }
    };
    // The text as it is now: a shared store stamps the offset into the frame on its own thread.
    const QString loggedText = frame->text;
    // Cluster mode: every emit made here goes to the other nodes too, except one to a
    // connection of this node.
    // A persisted emit to a user with no socket here, with a store every node shares, is not
    // published nor recorded: it is stored, and a connection of the user on any node takes it
    // from there (leased to one of them, kept until acked); a live or replayed copy besides
    // would reach them twice.
    const bool persistHere = request.persist && request.target == EmitRequest::Target::User && result.delivered == 0;
    const bool sharedPersist = persistHere && m_offline->isShared() && m_offline->isOpen();
    const bool publish = !request.fromCluster && !sharedPersist
        && !(request.target == EmitRequest::Target::Connection && owner);
    const bool record = recordable && !sharedPersist;
    // Room and broadcast emits are kept for Socket.IO connection state recovery and native
    // resume (acked ones carry per-socket ack ids and are not replayed, as in Socket.IO); the
    // store gives them their offsets in the order of these posts.
    EventStream &events = *m_eventStream;
    const bool recording = record && events.enabled();
    if (recording && request.fromCluster) {
        // Recorded by the node that emitted it: this node's tail of the stream delivers it,
        // in stream order, so the pub/sub copy (sent for Node Socket.IO peers) is dropped.
        // Unrecorded (a Node peer, a back end's PUBLISH, a record that failed): delivered now.
        if (request.offset == 0 || !events.isShared())
            post();
    } else if (recording && events.isShared() && publish) {
        // The stream id is the offset on every node: recorded, then delivered by every
        // node's tail of the stream (this one's too), and published once Redis gave it.
        auto published = std::make_shared<EmitRequest>(request);
        published->whenPersisted = {};
        request.whenPublished = {};
        result.publishPending = bool(published->whenPublished);
        events.recordThenPost(frame, [this, post, frame, published] {
            if (frame->offset == 0)
                post(); // not recorded: delivered now, without an offset (a gap is marked)
            published->offset = frame->offset;
            // Whoever waits for the publish hears of it whatever happens.
            if (!m_broker->publish(*published, published->whenPublished) && published->whenPublished) {
                PublishOutcome outcome;
                outcome.error = QStringLiteral("not published: the node is leaving the cluster");
                published->whenPublished(outcome);
            }
        });
    } else {
        if (record)
            events.recordThenPost(frame, post);
        else
            post();
        if (publish) {
            auto published = std::move(request.whenPublished);
            const bool wait = bool(published);
            if (m_broker->publish(request, std::move(published)))
                result.publishPending = wait;
        }
    }

    if (persistHere) {
        // With a shared store the emit was neither published nor recorded: should the store
        // fail, the fallback emits it live instead, and tells the emitter (offlinefallback.h).
        const bool waited = bool(request.whenPersisted);
        auto whenPersisted = sharedPersist
            ? OfflineFallback::wrap(*this, request, std::move(request.whenPersisted))
            : std::move(request.whenPersisted);
        if (!persistForOffline(std::move(whenPersisted), request.userId, Protocol::eventObject(message), &result))
            return result;
        result.persistPending = result.persistPending && waited;
    }

    m_metrics.emits.fetch_add(1, std::memory_order_relaxed);
    m_metrics.countEvent(request.event);
    const QString target = request.target == EmitRequest::Target::Broadcast ? QStringLiteral("*")
        : request.target == EmitRequest::Target::Connection ? QStringLiteral("#%1").arg(request.connectionId)
                                                             : room;
    // The frame as sent is the detail: no second serialisation on the emit path.
    m_eventLog.append(request.source == QLatin1String("client") ? EventLog::Direction::In : EventLog::Direction::Out,
                      request.event, target, request.fromUserId, 0, loggedText);
    return result;
}

bool Server::persistForOffline(std::function<void(const EmitResult &)> whenPersisted, const QString &userId,
                               QJsonObject message, EmitResult *result)
{
    if (!m_offline->isOpen()) {
        result->code = QStringLiteral("unavailable");
        result->error = QStringLiteral("could not keep the event for offline user %1: offline store is not open").arg(userId);
        return false;
    }
    // Kept until the client acknowledges it, so the stored copy asks for an ack.
    message.insert(QStringLiteral("ack"), true);
    message.insert(QStringLiteral("persisted"), true);
    QString frame = Protocol::encode(message);
    const qint64 bytes = frame.toUtf8().size();
    if (bytes > m_config.offlineMaxBytesPerUser) {
        // Refused here, before the store: nothing of the user's is dropped for it.
        result->code = QStringLiteral("payload_too_large");
        result->error = QStringLiteral("could not keep the event for offline user %1: the event is %2 bytes, over the %3 bytes kept per offline user")
                            .arg(userId).arg(bytes).arg(m_config.offlineMaxBytesPerUser);
        return false;
    }
    // Committed on the offline store's thread, never on the caller's (an I/O thread, the
    // GUI): an emitter that must know when it is durable (the HTTP route) is called back.
    result->persisted = true;
    result->persistPending = bool(whenPersisted);
    auto onStored = [this, userId, done = std::move(whenPersisted), outcome = *result](const OfflineStore::Stored &stored) mutable {
        outcome.persistPending = false;
        if (stored.ok) {
            m_metrics.offlineStored.fetch_add(1, std::memory_order_relaxed);
            outcome.offlineDropped = stored.dropped;
            if (stored.dropped > 0) {
                m_metrics.offlineDropped.fetch_add(quint64(stored.dropped), std::memory_order_relaxed);
                qCInfo(lcQueue) << "dropped" << stored.dropped << "oldest offline events of user" << userId
                                << "over the bound of" << m_config.offlineMaxPerUser;
            }
        } else {
            outcome.persisted = false;
            outcome.code = QStringLiteral("unavailable");
            outcome.error = QStringLiteral("could not keep the event for offline user %1: %2").arg(userId, stored.error);
            qCWarning(lcQueue).noquote() << outcome.error;
        }
        if (done)
            done(outcome);
    };
    m_offline->store(userId, std::move(frame),
                     OfflineStore::Limits{m_config.offlineMaxPerUser, m_config.offlineMaxBytesPerUser}, std::move(onStored));
    return true;
}

bool Server::reservePendingSession()
{
    return takeSlot(m_pendingSessions, m_config.maxPendingSessions);
}

void Server::releasePendingSession()
{
    m_pendingSessions.fetch_sub(1, std::memory_order_relaxed);
}

IoWorker *Server::engineIoOwner(const QString &sid) const
{
    QMutexLocker lock(&m_eioLock);
    return m_eioOwners.value(sid);
}

void Server::registerEngineIo(const QString &sid, IoWorker *worker)
{
    QMutexLocker lock(&m_eioLock);
    m_eioOwners.insert(sid, worker);
}

void Server::unregisterEngineIo(const QString &sid)
{
    QMutexLocker lock(&m_eioLock);
    m_eioOwners.remove(sid);
}

void Server::deliverJob(quint64 connectionId, const QString &queue, qint64 id, const QString &frame)
{
    // A consumer that is gone meanwhile is not called: its consumerGone() returns the job.
    postToConnection(connectionId, [queue, id, frame](Connection *c) { c->sendJob(queue, id, frame); });
}

bool Server::postToConnection(quint64 connectionId, std::function<void(Connection *)> task)
{
    IoWorker *worker = workerFor(connectionId);
    if (!worker)
        return false;
    worker->post([worker, connectionId, task = std::move(task)] {
        if (Connection *c = worker->connection(connectionId))
            task(c);
    });
    return true;
}

Broker::Admission Server::admitUser(const QString &userId, quint64 connectionId, std::function<void(bool)> later)
{
    if (m_config.maxConnectionsPerUser <= 0)
        return Broker::Admission::Admitted;
    return m_broker->admitUser(userId, connectionId, std::move(later));
}

void Server::userConnectionClosed(const QString &userId, quint64 connectionId)
{
    if (m_config.maxConnectionsPerUser > 0)
        m_broker->userConnectionClosed(userId, connectionId);
}

void Server::requestStop()
{
    // After the caller's answer is on its way (the HTTP route's, the channel's result).
    QMetaObject::invokeMethod(this, [this] {
        QTimer::singleShot(200, this, [this] { Q_EMIT stopRequested(); });
    }, Qt::QueuedConnection);
}

bool Server::disconnectConnection(quint64 id, int code, const QString &reason)
{
    return postToConnection(id, [code, reason](Connection *c) { c->close(code, reason); });
}

bool Server::joinRoom(quint64 id, const QString &room)
{
    if (room.isEmpty())
        return false;
    if (SocketIdRoom::isReserved(room)) // a socket id: only the socket's own, which it is always in
        return SocketIdRoom::connectionId(room) == id && m_registry.connection(id);
    if (!m_registry.isMember(id, room) && m_registry.roomsOf(id).size() >= m_limits.maxRoomsPerConnection())
        return false; // Connection::join refuses it too; this tells the caller
    return postToConnection(id, [room](Connection *c) { c->join(room); });
}

bool Server::leaveRoom(quint64 id, const QString &room)
{
    if (!m_registry.isMember(id, room))
        return false;
    return postToConnection(id, [room](Connection *c) { c->leave(room); });
}

Server::AuthResult Server::checkAdmin(const QByteArray &internalKey, const QByteArray &authorization) const
{
    switch (m_adminAuth->authenticate(internalKey, authorization).status) {
    case AdminAuth::Result::Status::Ok: return AuthResult::Ok;
    case AdminAuth::Result::Status::Missing: return AuthResult::Missing;
    default: return AuthResult::Forbidden;
    }
}

void Server::reportAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                       const QString &error, const QJsonArray &args, bool fromCluster)
{
    // An emit from another node (or a Node server's broadcast with acks): its ack goes there.
    if (!fromCluster && m_broker->forwardAck(emitId, connectionId, userId, ok, error, args))
        return;
    m_ackWaits->offer(emitId, connectionId, userId, ok, error, args);
    (ok ? m_metrics.acks : m_metrics.nacks).fetch_add(1, std::memory_order_relaxed);
    m_eventLog.append(EventLog::Direction::In, ok ? QStringLiteral("ack") : QStringLiteral("nack"),
                      QString(), userId, connectionId, ok ? emitId : emitId + QStringLiteral(": ") + error);
    Q_EMIT ackReceived(emitId, connectionId, userId, ok, error);
}

void Server::sample()
{
    const qint64 now = monotonicMs();
    const double dt = qMax<qint64>(1, now - m_lastTotals.atMs) / 1000.0;
    Totals totals{m_metrics.messagesIn.load(), m_metrics.messagesOut.load(), m_metrics.bytesIn.load(),
                  m_metrics.bytesOut.load(), m_metrics.errors.load(), now};
    const auto latency = m_metrics.latency.counts();
    std::array<quint64, LatencyHistogram::kBuckets> window{};
    for (size_t i = 0; i < window.size(); ++i)
        window[i] = latency[i] - m_lastLatency[i];

    MetricsSample s;
    s.timestampMs = QDateTime::currentMSecsSinceEpoch();
    s.connections = m_registry.connectionCount();
    s.users = m_registry.userCount();
    s.rooms = m_registry.roomCount();
    s.messagesInPerSec = double(totals.in - m_lastTotals.in) / dt;
    s.messagesOutPerSec = double(totals.out - m_lastTotals.out) / dt;
    s.bytesInPerSec = double(totals.bytesIn - m_lastTotals.bytesIn) / dt;
    s.bytesOutPerSec = double(totals.bytesOut - m_lastTotals.bytesOut) / dt;
    s.errorsPerSec = double(totals.errors - m_lastTotals.errors) / dt;
    s.p50Ms = LatencyHistogram::quantile(window, 0.50) / 1000.0;
    s.p95Ms = LatencyHistogram::quantile(window, 0.95) / 1000.0;
    s.p99Ms = LatencyHistogram::quantile(window, 0.99) / 1000.0;
    if (m_queues) {
        for (const QueueStats &q : m_queues->stats())
            s.queueDepth += q.depth();
    }
    m_lastTotals = totals;
    m_lastLatency = latency;
    {
        QWriteLocker lock(&m_historyLock);
        m_history.append(s);
        if (m_history.size() > kHistorySize)
            m_history.removeFirst();
    }
    Q_EMIT sampled();
}

QList<MetricsSample> Server::history() const
{
    QReadLocker lock(&m_historyLock);
    return m_history;
}

MetricsSample Server::lastSample() const
{
    QReadLocker lock(&m_historyLock);
    return m_history.isEmpty() ? MetricsSample{} : m_history.last();
}

QString Server::statusName(QString *degraded) const
{
    const QString reason = m_running ? m_broker->degradedReason() : QString();
    if (degraded)
        *degraded = reason;
    // A draining node tells a load balancer to send its traffic elsewhere (GET /health: 503).
    return !m_running              ? QStringLiteral("stopped")
        : m_drain->isDraining()   ? QStringLiteral("draining")
        : reason.isEmpty()        ? QStringLiteral("ok")
                                  : QStringLiteral("degraded");
}

QJsonObject Server::healthJson() const
{
    QString degraded;
    const QString status = statusName(&degraded);
    QJsonObject health{{QStringLiteral("status"), status},
                       {QStringLiteral("uptime"), uptimeSeconds()},
                       {QStringLiteral("connections"), m_registry.connectionCount()},
                       {QStringLiteral("version"), QStringLiteral(SWITCHBOARD_VERSION)}};
    if (!degraded.isEmpty())
        health.insert(QStringLiteral("reason"), degraded);
    if (m_broker->isClustered())
        health.insert(QStringLiteral("node"), nodeName());
    return health;
}

QJsonObject Server::readyJson() const
{
    QString reason = !m_running          ? QStringLiteral("stopped")
        : m_drain->isDraining()          ? QStringLiteral("draining")
                                         : m_broker->notReadyReason();
    if (reason.isEmpty() && m_eventStream && !m_eventStream->ready())
        reason = QStringLiteral("cluster: the recovery stream has not been read from Redis yet");
    QJsonObject ready{{QStringLiteral("ready"), reason.isEmpty()},
                      {QStringLiteral("status"), statusName()}};
    if (!reason.isEmpty())
        ready.insert(QStringLiteral("reason"), reason);
    return ready;
}

QString Server::nodeName() const
{
    return m_config.nodeName.isEmpty() ? QStringLiteral("%1:%2").arg(m_config.host).arg(m_port) : m_config.nodeName;
}

QJsonObject Server::nodeJson() const
{
    const MetricsSample s = lastSample();
    return {{QStringLiteral("name"), nodeName()},
            {QStringLiteral("address"), url()},
            {QStringLiteral("version"), QStringLiteral(SWITCHBOARD_VERSION)},
            {QStringLiteral("uptime"), uptimeSeconds()},
            {QStringLiteral("connections"), m_registry.connectionCount()},
            {QStringLiteral("users"), m_registry.userCount()},
            {QStringLiteral("messagesInPerSec"), s.messagesInPerSec},
            {QStringLiteral("messagesOutPerSec"), s.messagesOutPerSec},
            {QStringLiteral("state"), m_running ? QStringLiteral("up") : QStringLiteral("stopped")}};
}

void Server::connectionOp(quint64 id, Broker::ConnectionOp op, const QString &room, int code, const QString &reason,
                          std::function<void(bool found)> done)
{
    bool found = false;
    switch (op) {
    case Broker::ConnectionOp::Disconnect: found = disconnectConnection(id, code, reason); break;
    case Broker::ConnectionOp::Join: found = joinRoom(id, room); break;
    case Broker::ConnectionOp::Leave: found = leaveRoom(id, room); break;
    }
    if (found || m_registry.connection(id) || !m_broker->isClustered()) // here, or no cluster to ask
        return done(found);
    m_broker->remoteConnection(id, op, room, code, reason, std::move(done));
}

QJsonObject Server::metricsJson() const
{
    const MetricsSample s = lastSample();
    QJsonObject byCode;
    const auto closes = m_metrics.closesByCode();
    for (auto it = closes.cbegin(); it != closes.cend(); ++it)
        byCode.insert(QString::number(it.key()), qint64(it.value()));
    QJsonObject events;
    const auto names = m_metrics.eventsByName();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        events.insert(it.key(), qint64(it.value()));
    const auto latency = m_metrics.latency.counts();
    QJsonArray buckets;
    for (size_t i = 0; i < latency.size(); ++i) {
        buckets.append(QJsonObject{{QStringLiteral("leMicros"), i < LatencyHistogram::kBoundsUs.size() ? QJsonValue(qint64(LatencyHistogram::kBoundsUs[i])) : QJsonValue(QStringLiteral("+Inf"))},
                                   {QStringLiteral("count"), qint64(latency[i])}});
    }
    return {
        {QStringLiteral("uptime"), uptimeSeconds()},
        {QStringLiteral("threads"), threadCount()},
        {QStringLiteral("connections"), QJsonObject{{QStringLiteral("current"), m_registry.connectionCount()},
                                                    {QStringLiteral("total"), qint64(m_metrics.connectionsTotal.load())},
                                                    {QStringLiteral("byCloseCode"), byCode}}},
        {QStringLiteral("users"), m_registry.userCount()},
        {QStringLiteral("rooms"), m_registry.roomCount()},
        {QStringLiteral("messages"), QJsonObject{{QStringLiteral("in"), qint64(m_metrics.messagesIn.load())},
                                                 {QStringLiteral("out"), qint64(m_metrics.messagesOut.load())},
                                                 {QStringLiteral("inPerSec"), s.messagesInPerSec},
                                                 {QStringLiteral("outPerSec"), s.messagesOutPerSec}}},
        {QStringLiteral("bytes"), QJsonObject{{QStringLiteral("in"), qint64(m_metrics.bytesIn.load())},
                                              {QStringLiteral("out"), qint64(m_metrics.bytesOut.load())},
                                              {QStringLiteral("inPerSec"), s.bytesInPerSec},
                                              {QStringLiteral("outPerSec"), s.bytesOutPerSec}}},
        {QStringLiteral("authFailures"), qint64(m_metrics.authFailures.load())},
        {QStringLiteral("rateLimited"), qint64(m_metrics.rateLimited.load())},
        {QStringLiteral("errors"), qint64(m_metrics.errors.load())},
        {QStringLiteral("slowConsumers"), qint64(m_metrics.slowConsumers.load())},
        {QStringLiteral("emits"), qint64(m_metrics.emits.load())},
        {QStringLiteral("emitsRefused"), qint64(m_metrics.emitsRefused.load())},
        {QStringLiteral("socketioPendingSessions"), pendingSessions()},
        {QStringLiteral("acks"), qint64(m_metrics.acks.load())},
        {QStringLiteral("nacks"), qint64(m_metrics.nacks.load())},
        {QStringLiteral("clusterPublished"), qint64(m_metrics.clusterPublished.load())},
        {QStringLiteral("clusterPublishFailures"), qint64(m_metrics.clusterPublishFailures.load())},
        {QStringLiteral("clusterReceived"), qint64(m_metrics.clusterReceived.load())},
        {QStringLiteral("clusterMalformed"), qint64(m_metrics.clusterMalformed.load())},
        {QStringLiteral("httpRequests"), qint64(m_metrics.httpRequests.load())},
        {QStringLiteral("httpRefused"), qint64(m_metrics.httpRefused.load())},
        {QStringLiteral("tlsHandshakeFailures"), qint64(m_metrics.tlsHandshakeFailures.load())},
        {QStringLiteral("latency"), QJsonObject{{QStringLiteral("p50Ms"), LatencyHistogram::quantile(latency, 0.50) / 1000.0},
                                                {QStringLiteral("p95Ms"), LatencyHistogram::quantile(latency, 0.95) / 1000.0},
                                                {QStringLiteral("p99Ms"), LatencyHistogram::quantile(latency, 0.99) / 1000.0},
                                                {QStringLiteral("buckets"), buckets}}},
        {QStringLiteral("events"), events},
        {QStringLiteral("queues"), queuesJson()},
        {QStringLiteral("offline"), QJsonObject{{QStringLiteral("stored"), qint64(m_metrics.offlineStored.load())},
                                                {QStringLiteral("delivered"), qint64(m_metrics.offlineDelivered.load())},
                                                {QStringLiteral("dropped"), qint64(m_metrics.offlineDropped.load())}}},
        {QStringLiteral("heap"), QJsonObject{{QStringLiteral("residentBytes"), HeapTrim::residentAnonBytes()},
                                             {QStringLiteral("trims"), qint64(m_heapTrim.trims())},
                                             {QStringLiteral("trimSeconds"), double(m_heapTrim.trimMicros()) / 1e6},
                                             {QStringLiteral("releasedBytes"), qint64(m_heapTrim.releasedBytes())}}},
        // Back-end hooks (docs/hooks.md): emits waiting for acks, what the bounds dropped.
        {QStringLiteral("hooks"), QJsonObject{{QStringLiteral("ackWaits"), m_ackWaits->waiting()},
                                              {QStringLiteral("presenceEventsDropped"), qint64(m_presenceEvents->dropped())},
                                              {QStringLiteral("connectionLogDropped"), qint64(m_connectionLog->dropped())}}},
    };
}

QJsonObject Server::queuesJson() const
{
    QJsonObject byName;
    qint64 ready = 0, inFlight = 0, delayed = 0, dead = 0;
    if (m_queues) {
        for (const QueueStats &q : m_queues->stats()) {
            byName.insert(q.name, queueStatsJson(q));
            ready += q.ready;
            inFlight += q.inFlight;
            delayed += q.delayed;
            dead += q.dead;
        }
    }
    return {{QStringLiteral("available"), m_queues != nullptr},
            {QStringLiteral("ready"), ready},
            {QStringLiteral("inFlight"), inFlight},
            {QStringLiteral("delayed"), delayed},
            {QStringLiteral("dead"), dead},
            {QStringLiteral("depth"), ready + inFlight + delayed},
            {QStringLiteral("byName"), byName}};
}

QJsonObject Server::statsJson() const
{
    const MetricsSample s = lastSample();
    // Public route: no user ids. Every "user:<id>" room is left out, and so is a room whose
    // last ":" segment is the id of a connected user (e.g. "rider:{sub}" from a claim
    // template). totalRooms still counts them all.
    QJsonObject channels;
    const auto rooms = m_registry.roomCounts();
    const auto users = m_registry.users();
    for (auto it = rooms.cbegin(); it != rooms.cend(); ++it) {
        const QString &room = it.key();
        if (room.startsWith(QLatin1String("user:")))
            continue;
        const qsizetype colon = room.lastIndexOf(QLatin1Char(':'));
        if (colon >= 0 && users.contains(room.mid(colon + 1)))
            continue;
        channels.insert(room, it.value());
    }
    return {{QStringLiteral("totalConnections"), m_registry.connectionCount()},
            {QStringLiteral("totalUsers"), m_registry.userCount()},
            {QStringLiteral("totalRooms"), int(rooms.size())},
            {QStringLiteral("channelCounts"), channels},
            {QStringLiteral("rates"), QJsonObject{{QStringLiteral("messagesInPerSec"), s.messagesInPerSec},
                                                  {QStringLiteral("messagesOutPerSec"), s.messagesOutPerSec},
                                                  {QStringLiteral("bytesInPerSec"), s.bytesInPerSec},
                                                  {QStringLiteral("bytesOutPerSec"), s.bytesOutPerSec}}},
            {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
}

QJsonObject Server::bridgesJson() const
{
    QJsonArray bridges;
    if (m_bridge)
        bridges.append(m_bridge->statusJson());
    return QJsonObject{{QStringLiteral("bridges"), bridges}};
}

QByteArray Server::prometheusText() const
{
    QByteArray out;
    auto metric = [&](const char *name, const char *type, const char *help, const QByteArray &value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' + name + ' ' + value + '\n';
    };
    auto n = [](auto v) { return QByteArray::number(qint64(v)); };
    metric("switchboard_connections", "gauge", "Open WebSocket connections.", n(m_registry.connectionCount()));
    metric("switchboard_connections_total", "counter", "WebSocket connections accepted.", n(m_metrics.connectionsTotal.load()));
    out += "# HELP switchboard_connections_closed_total Closed connections by close code.\n# TYPE switchboard_connections_closed_total counter\n";
    const auto closes = m_metrics.closesByCode();
    for (auto it = closes.cbegin(); it != closes.cend(); ++it)
        out += "switchboard_connections_closed_total{code=\"" + QByteArray::number(it.key()) + "\"} " + n(it.value()) + '\n';
    metric("switchboard_users", "gauge", "Users with at least one connection.", n(m_registry.userCount()));
    metric("switchboard_rooms", "gauge", "Rooms with at least one member.", n(m_registry.roomCount()));
    metric("switchboard_messages_in_total", "counter", "Messages received from clients.", n(m_metrics.messagesIn.load()));
    metric("switchboard_messages_out_total", "counter", "Messages written to clients.", n(m_metrics.messagesOut.load()));
    metric("switchboard_bytes_in_total", "counter", "Bytes received from clients.", n(m_metrics.bytesIn.load()));
    metric("switchboard_bytes_out_total", "counter", "Bytes written to clients.", n(m_metrics.bytesOut.load()));
    metric("switchboard_auth_failures_total", "counter", "Rejected WebSocket credentials.", n(m_metrics.authFailures.load()));
    metric("switchboard_rate_limited_total", "counter", "Client messages refused by the rate limit.", n(m_metrics.rateLimited.load()));
    metric("switchboard_errors_total", "counter", "Protocol errors answered to clients.", n(m_metrics.errors.load()));
    metric("switchboard_slow_consumers_total", "counter", "Connections dropped for unread output.", n(m_metrics.slowConsumers.load()));
    metric("switchboard_emits_total", "counter", "Events emitted (API, console and clients).", n(m_metrics.emits.load()));
    metric("switchboard_emits_refused_total", "counter", "Emits refused because the I/O threads were overloaded.", n(m_metrics.emitsRefused.load()));
    metric("switchboard_socketio_pending_sessions", "gauge", "Engine.IO sessions that have not connected a namespace (--max-pending-sessions).", n(pendingSessions()));
    metric("switchboard_acks_total", "counter", "Client acks of acked emits made on this node (from clients on any node).", n(m_metrics.acks.load()));
    metric("switchboard_nacks_total", "counter", "Negative or timed-out client acks of acked emits made on this node.", n(m_metrics.nacks.load()));
    metric("switchboard_cluster_published_total", "counter", "Emits published to the other nodes of the cluster.", n(m_metrics.clusterPublished.load()));
    metric("switchboard_cluster_publish_failures_total", "counter", "Emits that could not be published to the other nodes (Redis unreachable).", n(m_metrics.clusterPublishFailures.load()));
    metric("switchboard_cluster_received_total", "counter", "Messages from other nodes, emitters and the JSON channel.", n(m_metrics.clusterReceived.load()));
    metric("switchboard_cluster_malformed_total", "counter", "Messages from Redis that could not be read.", n(m_metrics.clusterMalformed.load()));
    metric("switchboard_http_requests_total", "counter", "HTTP requests served.", n(m_metrics.httpRequests.load()));
    metric("switchboard_http_refused_total", "counter", "HTTP requests refused while being read (limits, malformed or ambiguous framing, 401/403 before the body).",
           n(m_metrics.httpRefused.load()));
    metric("switchboard_tls_handshake_failures_total", "counter", "TLS handshakes that failed (plain HTTP on the TLS port, old versions, bad records).",
           n(m_metrics.tlsHandshakeFailures.load()));
    metric("switchboard_uptime_seconds", "gauge", "Seconds since the server started.", n(uptimeSeconds()));

    out += "# HELP switchboard_emit_latency_seconds Emit to socket write latency.\n# TYPE switchboard_emit_latency_seconds histogram\n";
    appendPrometheusHistogram(out, "switchboard_emit_latency_seconds", {}, m_metrics.latency);

    metric("switchboard_offline_stored_total", "counter", "Persisted emits kept for offline users.", n(m_metrics.offlineStored.load()));
    metric("switchboard_offline_delivered_total", "counter", "Persisted emits acknowledged by their user.", n(m_metrics.offlineDelivered.load()));
    metric("switchboard_offline_dropped_total", "counter", "Persisted emits dropped (oldest) over the per-user bound.", n(m_metrics.offlineDropped.load()));
    metric("switchboard_heap_resident_bytes", "gauge", "Resident memory that is not a mapped file (heap, arenas, stacks).", n(HeapTrim::residentAnonBytes()));
    metric("switchboard_heap_trims_total", "counter", "Times free heap pages were given back to the system (--heap-trim-interval).", n(m_heapTrim.trims()));
    metric("switchboard_heap_trim_seconds_total", "counter", "Time spent giving free heap pages back.",
           QByteArray::number(double(m_heapTrim.trimMicros()) / 1e6, 'f', 6));
    metric("switchboard_heap_trim_released_bytes_total", "counter", "Resident memory given back by the trims (an estimate: other threads allocate meanwhile).",
           n(m_heapTrim.releasedBytes()));

    if (m_queues) {
        const QList<QueueStats> queues = m_queues->stats();
        auto label = [](const QString &queue) { return QByteArray("queue=\"") + queue.toUtf8() + '"'; }; // names are [A-Za-z0-9_.:-]
        out += "# HELP switchboard_queue_messages Messages in a durable queue by state.\n# TYPE switchboard_queue_messages gauge\n";
        for (const QueueStats &q : queues) {
            const QByteArray l = label(q.name);
            out += "switchboard_queue_messages{" + l + ",state=\"ready\"} " + n(q.ready) + '\n';
            out += "switchboard_queue_messages{" + l + ",state=\"in_flight\"} " + n(q.inFlight) + '\n';
            out += "switchboard_queue_messages{" + l + ",state=\"delayed\"} " + n(q.delayed) + '\n';
            out += "switchboard_queue_messages{" + l + ",state=\"dead\"} " + n(q.dead) + '\n';
        }
        auto counter = [&](const char *name, const char *help, quint64 QueueStats::*field) {
            out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n";
            for (const QueueStats &q : queues)
                out += QByteArray(name) + '{' + label(q.name) + "} " + n(q.*field) + '\n';
        };
        counter("switchboard_queue_enqueued_total", "Messages enqueued since start.", &QueueStats::enqueued);
        counter("switchboard_queue_acked_total", "Jobs acknowledged since start.", &QueueStats::acked);
        counter("switchboard_queue_nacked_total", "Jobs nacked, timed out or lost with their consumer since start.", &QueueStats::nacked);
        counter("switchboard_queue_dead_lettered_total", "Messages moved to the dead-letter list since start.", &QueueStats::deadLettered);
        out += "# HELP switchboard_queue_consumers Consumers of a durable queue.\n# TYPE switchboard_queue_consumers gauge\n";
        for (const QueueStats &q : queues)
            out += "switchboard_queue_consumers{" + label(q.name) + "} " + n(q.consumers) + '\n';
    }

    out += "# HELP switchboard_events_total Events emitted by name.\n# TYPE switchboard_events_total counter\n";
    const auto events = m_metrics.eventsByName();
    for (auto it = events.cbegin(); it != events.cend(); ++it) {
        out += "switchboard_events_total{event=\"" + prometheusLabelValue(it.key()) + "\"} " + n(it.value()) + '\n';
    }
    if (m_bridge)
        out += m_bridge->prometheusText();
    if (m_eventProxy)
        out += m_eventProxy->prometheusText();
    if (m_subscribeProxy)
        out += m_subscribeProxy->prometheusText();
    if (m_connectProxy)
        out += m_connectProxy->prometheusText();
    if (m_webhooks)
        out += m_webhooks->prometheusText();
    return out;
}

} // namespace Switchboard
