#include "redisbroker.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QMultiMap>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSemaphore>

#include "cluster/adaptercodec.h"
#include "cluster/localbroker.h"
#include "cluster/nodepage.h"
#include "core/logging.h"
#include "protocol/emitjson.h"
#include "protocol/messages.h"
#include "protocol/strictjson.h"
#include "rooms/ackwaits.h"
#include "rooms/eventstream.h"
#include "rooms/presenceevents.h"
#include "server.h"
#include "socketio/packets.h"
#include "transport/connection.h"

namespace Switchboard {

namespace {

// The Socket.IO Redis adapter's request types (docs/cluster.md, "Wire format").
enum RequestType {
    Sockets = 0,
    AllRooms = 1,
    RemoteJoin = 2,
    RemoteLeave = 3,
    RemoteDisconnect = 4,
    RemoteFetch = 5,
    ServerSideEmit = 6,
    BroadcastRequest = 7,
    BroadcastClientCount = 8,
    BroadcastAck = 9,
};

constexpr int kFanInTimeoutMs = 1000;       // presence and remote operations
// A node's answer to a presence query (on this node's own sb:node channel): larger than what
// a client may send, below Redis' default pubsub output-buffer hard limit (32 MB).
constexpr qint64 kMaxNodeAnswerBytes = 16 << 20;
constexpr qint64 kStatsCacheMs = 1000;       // GET /api/websocket/stats (public) asks the nodes at most this often
constexpr qint64 kMaxAckRouteBytes = 8 << 20; // acked emits from elsewhere awaiting client acks
constexpr qint64 kForgetNodeMs = 60000;      // a silent node's entry is removed after this
constexpr int kAdmissionTimeoutMs = 1000;    // a connect waits this long for the cluster's count
constexpr qint64 kUserKeyTtlMs = 3600 * 1000; // a user's set outlives its last registration by this
constexpr int kMaxAdmissionScripts = 10000;  // unanswered at once (a hung Redis); beyond: counted here
// Adapter answers (review A3): bytes published and not yet confirmed by Redis; past this, a
// request that needs a large answer is not answered (the requester's own timeout says so).
constexpr qint64 kMaxAnswerBytesInFlight = 16 << 20;
constexpr qint64 kCoalesceMs = 250;           // identical requests within this share one answer
constexpr qint64 kMaxBuiltAnswerBytes = 8 << 20; // answers kept for sharing
constexpr qint64 kMinPendingBytes = 64 << 20; // RedisLink's cap on commands waiting for Redis

/// The link's limits from the configuration: a Redis that does not answer within 2 s plus a
/// heartbeat is taken for gone; commands waiting for it are bounded in bytes.
RedisLink::Options linkOptions(const ServerConfig &config)
{
    RedisLink::Options options;
    options.timeoutMs = 2000 + config.clusterHeartbeatMs;
    const qint64 messageCap = 2 * qMax(config.maxMessageSize, config.socketioMaxPayload) + 65536;
    options.maxPendingBytes = qMax(kMinPendingBytes, 8 * messageCap);
    return options;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString randomUid()
{
    // Like the adapter's own uid: 8 random bytes in hex.
    quint32 words[2];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

quint64 randomPrefix()
{
    // Connection ids are prefix << 32 | counter and stay below 2^53 (exact in JSON numbers).
    return QRandomGenerator::system()->bounded(quint64(1), quint64(1) << 21);
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out.append(Json::idText(e));
    return out;
}

struct Script
{
    explicit Script(const char *source)
        : text(source), sha(QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex())
    {
    }
    const QByteArray text;
    const QByteArray sha;
};

// KEYS[1]: the user's set. ARGV: the new member, the cap, "1" to evict the oldest (else
// refuse), the prefix of session keys, the calling node's session, the set's expiry (ms).
// Members of sessions whose key is gone (a node killed, or one that reconnected and so
// started a new session) are dropped first. Answers {1, evicted members...} or {0}.
const Script kAdmitScript(R"lua(
local key = KEYS[1]
local max = tonumber(ARGV[2])
local alive = {[ARGV[5]] = true}
local live = {}
for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
  local s = string.match(m, ':(.*)$')
  if s and alive[s] == nil then
    alive[s] = redis.call('EXISTS', ARGV[4] .. s) == 1
  end
  if s and alive[s] then
    if m ~= ARGV[1] then live[#live + 1] = m end
  else
    redis.call('ZREM', key, m)
  end
end
local out = {1}
if #live >= max then
  if ARGV[3] ~= '1' then
    return {0}
  end
  for i = 1, #live - max + 1 do
    redis.call('ZREM', key, live[i])
    out[#out + 1] = live[i]
  end
end
local top = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
redis.call('ZADD', key, (tonumber(top[2]) or 0) + 1, ARGV[1])
redis.call('PEXPIRE', key, ARGV[6])
return out
)lua");

// KEYS[1]: the user's set. ARGV: a live connection's member, the set's expiry (ms). Adds the
// member as the newest unless it is there, and renews the expiry.
const Script kRegisterScript(R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  redis.call('ZADD', KEYS[1], (tonumber(top[2]) or 0) + 1, ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua");

QByteArray member(quint64 id, const QString &session)
{
    return QByteArray::number(id) + ':' + session.toLatin1();
}

} // namespace

/// A connect waiting for the admission script's answer.
struct RedisBroker::PendingAdmission
{
    QString userId;
    quint64 id = 0;
    QByteArray member;
    qint64 deadlineMs = 0;
    std::function<void(bool)> later;
    // Under m_lock:
    bool decided = false;                // answered, or timed out and decided on this node's count
    bool countedHere = false;            // timed out, and this node's own count decided it...
    bool admittedHere = false;           // ... this way
    std::optional<RedisReply> lateReply; // came while the count here was being made
};

struct RedisBroker::FanIn
{
    int expected = -1;      // other nodes that received the request; -1 until PUBLISH answers
    int answered = 0;
    bool finished = false;
    bool partial = false;
    QString error;
    QList<PresencePart> parts;
    bool found = false;
    bool cutOff = false;    // no answer can reach this node (its subscriber is down)
    std::function<void(FanIn &)> done;
};

RedisBroker::RedisBroker(Server &server, const RedisUrl &url)
    : m_server(server), m_url(url), m_link(url, linkOptions(server.config())), m_key(server.config().redisKey), m_uid(randomUid()), m_prefix(randomPrefix()),
      m_heartbeatMs(server.config().clusterHeartbeatMs), m_perUser(server.config().maxConnectionsPerUser > 0)
{
    m_link.setMessageHandler([this](const QByteArray &channel, const QByteArray &payload) { onMessage(channel, payload); });
    connect(&m_link, &RedisLink::connectedChanged, this, [this](bool up) {
        if (up) {
            qCInfo(lcServer).noquote() << "cluster: connected to Redis as node" << m_server.nodeName() << "uid" << m_uid;
            if (m_perUser)
                startSession();
            QMetaObject::invokeMethod(this, &RedisBroker::announce, Qt::QueuedConnection);
        } else {
            {
                // Whatever this node removes from the sets while cut off is lost: the next
                // session makes the members of this one dead all at once.
                QMutexLocker lock(&m_lock);
                m_sessionLive = false;
            }
            if (!m_left.load())
                qCWarning(lcServer).noquote() << "cluster: lost Redis:" << m_link.lastError() << "(local delivery goes on; reconnecting)";
        }
    }, Qt::DirectConnection);
    m_announce.setInterval(m_heartbeatMs);
    connect(&m_announce, &QTimer::timeout, this, &RedisBroker::announce);
    m_admissionSweep.setInterval(100);
    connect(&m_admissionSweep, &QTimer::timeout, this, &RedisBroker::expireAdmissions);
}

RedisBroker::~RedisBroker()
{
    stop();
}

QByteArray RedisBroker::adapterChannel(const QString &nsp) const { return (m_key + QLatin1Char('#') + nsp + QLatin1Char('#')).toUtf8(); }
QByteArray RedisBroker::requestChannel(const QString &nsp) const { return (m_key + QStringLiteral("-request#") + nsp + QLatin1Char('#')).toUtf8(); }
QByteArray RedisBroker::responseChannel(const QString &nsp) const { return (m_key + QStringLiteral("-response#") + nsp + QLatin1Char('#')).toUtf8(); }
QByteArray RedisBroker::allChannel() const { return (m_key + QStringLiteral(":sb:all")).toUtf8(); }
QByteArray RedisBroker::nodeChannel(const QString &uid) const { return (m_key + QStringLiteral(":sb:node:") + uid).toUtf8(); }

void RedisBroker::start()
{
    QStringList namespaces{QStringLiteral("/")};
    namespaces += m_server.config().socketioNamespaces;
    for (const QString &nsp : namespaces) {
        m_link.psubscribe(adapterChannel(nsp) + '*');
        m_link.subscribe(requestChannel(nsp));
        m_link.subscribe(responseChannel(nsp));
        m_link.subscribe(responseChannel(nsp) + m_uid.toUtf8() + '#');
    }
    m_link.subscribe((m_key + QStringLiteral(":emit")).toUtf8());
    m_link.subscribe(allChannel());
    m_link.subscribe(nodeChannel(m_uid));
    m_link.start();
    m_announce.start();
}

void RedisBroker::leave()
{
    if (m_left.exchange(true))
        return;
    m_announce.stop();
    // Not counted any more before the clients close: the registry entry goes, and closing
    // the link ends the subscriptions (PUBSUB NUMSUB no longer counts this node). Its
    // session key goes too, so its connections no longer count against their users' caps.
    if (m_link.isConnected()) {
        QString session;
        {
            QMutexLocker lock(&m_lock);
            session = std::exchange(m_sessionLive, false) ? m_session : QString();
        }
        if (!session.isEmpty())
            m_link.command({"DEL", sessionKey(session)});
        auto removed = std::make_shared<QSemaphore>();
        m_link.command({"HDEL", (m_key + QStringLiteral(":sb:nodes")).toUtf8(), m_uid.toUtf8()},
                       [removed](const RedisReply &) { removed->release(); });
        if (!removed->tryAcquire(1, 1000))
            qCWarning(lcServer) << "cluster: Redis did not confirm this node's departure in time";
    }
    m_link.stop();
    qCInfo(lcServer) << "cluster: left";
}

void RedisBroker::stop()
{
    leave();
    QList<std::shared_ptr<FanIn>> pending;
    {
        QMutexLocker lock(&m_lock);
        pending = m_fanIns.values();
        m_fanIns.clear();
    }
    for (const auto &state : pending) {
        if (!state->finished) {
            state->finished = true;
            state->partial = true;
            state->error = QStringLiteral("node stopping");
            state->done(*state);
        }
    }
}

QString RedisBroker::degradedReason() const
{
    if (m_left.load())
        return QStringLiteral("left the cluster");
    if (!m_link.isConnected())
        return QStringLiteral("cluster: Redis %1 unreachable: %2").arg(m_url.display(), m_link.lastError());
    QMutexLocker lock(&m_lock);
    return m_prefixConflict.isEmpty() ? QString() : QStringLiteral("cluster: ") + m_prefixConflict;
}

QString RedisBroker::notReadyReason() const
{
    if (m_left.load())
        return QStringLiteral("left the cluster");
    {
        // This node's own fault (the other nodes are fine): no new clients for it.
        QMutexLocker lock(&m_lock);
        if (!m_prefixConflict.isEmpty())
            return QStringLiteral("cluster: ") + m_prefixConflict;
    }
    if (!m_joined.load()) {
        const QString error = m_link.lastError();
        return QStringLiteral("cluster: not yet joined (Redis %1%2)")
            .arg(m_url.display(), error.isEmpty() ? QString() : QStringLiteral(": ") + error);
    }
    return {};
}

// --- emits out ----------------------------------------------------------------------------------

bool RedisBroker::publish(const EmitRequest &request, std::function<void(const PublishOutcome &)> done)
{
    if (m_left.load())
        return false;
    // Where the clients' acks go: the node the emit came in on (this one unless relayed).
    const QString ackOrigin = request.ack ? (request.ackOrigin.isEmpty() ? m_uid : request.ackOrigin) : QString();
    QByteArray channel;
    QByteArray message;
    if (request.target == EmitRequest::Target::Connection) {
        // No adapter message names a connection: Switchboard nodes only, the owner delivers.
        QJsonObject body = emitJson(request);
        body.insert(QStringLiteral("t"), QStringLiteral("emit"));
        body.insert(QStringLiteral("from"), m_uid);
        if (request.ack)
            body.insert(QStringLiteral("ackOrigin"), ackOrigin);
        channel = allChannel();
        message = json(body);
    } else {
        Cluster::Broadcast b;
        b.uid = m_uid;
        b.packet.nsp = request.nsp;
        b.packet.data.append(request.event);
        b.packet.data.append(request.attachments.isEmpty() ? request.payload : request.sioPayload);
        for (const QJsonValue &arg : request.moreArgs)
            b.packet.data.append(arg);
        b.packet.attachments = request.attachments;
        switch (request.target) {
        case EmitRequest::Target::Room:
            b.rooms = QStringList{request.room} + request.moreRooms;
            break;
        case EmitRequest::Target::User:
            b.rooms = QStringList{QStringLiteral("user:") + request.userId};
            break;
        default:
            break;
        }
        b.except = request.exceptRooms;
        if (!request.exceptUserId.isEmpty())
            b.except.append(QStringLiteral("user:") + request.exceptUserId);
        // Switchboard's own fields: Node servers ignore them.
        QJsonObject sb{{QStringLiteral("id"), request.id}, {QStringLiteral("source"), request.source}};
        if (request.target == EmitRequest::Target::User)
            sb.insert(QStringLiteral("user"), request.userId);
        if (request.exceptConnectionId != 0)
            sb.insert(QStringLiteral("exceptConnection"), QString::number(request.exceptConnectionId));
        if (request.ack) {
            sb.insert(QStringLiteral("ack"), true);
            sb.insert(QStringLiteral("ackOrigin"), ackOrigin);
            if (request.ackTargets) // the origin waits: every node reports what it delivered
                sb.insert(QStringLiteral("ackReport"), true);
        }
        if (!request.fromUserId.isEmpty())
            sb.insert(QStringLiteral("fromUser"), request.fromUserId);
        if (request.offset != 0) // the stream id it was recorded under (rooms/eventstream.h)
            sb.insert(QStringLiteral("offset"), StreamOffset::text(request.offset));
        b.sb = sb;
        channel = adapterChannel(request.nsp);
        if (b.rooms.size() == 1)
            channel += b.rooms.first().toUtf8() + '#';
        message = Cluster::encodeBroadcast(b);
    }
    Metrics *metrics = &m_server.metrics();
    const int alive = aliveOthers();
    m_link.command({"PUBLISH", channel, message}, [this, metrics, alive, done = std::move(done)](const RedisReply &reply) {
        PublishOutcome outcome;
        if (reply.isError()) {
            metrics->clusterPublishFailures.fetch_add(1, std::memory_order_relaxed);
            outcome.error = QStringLiteral("not published to the cluster: %1").arg(QString::fromUtf8(reply.string));
        } else {
            metrics->clusterPublished.fetch_add(1, std::memory_order_relaxed);
            outcome.published = true;
            outcome.nodes = othersAmong(reply.integer);
            // Node servers and any other pattern subscriber (redis-cli PSUBSCRIBE) count in
            // Redis' answer but never report: only live Switchboard nodes of the registry do.
            outcome.switchboardNodes = qMin(outcome.nodes, alive);
        }
        if (done)
            done(outcome);
    });
    return true;
}

// --- messages in ---------------------------------------------------------------------------------

void RedisBroker::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    const QString name = QString::fromUtf8(channel);
    m_server.metrics().clusterReceived.fetch_add(1, std::memory_order_relaxed);
    // Anything bigger than messageCap() is not decoded (hiredis has read it already; it is
    // dropped here, counted). Answers to this node's presence queries have their own, larger cap.
    const qint64 cap = channel == nodeChannel(m_uid) ? qMax(messageCap(), kMaxNodeAnswerBytes) : messageCap();
    if (payload.size() > cap)
        return malformed(QStringLiteral("oversized"), QStringLiteral("%1 bytes on %2 (at most %3)").arg(payload.size()).arg(name.left(200)).arg(cap));
    if (name.startsWith(m_key + QLatin1Char('#'))) {
        // <key>#<nsp>#[<room>#]
        const qsizetype start = m_key.size() + 1;
        const qsizetype end = name.indexOf(QLatin1Char('#'), start);
        if (end > start)
            onBroadcast(name.mid(start, end - start), payload);
        return;
    }
    if (name.startsWith(m_key + QStringLiteral("-request#"))) {
        const qsizetype start = m_key.size() + 9;
        onAdapterRequest(name.mid(start, name.size() - start - 1), payload);
        return;
    }
    if (name.startsWith(m_key + QStringLiteral("-response#")))
        return onAdapterResponse(payload);
    if (name == m_key + QStringLiteral(":emit")) {
        onJsonEmit(payload);
        return;
    }
    onInternal(payload);
}

void RedisBroker::malformed(const QString &what, const QString &why)
{
    m_server.metrics().clusterMalformed.fetch_add(1, std::memory_order_relaxed);
    const qint64 now = Server::monotonicMs();
    QMutexLocker lock(&m_lock);
    if (now - m_lastMalformedLogMs >= 1000) { // one line a second at most
        m_lastMalformedLogMs = now;
        qCWarning(lcServer).noquote() << "cluster: ignored a malformed" << what << "message:" << why;
    }
}

void RedisBroker::onBroadcast(const QString &nsp, const QByteArray &payload)
{
    QString error;
    const auto broadcast = Cluster::decodeBroadcast(payload, &error);
    if (!broadcast)
        return malformed(QStringLiteral("broadcast"), error);
    if (broadcast->uid == m_uid)
        return; // our own, already delivered here
    deliverBroadcast(*broadcast, nsp, false, {}, {});
}

void RedisBroker::deliverBroadcast(const Cluster::Broadcast &b, const QString &nsp, bool withAck,
                                   const QString &requestId, const QString &requester)
{
    const QString packetNsp = b.packet.nsp.isEmpty() ? nsp : b.packet.nsp;
    // The origin waits for the acks: it counts on a report from every node it reached.
    const QString reportTo = !withAck && b.sb.value(QLatin1String("ackReport")).toBool()
        ? b.sb.value(QLatin1String("ackOrigin")).toString() : QString();
    if (packetNsp != QLatin1String("/") && !m_server.config().socketioNamespaces.contains(packetNsp)) {
        if (!reportTo.isEmpty())
            reportTargets(reportTo, b.sb.value(QLatin1String("id")).toString(), {});
        if (withAck)
            answerClientCount(nsp, requester, requestId, 0); // or the requester waits for its timeout
        return; // a namespace this node does not serve
    }
    EmitRequest request;
    request.fromCluster = true;
    request.source = b.sb.value(QLatin1String("source")).toString(QStringLiteral("cluster"));
    request.nsp = packetNsp;
    request.event = b.packet.data.at(0).toString();
    const QJsonValue first = b.packet.data.size() > 1 ? b.packet.data.at(1) : QJsonValue();
    if (b.packet.attachments.isEmpty()) {
        request.payload = first;
    } else {
        request.attachments = b.packet.attachments;
        request.sioPayload = first;
        request.payload = SocketIo::inlineAttachments(first, b.packet.attachments);
    }
    for (int i = 2; i < b.packet.data.size(); ++i)
        request.moreArgs.append(b.packet.data.at(i));
    const Registry &registry = m_server.registry();
    // A room that is a socket id (Socket.IO puts every socket in a room of its id) names a
    // connection of this node.
    auto localConnection = [&](const QString &room) -> quint64 {
        bool ok = false;
        const quint64 id = room.toULongLong(&ok);
        return ok && registry.connection(id) ? id : 0;
    };
    const QString user = b.sb.value(QLatin1String("user")).toString();
    if (!user.isEmpty()) {
        request.target = EmitRequest::Target::User;
        request.userId = user;
    } else if (b.rooms.isEmpty()) {
        request.target = EmitRequest::Target::Broadcast;
    } else if (const quint64 id = b.rooms.size() == 1 ? localConnection(b.rooms.first()) : 0) {
        request.target = EmitRequest::Target::Connection;
        request.connectionId = id;
    } else {
        request.target = EmitRequest::Target::Room;
        request.room = b.rooms.first();
        request.moreRooms = b.rooms.mid(1);
    }
    // Socket ids among the rooms and the except list name those sockets (a union and a set
    // difference, as in Socket.IO): the registry and the I/O threads resolve them.
    request.exceptRooms = b.except;
    if (const quint64 except = b.sb.value(QLatin1String("exceptConnection")).toString().toULongLong())
        request.exceptConnectionId = except;
    request.fromUserId = b.sb.value(QLatin1String("fromUser")).toString();
    request.offset = StreamOffset::parse(b.sb.value(QLatin1String("offset")).toString());
    request.id = b.sb.value(QLatin1String("id")).toString();
    if (request.id.isEmpty())
        request.id = Server::newId();
    request.ack = withAck || b.sb.value(QLatin1String("ack")).toBool();
    if (request.ack) {
        AckRoute route;
        if (withAck) {
            route.node = requester;
            route.requestId = requestId;
            route.nsp = nsp; // the requester listens on the channel's namespace, whatever the packet says
        } else {
            route.node = b.sb.value(QLatin1String("ackOrigin")).toString();
        }
        if (!route.node.isEmpty())
            rememberAck(request.id, route);
    }
    request.ackTargets = !reportTo.isEmpty();
    // A Switchboard node's emit (it carries Switchboard's fields) without an offset: its record
    // failed or timed out, and may still land; this node's tail must not deliver that copy
    // too (docs/cluster.md). A Node peer's emits are never recorded.
    if (request.offset == 0 && !request.ack && b.sb.contains(QLatin1String("id")))
        m_server.eventStream().deliveredUnrecorded(request.id);
    const QString emitId = request.id;
    const EmitResult result = m_server.emitEvent(std::move(request));
    if (!result.error.isEmpty())
        qCInfo(lcServer).noquote() << "cluster: an emit from another node was not delivered here:" << result.error;
    if (!reportTo.isEmpty())
        reportTargets(reportTo, emitId, result.error.isEmpty() ? result : EmitResult());
    if (withAck) // the requester counts the clients that will answer, then their acks
        answerClientCount(nsp, requester, requestId, result.error.isEmpty() ? result.delivered : 0);
}

void RedisBroker::answerClientCount(const QString &nsp, const QString &requester, const QString &requestId, qint64 count)
{
    // What @socket.io/redis-adapter's broadcastWithAck waits for from every server that got the
    // request (it counts them with PUBSUB NUMSUB), on the request channel's namespace.
    publishAdapterResponse(nsp, requester, json(QJsonObject{
        {QStringLiteral("type"), BroadcastClientCount},
        {QStringLiteral("requestId"), requestId},
        {QStringLiteral("clientCount"), count}}));
}

void RedisBroker::onJsonEmit(const QByteArray &payload)
{
    // For back-ends in any language: the body of POST /api/v1/internal/emit. Every node
    // receives it and delivers to its own sockets.
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parse);
    if (!doc.isObject())
        return malformed(QStringLiteral("JSON emit"), parse.error != QJsonParseError::NoError ? parse.errorString() : QStringLiteral("not a JSON object"));
    EmitRequest request;
    QString error;
    if (!parseEmitJson(doc.object(), &request, &error))
        return malformed(QStringLiteral("JSON emit"), error);
    request.fromCluster = true;
    request.source = QStringLiteral("redis");
    // Each node would keep its own copy for an offline user: not in cluster mode (yet).
    request.persist = false;
    if (request.target == EmitRequest::Target::Connection && !m_server.registry().connection(request.connectionId))
        return;
    const EmitResult result = m_server.emitEvent(std::move(request));
    if (result.invalid)
        malformed(QStringLiteral("JSON emit"), result.error);
}

void RedisBroker::onInternal(const QByteArray &payload)
{
    QJsonParseError parse;
    const QJsonObject message = QJsonDocument::fromJson(payload, &parse).object();
    const QString type = message.value(QLatin1String("t")).toString();
    if (message.value(QLatin1String("from")).toString() == m_uid)
        return; // our own request on sb:all
    if (type == QLatin1String("res"))
        return fanInAnswered(message);
    if (type == QLatin1String("emit")) {
        EmitRequest request;
        QString error;
        if (!parseEmitJson(message, &request, &error))
            return malformed(QStringLiteral("node emit"), error);
        readNodeFields(message, &request);
        request.fromCluster = true;
        const bool report = request.ack && request.ackTargets && !request.ackOrigin.isEmpty();
        if (!m_server.registry().connection(request.connectionId)) {
            if (report) // the origin counts on every node's report
                reportTargets(request.ackOrigin, request.id, {});
            return; // another node's
        }
        if (request.ack && !request.ackOrigin.isEmpty())
            rememberAck(request.id, {request.ackOrigin, {}, {}, 0});
        const QString origin = request.ackOrigin;
        const QString emitId = request.id;
        const EmitResult result = m_server.emitEvent(std::move(request));
        if (report)
            reportTargets(origin, emitId, result.error.isEmpty() ? result : EmitResult());
        return;
    }
    if (type == QLatin1String("ack")) {
        m_server.reportAck(message.value(QLatin1String("emitId")).toString(),
                           message.value(QLatin1String("connectionId")).toString().toULongLong(),
                           message.value(QLatin1String("userId")).toString(), message.value(QLatin1String("ok")).toBool(),
                           message.value(QLatin1String("error")).toString(), message.value(QLatin1String("args")).toArray(),
                           true);
        return;
    }
    if (type == QLatin1String("targets")) {
        AckWaits::Targets targets;
        const QJsonArray list = message.value(QLatin1String("targets")).toArray();
        for (const QJsonValue &v : list) {
            if (targets.size() >= Registry::kMaxListedTargets)
                break;
            const QJsonArray pair = v.toArray();
            targets.append({pair.at(0).toString().toULongLong(), pair.at(1).toString()});
        }
        const int more = qMax(0, message.value(QLatin1String("more")).toInt()) + int(list.size() - targets.size());
        m_server.ackWaits().expect(message.value(QLatin1String("emitId")).toString(), targets, more, true);
        return;
    }
    if (type == QLatin1String("pchange")) {
        // Keyed by the node's uid: two nodes may share a name.
        m_server.presenceEvents().remoteChange(message.value(QLatin1String("nodeId")).toString(message.value(QLatin1String("node")).toString()),
                                               message.value(QLatin1String("room")).toString(),
                                               message.value(QLatin1String("user")).toString(),
                                               message.value(QLatin1String("join")).toBool());
        return;
    }
    if (type == QLatin1String("op") || type == QLatin1String("presence") || type == QLatin1String("page"))
        return answerInternal(message);
    malformed(QStringLiteral("node"), QStringLiteral("unknown type \"%1\"").arg(type));
}

void RedisBroker::answerInternal(const QJsonObject &request)
{
    QJsonObject response{{QStringLiteral("t"), QStringLiteral("res")},
                         {QStringLiteral("rid"), request.value(QLatin1String("rid"))},
                         {QStringLiteral("from"), m_uid},
                         {QStringLiteral("node"), m_server.nodeName()}};
    const QString type = request.value(QLatin1String("t")).toString();
    if (type == QLatin1String("presence")) {
        response.insert(QStringLiteral("part"), localPresence(m_server, presenceQueryFrom(request.value(QLatin1String("q")).toObject())));
    } else if (type == QLatin1String("page")) {
        // An admin channel's page (cluster/nodepage.h): a node it does not ask answers without
        // a part, so that the asking node need not wait for it.
        const NodePageQuery query = NodePageQuery::fromJson(request.value(QLatin1String("q")).toObject());
        if (query.asks(m_server.nodeName()))
            response.insert(QStringLiteral("part"), localNodePage(m_server.registry(), m_server.nodeName(), query));
    } else {
        const quint64 id = request.value(QLatin1String("id")).toString().toULongLong();
        const QString op = request.value(QLatin1String("op")).toString();
        const QString room = request.value(QLatin1String("room")).toString();
        bool found = false;
        if (op == QLatin1String("disconnect"))
            found = m_server.disconnectConnection(id, request.value(QLatin1String("code")).toInt(1000),
                                                  request.value(QLatin1String("reason")).toString());
        else if (op == QLatin1String("join"))
            found = m_server.joinRoom(id, room);
        else if (op == QLatin1String("leave"))
            found = m_server.leaveRoom(id, room);
        response.insert(QStringLiteral("found"), found);
    }
    QByteArray bytes = json(response);
    if (bytes.size() > kMaxNodeAnswerBytes - 4096) {
        // The asking node would drop it: it is told why instead, and says "partial".
        qCWarning(lcServer).noquote() << "cluster: a presence answer of" << bytes.size() << "bytes is over"
                                      << kMaxNodeAnswerBytes << "; the asking node gets an error instead";
        response.remove(QStringLiteral("part"));
        response.insert(QStringLiteral("tooLarge"), double(bytes.size()));
        bytes = json(response);
    }
    m_link.command({"PUBLISH", nodeChannel(request.value(QLatin1String("from")).toString()), bytes});
}

// --- the adapter's requests ----------------------------------------------------------------------

QList<quint64> RedisBroker::matchLocal(const QJsonObject &opts) const
{
    const Registry &registry = m_server.registry();
    const QStringList rooms = strings(opts.value(QLatin1String("rooms")));
    const QStringList except = strings(opts.value(QLatin1String("except")));
    auto members = [&](const QString &room) {
        bool ok = false;
        const quint64 id = room.toULongLong(&ok);
        if (ok && registry.connection(id))
            return QList<quint64>{id};
        return registry.roomMembers(room);
    };
    QSet<quint64> out;
    if (rooms.isEmpty()) {
        for (const ConnectionSnapshot &c : registry.connections())
            out.insert(c.id);
    } else {
        for (const QString &room : rooms) {
            for (quint64 id : members(room))
                out.insert(id);
        }
    }
    for (const QString &room : except) {
        for (quint64 id : members(room))
            out.remove(id);
    }
    return out.values();
}

qint64 RedisBroker::messageCap() const
{
    // The largest thing a node accepts from a client, with room for the envelope.
    return 2 * qMax(m_server.config().maxMessageSize, m_server.config().socketioMaxPayload) + 65536;
}

void RedisBroker::publishAdapterResponse(const QString &nsp, const QString &requester, const QByteArray &payload)
{
    // The requester's own channel: adapter 8.x subscribes to it (and to the shared one), so
    // neither the other nodes nor other Node servers receive, read and drop the answer.
    const QByteArray channel = requester.isEmpty() ? responseChannel(nsp) : responseChannel(nsp) + requester.toUtf8() + '#';
    const qint64 bytes = payload.size();
    const qint64 before = m_answerBytes.fetch_add(bytes, std::memory_order_relaxed);
    if (before > 0 && before + bytes > kMaxAnswerBytesInFlight) {
        m_answerBytes.fetch_sub(bytes, std::memory_order_relaxed);
        m_answersDroppedBusy.fetch_add(1, std::memory_order_relaxed);
        return notAnswered(QStringLiteral("%1 bytes of answers wait for Redis already").arg(before));
    }
    m_answersSent.fetch_add(1, std::memory_order_relaxed);
    m_link.command({"PUBLISH", channel, payload}, [this, bytes](const RedisReply &) {
        m_answerBytes.fetch_sub(bytes, std::memory_order_relaxed);
    });
}

void RedisBroker::notAnswered(const QString &why)
{
    const qint64 now = Server::monotonicMs();
    QMutexLocker lock(&m_lock);
    if (now - m_lastNotAnsweredLogMs >= 1000) { // one line a second at most; counted in /api/cluster/nodes
        m_lastNotAnsweredLogMs = now;
        qCWarning(lcServer).noquote() << "cluster: an adapter request was not answered:" << why;
    }
}

void RedisBroker::answerLarge(const QString &nsp, const QString &requester, const QJsonValue &requestId, const QByteArray &key,
                              const std::function<QByteArray(qint64 cap)> &build)
{
    if (m_answerBytes.load(std::memory_order_relaxed) >= kMaxAnswerBytesInFlight) {
        m_answersDroppedBusy.fetch_add(1, std::memory_order_relaxed);
        return notAnswered(QStringLiteral("%1 bytes of answers wait for Redis already").arg(m_answerBytes.load()));
    }
    const QByteArray id = QJsonDocument(QJsonArray{requestId}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    const qint64 cap = messageCap() - id.size() - 16;
    const qint64 now = Server::monotonicMs();
    QByteArray body;
    bool known = false; // built within kCoalesceMs: shared, or known to be over the cap (empty)
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_builtAnswers.constFind(key);
        if (it != m_builtAnswers.cend() && now - it->builtMs <= kCoalesceMs) {
            body = it->body;
            known = true;
        }
    }
    if (known) {
        if (body.isEmpty()) {
            m_answersDroppedLarge.fetch_add(1, std::memory_order_relaxed);
            return notAnswered(QStringLiteral("its answer would pass %1 bytes").arg(cap));
        }
        m_answersShared.fetch_add(1, std::memory_order_relaxed);
    } else {
        body = build(cap);
        if (body.isEmpty() || body.size() > cap)
            body.clear(); // remembered as too large, so that a flood of them is not built again
        QMutexLocker lock(&m_lock);
        for (auto it = m_builtAnswers.begin(); it != m_builtAnswers.end();) { // the stale ones go
            if (now - it->builtMs > kCoalesceMs) {
                m_builtAnswerBytes -= it->body.size() + it.key().size();
                it = m_builtAnswers.erase(it);
            } else {
                ++it;
            }
        }
        if (m_builtAnswerBytes + body.size() + key.size() <= kMaxBuiltAnswerBytes) {
            m_builtAnswerBytes -= m_builtAnswers.value(key).body.size() + (m_builtAnswers.contains(key) ? key.size() : 0);
            m_builtAnswers.insert(key, {body, now});
            m_builtAnswerBytes += body.size() + key.size();
        }
        if (body.isEmpty()) {
            lock.unlock();
            m_answersDroppedLarge.fetch_add(1, std::memory_order_relaxed);
            return notAnswered(QStringLiteral("its answer would pass %1 bytes").arg(cap));
        }
    }
    // {"requestId":…,<the rest of the built object>}
    QByteArray payload = "{\"requestId\":" + id;
    if (body.size() > 2)
        payload += ',';
    payload += QByteArrayView(body).sliced(1);
    publishAdapterResponse(nsp, requester, payload);
}

void RedisBroker::onAdapterRequest(const QString &nsp, const QByteArray &payload)
{
    QList<QByteArray> attachments;
    QString error;
    const auto decoded = Cluster::decodeObject(payload, &attachments, &error);
    if (!decoded)
        return malformed(QStringLiteral("adapter request"), error);
    const QJsonObject request = *decoded;
    const QString uid = request.value(QLatin1String("uid")).toString();
    if (uid == m_uid)
        return;
    const int type = request.value(QLatin1String("type")).toInt(-1);
    const QJsonValue requestId = request.value(QLatin1String("requestId"));
    const QJsonObject opts = request.value(QLatin1String("opts")).toObject();
    // Switchboard's native clients and Socket.IO sockets are all in "/" here; another
    // namespace has no sockets to report, but every request is still answered.
    const bool served = nsp == QLatin1String("/");
    // The sockets a join, leave or disconnect is for: one by id (the older form) or by rooms.
    const bool bySid = request.contains(QLatin1String("sid"));
    auto targets = [&] {
        if (bySid)
            return QList<quint64>{request.value(QLatin1String("sid")).toString().toULongLong()};
        return served ? matchLocal(opts) : QList<quint64>{};
    };
    auto respond = [&](QJsonObject response) {
        response.insert(QStringLiteral("requestId"), requestId);
        publishAdapterResponse(nsp, uid, json(response));
    };
    // What makes two requests identical: their type, namespace and the selection.
    const QByteArray key = QByteArray::number(type) + '#' + nsp.toUtf8() + '#'
        + json({{QStringLiteral("rooms"), request.value(QLatin1String("rooms"))}, {QStringLiteral("opts"), opts}});
    switch (type) {
    case Sockets:
        return answerLarge(nsp, uid, requestId, key, [&](qint64 cap) {
            // The rooms are the request's own, not in "opts" (adapter 8.x).
            QJsonArray ids;
            if (served) {
                const QList<quint64> matched = matchLocal({{QStringLiteral("rooms"), request.value(QLatin1String("rooms"))}});
                if (qint64(matched.size()) * 23 > cap)
                    return QByteArray();
                for (quint64 id : matched)
                    ids.append(QString::number(id));
            }
            return json({{QStringLiteral("sockets"), ids}});
        });
    case AllRooms:
        return answerLarge(nsp, uid, requestId, key, [&](qint64 cap) {
            QJsonArray rooms;
            qint64 bytes = 0; // the answer's size so far, escapes aside (json() says at the end)
            if (served) {
                const auto counts = m_server.registry().roomCounts();
                for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
                    bytes += it.key().size() + 3;
                    if (bytes > cap)
                        return QByteArray();
                    rooms.append(it.key());
                }
                for (const ConnectionSnapshot &c : m_server.registry().connections()) {
                    bytes += 23;
                    if (bytes > cap)
                        return QByteArray();
                    rooms.append(QString::number(c.id)); // every socket's own room, as Socket.IO has it
                }
            }
            return json({{QStringLiteral("rooms"), rooms}});
        });
    case RemoteJoin:
    case RemoteLeave: {
        const QStringList rooms = strings(request.value(QLatin1String("rooms")));
        bool any = false;
        for (quint64 id : targets()) {
            for (const QString &room : rooms) {
                if (type == RemoteJoin)
                    any |= m_server.joinRoom(id, room);
                else
                    any |= m_server.leaveRoom(id, room);
            }
        }
        // Only the older by-socket-id form is answered, and only by the node that has it.
        if (bySid && any && !requestId.isUndefined())
            respond({});
        return;
    }
    case RemoteDisconnect: {
        bool any = false;
        for (quint64 id : targets())
            any |= m_server.disconnectConnection(id, 1000, QStringLiteral("disconnected by the cluster"));
        if (bySid && any && !requestId.isUndefined())
            respond({});
        return;
    }
    case RemoteFetch:
        return answerLarge(nsp, uid, requestId, key, [&](qint64 cap) {
            QJsonArray sockets;
            qint64 bytes = 0; // the answer's size so far, escapes aside (json() says at the end)
            if (served) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                for (quint64 id : matchLocal(opts)) {
                    const auto c = m_server.registry().snapshot(id);
                    if (!c)
                        continue;
                    bytes += 400 + c->address.size() + c->userId.size() + c->role.size();
                    for (const QString &room : c->rooms)
                        bytes += room.size() + 3;
                    if (bytes > cap)
                        return QByteArray();
                    QStringList rooms = c->rooms;
                    rooms.prepend(QString::number(c->id));
                    const QJsonObject handshake{
                        {QStringLiteral("headers"), QJsonObject{}},
                        {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(c->connectedAtMs).toString()},
                        {QStringLiteral("address"), c->address},
                        {QStringLiteral("xdomain"), false},
                        {QStringLiteral("secure"), false},
                        {QStringLiteral("issued"), c->connectedAtMs},
                        {QStringLiteral("url"), c->protocol == QLatin1String("socket.io") ? m_server.config().socketioPath : QStringLiteral("/ws")},
                        {QStringLiteral("query"), QJsonObject{}},
                        {QStringLiteral("auth"), QJsonObject{}}};
                    sockets.append(QJsonObject{
                        {QStringLiteral("id"), QString::number(c->id)},
                        {QStringLiteral("handshake"), handshake},
                        {QStringLiteral("rooms"), QJsonArray::fromStringList(rooms)},
                        {QStringLiteral("data"), QJsonObject{{QStringLiteral("userId"), c->userId},
                                                             {QStringLiteral("role"), c->role},
                                                             {QStringLiteral("protocol"), c->protocol},
                                                             {QStringLiteral("node"), m_server.nodeName()},
                                                             {QStringLiteral("since"), now - c->connectedAtMs}}}});
                }
            }
            return json({{QStringLiteral("sockets"), sockets}});
        });
    case ServerSideEmit: {
        const QJsonArray data = request.value(QLatin1String("data")).toArray();
        const QString event = data.at(0).toString();
        m_server.eventLog().append(EventLog::Direction::In, event.isEmpty() ? QStringLiteral("serverSideEmit") : event,
                                   QStringLiteral("cluster"), QString(), 0, QString::fromUtf8(json({{QStringLiteral("data"), data}})));
        // Switchboard has no server-side handlers: it acknowledges receipt, so a Node
        // server's serverSideEmit with an ack counts this node as answered.
        if (!requestId.isUndefined() && !requestId.isNull()) {
            respond({{QStringLiteral("type"), ServerSideEmit},
                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("node"), m_server.nodeName()}}}});
        }
        return;
    }
    case BroadcastRequest: {
        const QJsonObject packet = request.value(QLatin1String("packet")).toObject();
        Cluster::Broadcast b;
        b.uid = uid;
        b.packet = Cluster::packetFrom(packet, attachments);
        b.rooms = strings(opts.value(QLatin1String("rooms")));
        b.except = strings(opts.value(QLatin1String("except")));
        if (b.packet.data.isEmpty() || !b.packet.data.at(0).isString()) {
            // Nothing to deliver, but the requester counts this node among the servers: it
            // gets its count of 0 at once rather than waiting for its timeout.
            if (requestId.isString())
                answerClientCount(nsp, uid, requestId.toString(), 0);
            return malformed(QStringLiteral("adapter broadcast request"), QStringLiteral("no event name"));
        }
        deliverBroadcast(b, nsp, true, requestId.toString(), uid);
        return;
    }
    case BroadcastClientCount:
    case BroadcastAck:
        return; // responses, not requests
    default:
        return malformed(QStringLiteral("adapter request"), QStringLiteral("unknown type %1").arg(type));
    }
}

void RedisBroker::onAdapterResponse(const QByteArray &payload)
{
    // Only answers to this node's serverSideEmit are of interest; the rest (answers to Node
    // servers' requests) are for them.
    QList<QByteArray> attachments;
    QString error;
    const auto response = Cluster::decodeObject(payload, &attachments, &error);
    if (!response)
        return malformed(QStringLiteral("adapter response"), error);
    const QString requestId = response->value(QLatin1String("requestId")).toString();
    quint64 rid = 0;
    {
        QMutexLocker lock(&m_lock);
        rid = m_adapterRequests.value(requestId);
        const auto it = m_fanIns.constFind(rid);
        if (rid == 0 || it == m_fanIns.cend())
            return;
        ++(*it)->answered;
        (*it)->parts.append({QString(), QJsonObject{{QStringLiteral("data"), response->value(QLatin1String("data"))}}});
    }
    finish(rid);
}

void RedisBroker::serverSideEmit(const QString &nsp, const QJsonArray &data, bool ack, int timeoutMs,
                                 std::function<void(const QJsonObject &)> done)
{
    QJsonObject request{{QStringLiteral("uid"), m_uid}, {QStringLiteral("type"), ServerSideEmit}, {QStringLiteral("data"), data}};
    if (!ack) {
        m_link.command({"PUBLISH", requestChannel(nsp), json(request)}, [this, done](const RedisReply &reply) {
            done({{QStringLiteral("published"), !reply.isError()}, {QStringLiteral("servers"), reply.isError() ? 0 : othersAmong(reply.integer)}});
        });
        return;
    }
    const quint64 rid = m_nextRequest.fetch_add(1, std::memory_order_relaxed);
    const QString requestId = m_uid + QLatin1Char('-') + QString::number(rid);
    request.insert(QStringLiteral("requestId"), requestId);
    auto state = std::make_shared<FanIn>();
    state->done = [this, requestId, done = std::move(done)](FanIn &s) {
        {
            QMutexLocker lock(&m_lock);
            m_adapterRequests.remove(requestId);
        }
        QJsonArray responses;
        for (const PresencePart &p : s.parts)
            responses.append(p.part.value(QLatin1String("data")));
        QJsonObject out{{QStringLiteral("responses"), responses}, {QStringLiteral("servers"), qMax(0, s.expected)}};
        if (s.partial) {
            out.insert(QStringLiteral("partial"), true);
            out.insert(QStringLiteral("error"), s.error);
        }
        done(out);
    };
    {
        QMutexLocker lock(&m_lock);
        m_fanIns.insert(rid, state);
        m_adapterRequests.insert(requestId, rid);
    }
    // As the adapter does: the servers to wait for are the request channel's subscribers.
    const QByteArray channel = requestChannel(nsp);
    m_link.command({"PUBSUB", "NUMSUB", channel}, [this, rid, state, channel, request](const RedisReply &reply) {
        if (reply.isError() || reply.elements.size() < 2) {
            {
                QMutexLocker lock(&m_lock);
                state->partial = true;
                state->expected = 0;
                state->error = QStringLiteral("Redis unreachable: %1").arg(QString::fromUtf8(reply.string));
            }
            return finish(rid);
        }
        {
            QMutexLocker lock(&m_lock);
            state->expected = othersAmong(reply.elements.at(1).integer);
        }
        if (!m_link.isSubscribed())
            return unanswerable(rid);
        m_link.command({"PUBLISH", channel, json(request)});
        finish(rid);
    });
    expireAfter(rid, timeoutMs, QStringLiteral("timeout reached: some servers did not answer"));
}

// --- acks back -------------------------------------------------------------------------------------

qint64 RedisBroker::routeBytes(const QString &emitId, const AckRoute &route)
{
    return 64 + 2 * (emitId.size() + route.node.size() + route.requestId.size() + route.nsp.size());
}

void RedisBroker::pruneAckRoutesLocked(qint64 nowMs)
{
    for (auto it = m_ackRoutes.begin(); it != m_ackRoutes.end();) {
        if (it->expiresMs < nowMs) {
            m_ackRouteBytes -= routeBytes(it.key(), *it);
            it = m_ackRoutes.erase(it);
        } else {
            ++it;
        }
    }
}

void RedisBroker::rememberAck(const QString &emitId, AckRoute route)
{
    const qint64 now = Server::monotonicMs();
    route.expiresMs = now + m_server.config().socketioAckTimeoutMs + 5000;
    const qint64 bytes = routeBytes(emitId, route);
    QMutexLocker lock(&m_lock);
    if (m_ackRouteBytes + bytes > kMaxAckRouteBytes) {
        pruneAckRoutesLocked(now);
        if (m_ackRouteBytes + bytes > kMaxAckRouteBytes) {
            // Bounded in bytes (ids come from emitters): acks of this emit are reported here.
            qCWarning(lcServer) << "cluster: acked emits from elsewhere await" << m_ackRouteBytes
                                << "bytes of routes; acks of" << emitId.left(64) << "stay on this node";
            return;
        }
    }
    const auto old = m_ackRoutes.constFind(emitId);
    if (old != m_ackRoutes.cend())
        m_ackRouteBytes -= routeBytes(old.key(), *old);
    m_ackRoutes.insert(emitId, route);
    m_ackRouteBytes += bytes;
}

bool RedisBroker::forwardAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                             const QString &error, const QJsonArray &args)
{
    AckRoute route;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_ackRoutes.constFind(emitId);
        if (it == m_ackRoutes.cend())
            return false;
        route = *it;
    }
    if (!route.requestId.isEmpty()) {
        if (!ok && error == QLatin1String("ack timeout"))
            return true; // the Node server times its broadcast out itself
        publishAdapterResponse(route.nsp, route.node, Cluster::encodeMsgpack(QJsonObject{
            {QStringLiteral("type"), BroadcastAck},
            {QStringLiteral("requestId"), route.requestId},
            // The first argument of the client's ack, as Socket.IO hands it to the callback; a
            // native client's ack carries none: {"ok": …} stands for it.
            {QStringLiteral("packet"), args.isEmpty() ? QJsonValue(QJsonObject{{QStringLiteral("ok"), ok}}) : args.at(0)}}));
        return true;
    }
    m_link.command({"PUBLISH", nodeChannel(route.node),
                    json({{QStringLiteral("t"), QStringLiteral("ack")},
                          {QStringLiteral("from"), m_uid},
                          {QStringLiteral("emitId"), emitId},
                          {QStringLiteral("connectionId"), QString::number(connectionId)},
                          {QStringLiteral("userId"), userId},
                          {QStringLiteral("ok"), ok},
                          {QStringLiteral("error"), error},
                          {QStringLiteral("args"), args}})});
    return true;
}

void RedisBroker::reportTargets(const QString &origin, const QString &emitId, const EmitResult &result)
{
    QJsonArray targets;
    for (const auto &[id, user] : result.targets)
        targets.append(QJsonArray{QString::number(id), user});
    m_link.command({"PUBLISH", nodeChannel(origin),
                    json({{QStringLiteral("t"), QStringLiteral("targets")},
                          {QStringLiteral("from"), m_uid},
                          {QStringLiteral("emitId"), emitId},
                          {QStringLiteral("targets"), targets},
                          {QStringLiteral("more"), result.moreTargets}})});
}

// --- presence events ------------------------------------------------------------------------------

void RedisBroker::publishPresence(const QString &room, const QString &userId, bool joined)
{
    if (m_left.load())
        return;
    m_link.command({"PUBLISH", allChannel(),
                    json({{QStringLiteral("t"), QStringLiteral("pchange")},
                          {QStringLiteral("from"), m_uid},
                          {QStringLiteral("node"), m_server.nodeName()},
                          {QStringLiteral("nodeId"), m_uid},
                          {QStringLiteral("room"), room},
                          {QStringLiteral("user"), userId},
                          {QStringLiteral("join"), joined}})});
}

// --- fan-in: presence and remote operations -----------------------------------------------------

void RedisBroker::fanIn(QJsonObject request, std::shared_ptr<FanIn> state, int timeoutMs)
{
    const quint64 rid = m_nextRequest.fetch_add(1, std::memory_order_relaxed);
    request.insert(QStringLiteral("rid"), QString::number(rid));
    request.insert(QStringLiteral("from"), m_uid);
    {
        QMutexLocker lock(&m_lock);
        m_fanIns.insert(rid, state);
    }
    const int alive = aliveOthers();
    m_link.command({"PUBLISH", allChannel(), json(request)}, [this, rid, alive, state](const RedisReply &reply) {
        {
            QMutexLocker lock(&m_lock);
            if (reply.isError()) {
                state->partial = true;
                state->error = QStringLiteral("Redis unreachable: %1").arg(QString::fromUtf8(reply.string));
                state->expected = 0;
            } else {
                // Subscribers of sb:all, less this node; a node that died without closing its
                // connection is still subscribed until Redis notices, so the registry bounds it.
                state->expected = qMin(othersAmong(reply.integer), alive);
            }
        }
        if (!reply.isError() && !m_link.isSubscribed())
            return unanswerable(rid);
        finish(rid);
    });
    expireAfter(rid, timeoutMs, QStringLiteral("some nodes did not answer in time"));
}

int RedisBroker::othersAmong(qint64 receivers) const
{
    // Redis counts this node among a channel's receivers only while its subscriber connection
    // is subscribed; while that one reconnects alone, every receiver is another node.
    return int(qMax<qint64>(0, receivers - (m_link.isSubscribed() ? 1 : 0)));
}

void RedisBroker::unanswerable(quint64 rid)
{
    // The answers would come on this node's subscriber connection, which is reconnecting:
    // none can arrive, so the caller gets what there is now, marked partial, not a wait.
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_fanIns.constFind(rid);
        if (it == m_fanIns.cend())
            return;
        (*it)->partial = true;
        (*it)->error = QStringLiteral("this node's Redis subscriber is reconnecting: the other nodes' answers cannot reach it");
        (*it)->cutOff = true;
    }
    finish(rid);
}

void RedisBroker::expireAfter(quint64 rid, int timeoutMs, const QString &why)
{
    // The timer lives in this object's thread, whichever thread asked.
    QMetaObject::invokeMethod(this, [this, rid, timeoutMs, why] {
        QTimer::singleShot(timeoutMs, this, [this, rid, why] {
            {
                QMutexLocker lock(&m_lock);
                const auto it = m_fanIns.constFind(rid);
                if (it == m_fanIns.cend())
                    return;
                (*it)->partial = true;
                (*it)->expected = 0; // what came is what there is
                if ((*it)->error.isEmpty())
                    (*it)->error = why;
            }
            finish(rid);
        });
    }, Qt::QueuedConnection);
}

void RedisBroker::fanInAnswered(const QJsonObject &response)
{
    const quint64 rid = response.value(QLatin1String("rid")).toString().toULongLong();
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_fanIns.constFind(rid);
        if (it == m_fanIns.cend())
            return; // late
        FanIn &state = **it;
        ++state.answered;
        if (response.contains(QLatin1String("tooLarge"))) {
            state.partial = true;
            state.error = QStringLiteral("the answer of node %1 was too large (%2 bytes, at most %3)")
                              .arg(response.value(QLatin1String("node")).toString())
                              .arg(qint64(response.value(QLatin1String("tooLarge")).toDouble()))
                              .arg(kMaxNodeAnswerBytes);
        }
        if (response.contains(QLatin1String("part")))
            state.parts.append({response.value(QLatin1String("node")).toString(), response.value(QLatin1String("part")).toObject(),
                                response.value(QLatin1String("from")).toString()});
        if (response.value(QLatin1String("found")).toBool())
            state.found = true;
    }
    finish(rid);
}

void RedisBroker::finish(quint64 rid)
{
    std::shared_ptr<FanIn> state;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_fanIns.constFind(rid);
        if (it == m_fanIns.cend())
            return;
        FanIn &s = **it;
        const bool complete = s.found || s.cutOff || (s.expected >= 0 && s.answered >= s.expected);
        if (!complete)
            return;
        state = *it;
        m_fanIns.erase(it);
        state->finished = true;
    }
    state->done(*state);
}

void RedisBroker::query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done)
{
    if (query.kind == PresenceQuery::Kind::Stats) {
        // A public route: however often it is asked, the nodes are asked at most once a
        // second; callers meanwhile share the answer in flight or the last one.
        QJsonObject cached;
        {
            QMutexLocker lock(&m_lock);
            if (Server::monotonicMs() - m_statsAtMs < kStatsCacheMs) {
                cached = m_stats;
            } else {
                m_statsWaiters.append(std::move(done));
                if (m_statsWaiters.size() > 1)
                    return; // one is on its way
            }
        }
        if (!cached.isEmpty())
            return done(cached);
        done = [this](const QJsonObject &merged) {
            QList<std::function<void(const QJsonObject &)>> waiters;
            {
                QMutexLocker lock(&m_lock);
                m_stats = merged;
                m_statsAtMs = Server::monotonicMs();
                waiters.swap(m_statsWaiters);
            }
            for (const auto &waiter : std::as_const(waiters))
                waiter(merged);
        };
    }
    auto state = std::make_shared<FanIn>();
    state->parts.append({m_server.nodeName(), localPresence(m_server, query), m_uid});
    state->done = [query, done = std::move(done)](FanIn &s) {
        QJsonObject merged = mergePresence(query, s.parts);
        if (s.partial) {
            merged.insert(QStringLiteral("partial"), true);
            merged.insert(QStringLiteral("error"), s.error);
        }
        done(merged);
    };
    fanIn({{QStringLiteral("t"), QStringLiteral("presence")}, {QStringLiteral("q"), presenceQueryJson(query)}}, state, kFanInTimeoutMs);
}

void RedisBroker::askNodePages(const QJsonObject &queryJson, std::function<void(const Answer &)> done)
{
    const NodePageQuery query = NodePageQuery::fromJson(queryJson);
    auto state = std::make_shared<FanIn>();
    if (query.asks(m_server.nodeName()))
        state->parts.append({m_server.nodeName(), localNodePage(m_server.registry(), m_server.nodeName(), query), m_uid});
    state->done = [done = std::move(done)](FanIn &s) {
        Answer answer;
        answer.parts = s.parts;
        answer.partial = s.partial;
        answer.error = s.error;
        done(answer);
    };
    fanIn({{QStringLiteral("t"), QStringLiteral("page")}, {QStringLiteral("q"), queryJson}}, state, kFanInTimeoutMs);
}

void RedisBroker::remoteConnection(quint64 id, ConnectionOp op, const QString &room, int code, const QString &reason,
                                   std::function<void(bool found)> done)
{
    auto state = std::make_shared<FanIn>();
    state->done = [done = std::move(done)](FanIn &s) { done(s.found); };
    const QString name = op == ConnectionOp::Disconnect ? QStringLiteral("disconnect")
        : op == ConnectionOp::Join                       ? QStringLiteral("join")
                                                         : QStringLiteral("leave");
    fanIn({{QStringLiteral("t"), QStringLiteral("op")},
           {QStringLiteral("op"), name},
           {QStringLiteral("id"), QString::number(id)},
           {QStringLiteral("room"), room},
           {QStringLiteral("code"), code},
           {QStringLiteral("reason"), reason}},
          state, kFanInTimeoutMs);
}

// --- connections per user ------------------------------------------------------------------------

QByteArray RedisBroker::userKey(const QString &userId) const
{
    return (m_key + QStringLiteral(":sb:user:") + userId).toUtf8();
}

QByteArray RedisBroker::sessionKey(const QString &session) const
{
    return (m_key + QStringLiteral(":sb:session:") + session).toUtf8();
}

void RedisBroker::runScript(const QByteArray &sha, QList<QByteArray> keyAndArgs, RedisLink::Done done)
{
    // No EVAL behind a NOSCRIPT: it would reach Redis after commands issued meanwhile (a
    // connection's removal could be overtaken by its addition). The scripts are loaded with
    // each session, so NOSCRIPT means someone flushed them: loaded again for the next call.
    keyAndArgs.prepend("1");
    keyAndArgs.prepend(sha);
    keyAndArgs.prepend("EVALSHA");
    m_link.command(std::move(keyAndArgs), [this, done = std::move(done)](const RedisReply &reply) {
        if (reply.isError() && reply.string.startsWith("NOSCRIPT"))
            loadScripts();
        if (done)
            done(reply);
    });
}

void RedisBroker::loadScripts()
{
    for (const Script *script : {&kAdmitScript, &kRegisterScript}) {
        m_link.command({"SCRIPT", "LOAD", script->text}, [](const RedisReply &reply) {
            if (reply.isError())
                qCWarning(lcServer).noquote() << "cluster: Redis did not load a script:" << QString::fromUtf8(reply.string);
        });
    }
}

void RedisBroker::startSession()
{
    // Everything for the new session is queued on the link before the session is used, so
    // every admission under it reaches Redis after its key and the scripts.
    const QString session = randomUid();
    loadScripts();
    m_link.command({"SET", sessionKey(session), m_uid.toUtf8(), "PX", QByteArray::number(sessionTtlMs())});
    QString previous;
    {
        QMutexLocker lock(&m_lock);
        previous = std::exchange(m_session, session);
        m_sessionLive = true;
    }
    // The previous session's members, whatever became of them while Redis was away, are dead
    // for every node now; the live connections are registered again below.
    if (!previous.isEmpty())
        m_link.command({"DEL", sessionKey(previous)});
    reregisterAll();
}

QString RedisBroker::usableSession() const
{
    if (m_left.load() || !m_link.isConnected())
        return {};
    QMutexLocker lock(&m_lock);
    return m_sessionLive && m_prefixConflict.isEmpty() ? m_session : QString();
}

void RedisBroker::reregisterAll()
{
    m_lastReregisterMs.store(Server::monotonicMs());
    for (quint64 id : m_server.registry().connectionIds())
        m_server.postToConnection(id, [this](Connection *c) { registerConnection(c->userId(), c->id()); });
}

void RedisBroker::registerConnection(const QString &userId, quint64 id)
{
    const QString session = usableSession();
    if (session.isEmpty())
        return; // the next session registers it
    runScript(kRegisterScript.sha, {userKey(userId), member(id, session), QByteArray::number(kUserKeyTtlMs)}, {});
}

Broker::Admission RedisBroker::admitUser(const QString &userId, quint64 connectionId, std::function<void(bool)> later)
{
    const QString session = usableSession();
    const bool overloaded = m_admissionScripts.load() >= kMaxAdmissionScripts;
    if (session.isEmpty() || overloaded) {
        countLocally(overloaded ? QStringLiteral("%1 counts are waiting for Redis").arg(kMaxAdmissionScripts) : degradedReason());
        return LocalBroker::admitHere(m_server, userId) ? Admission::Admitted : Admission::Refused;
    }
    auto pending = std::make_shared<PendingAdmission>();
    pending->userId = userId;
    pending->id = connectionId;
    pending->member = member(connectionId, session);
    pending->deadlineMs = Server::monotonicMs() + kAdmissionTimeoutMs;
    pending->later = std::move(later);
    bool first = false;
    {
        QMutexLocker lock(&m_lock);
        first = m_admissions.isEmpty();
        m_admissions.insert(connectionId, pending);
    }
    if (first) // the sweep runs only while admissions wait
        QMetaObject::invokeMethod(this, [this] { if (!m_admissionSweep.isActive()) m_admissionSweep.start(); }, Qt::QueuedConnection);
    const ServerConfig &config = m_server.config();
    m_admissionScripts.fetch_add(1);
    runScript(kAdmitScript.sha,
              {userKey(userId), pending->member, QByteArray::number(config.maxConnectionsPerUser),
               config.evictOldestUserConnection ? "1" : "0", sessionKey(QString()), session.toLatin1(),
               QByteArray::number(kUserKeyTtlMs)},
              [this, pending](const RedisReply &reply) {
                  m_admissionScripts.fetch_sub(1);
                  admissionAnswered(pending, reply);
              });
    return Admission::Pending;
}

void RedisBroker::admissionAnswered(const std::shared_ptr<PendingAdmission> &pending, const RedisReply &reply)
{
    bool late = false;
    {
        QMutexLocker lock(&m_lock);
        if (pending->decided) {
            if (!pending->countedHere) {
                pending->lateReply = reply; // expireAdmissions() reconciles it once it has decided
                return;
            }
            late = true;
        } else {
            pending->decided = true;
            m_admissions.remove(pending->id);
        }
    }
    const bool valid = reply.type == RedisReply::Type::Array && !reply.elements.isEmpty()
                       && reply.elements.at(0).type == RedisReply::Type::Integer;
    if (valid) {
        QList<quint64> evicted;
        for (qsizetype i = 1; i < reply.elements.size(); ++i) {
            const QByteArray &m = reply.elements.at(i).string;
            if (const quint64 id = m.left(qMax<qsizetype>(0, m.indexOf(':'))).toULongLong())
                evicted.append(id);
        }
        evict(pending->userId, evicted);
    }
    if (late)
        return reconcileLate(*pending, reply);
    if (!valid) {
        countLocally(QStringLiteral("Redis answered %1").arg(QString::fromUtf8(reply.string.left(200))));
        return pending->later(LocalBroker::admitHere(m_server, pending->userId));
    }
    pending->later(reply.elements.at(0).integer == 1);
}

void RedisBroker::reconcileLate(const PendingAdmission &pending, const RedisReply &reply)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty())
        return; // the script did not run, or the link dropped (the next session settles it)
    const bool admitted = reply.elements.at(0).integer == 1;
    if (admitted && !pending.admittedHere)
        m_link.command({"ZREM", userKey(pending.userId), pending.member});
    else if (!admitted && pending.admittedHere)
        m_server.postToConnection(pending.id, [this](Connection *c) { registerConnection(c->userId(), c->id()); });
}

void RedisBroker::expireAdmissions()
{
    const qint64 now = Server::monotonicMs();
    QList<std::shared_ptr<PendingAdmission>> expired;
    {
        QMutexLocker lock(&m_lock);
        for (auto it = m_admissions.begin(); it != m_admissions.end();) {
            if ((*it)->deadlineMs > now) {
                ++it;
                continue;
            }
            (*it)->decided = true;
            expired.append(*it);
            it = m_admissions.erase(it);
        }
        if (m_admissions.isEmpty())
            m_admissionSweep.stop();
    }
    if (!expired.isEmpty())
        countLocally(QStringLiteral("Redis did not answer within %1 ms").arg(kAdmissionTimeoutMs));
    for (const auto &pending : expired) {
        const bool admitted = LocalBroker::admitHere(m_server, pending->userId);
        std::optional<RedisReply> late;
        {
            QMutexLocker lock(&m_lock);
            pending->countedHere = true;
            pending->admittedHere = admitted;
            late = std::exchange(pending->lateReply, std::nullopt);
        }
        pending->later(admitted);
        if (late)
            admissionAnswered(pending, *late);
    }
}

void RedisBroker::countLocally(const QString &why)
{
    const qint64 now = Server::monotonicMs();
    QMutexLocker lock(&m_lock);
    if (now - m_lastLocalCountLogMs < 10000)
        return;
    m_lastLocalCountLogMs = now;
    qCWarning(lcServer).noquote() << "cluster: --max-connections-per-user counts this node's connections only for now:" << why;
}

void RedisBroker::evict(const QString &userId, const QList<quint64> &ids)
{
    const int max = m_server.config().maxConnectionsPerUser;
    const QString reason = QStringLiteral("replaced by a newer connection");
    for (quint64 id : ids) {
        qCInfo(lcAuth).noquote() << "user" << userId << "over --max-connections-per-user" << max
                                 << "in the cluster: closing its oldest connection" << id;
        if (m_server.disconnectConnection(id, Protocol::Replaced, reason))
            continue;
        remoteConnection(id, ConnectionOp::Disconnect, {}, Protocol::Replaced, reason, [id](bool found) {
            if (!found)
                qCInfo(lcAuth) << "the connection" << id << "to replace was not found on any node (closed meanwhile)";
        });
    }
}

void RedisBroker::userConnectionClosed(const QString &userId, quint64 connectionId)
{
    // Under an older session the member is dead already; while cut off the removal would be
    // lost, and the next session makes it dead too.
    const QString session = usableSession();
    if (!session.isEmpty())
        m_link.command({"ZREM", userKey(userId), member(connectionId, session)});
}

// --- the node registry -------------------------------------------------------------------------------

QJsonObject RedisBroker::selfInfo() const
{
    QJsonObject info = m_server.nodeJson();
    info.insert(QStringLiteral("uid"), m_uid);
    info.insert(QStringLiteral("idPrefix"), QString::number(m_prefix));
    info.insert(QStringLiteral("lastSeen"), QDateTime::currentMSecsSinceEpoch());
    return info;
}

void RedisBroker::announce()
{
    {
        // Routes of acked emits whose clients are past their ack timeout.
        const qint64 now = Server::monotonicMs();
        QMutexLocker lock(&m_lock);
        pruneAckRoutesLocked(now);
    }
    if (m_left.load() || !m_link.isConnected())
        return;
    claimPrefix();
    if (m_perUser) {
        // The session key lives while this node announces itself; one found gone (this node
        // was stalled longer than its expiry, or Redis lost it) starts a new session.
        const QString session = usableSession();
        if (!session.isEmpty()) {
            m_link.command({"PEXPIRE", sessionKey(session), QByteArray::number(sessionTtlMs())}, [this, session](const RedisReply &reply) {
                if (reply.type != RedisReply::Type::Integer || reply.integer != 0 || usableSession() != session)
                    return;
                qCWarning(lcServer) << "cluster: this node's session key was gone from Redis; registering its connections again";
                startSession();
            });
        }
        const qint64 now = Server::monotonicMs();
        if (now - m_lastReregisterMs.load() >= kUserKeyTtlMs / 3)
            reregisterAll();
    }
    const QByteArray hash = (m_key + QStringLiteral(":sb:nodes")).toUtf8();
    m_link.command({"HSET", hash, m_uid.toUtf8(), json(selfInfo())});
    m_link.command({"HGETALL", hash}, [this, hash](const RedisReply &reply) {
        if (reply.type != RedisReply::Type::Array)
            return;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QHash<QString, NodeEntry> nodes;
        QList<QByteArray> forget;
        for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
            const QJsonObject info = QJsonDocument::fromJson(reply.elements.at(i + 1).string).object();
            const qint64 seen = Json::toInt64(info.value(QLatin1String("lastSeen")).toDouble());
            if (now - seen > qMax(kForgetNodeMs, 3 * goneAfterMs()))
                forget.append(reply.elements.at(i).string);
            else
                nodes.insert(QString::fromUtf8(reply.elements.at(i).string), {info, seen});
        }
        for (const QByteArray &uid : forget)
            m_link.command({"HDEL", hash, uid});
        // Nodes are told apart by uid; a shared name only confuses people (logs, the console):
        // said once per other node.
        const QString name = m_server.nodeName();
        QMutexLocker lock(&m_lock);
        for (auto it = nodes.cbegin(); it != nodes.cend(); ++it) {
            if (it.key() == m_uid || now - it->lastSeenMs > goneAfterMs()
                || it->info.value(QLatin1String("name")).toString() != name || m_sameName.contains(it.key())
                || m_sameName.size() >= 1000)
                continue;
            m_sameName.insert(it.key());
            qCWarning(lcServer).noquote() << QStringLiteral("cluster: node uid %1 has the same name \"%2\" as this node (uid %3); "
                                                            "give each node its own --node-name").arg(it.key(), name, m_uid);
        }
        m_nodes = nodes;
    });
}

void RedisBroker::claimPrefix()
{
    // Connection ids are unique across the cluster only if no two nodes share a prefix: each
    // node holds its prefix in Redis (SET NX, renewed every heartbeat). A node that finds its
    // prefix held by another reports itself degraded (restart it: it draws a new prefix).
    const QByteArray key = (m_key + QStringLiteral(":sb:prefix:") + QString::number(m_prefix)).toUtf8();
    const QByteArray ttl = QByteArray::number(3 * m_heartbeatMs + 5000);
    const QByteArray uid = m_uid.toUtf8();
    m_link.command({"SET", key, uid, "NX", "PX", ttl}, [this, key, ttl, uid](const RedisReply &set) {
        if (set.isError())
            return;
        if (set.type == RedisReply::Type::Status) { // OK: ours now
            QMutexLocker lock(&m_lock);
            m_prefixConflict.clear();
            m_joined.store(true);
            return;
        }
        m_link.command({"GET", key}, [this, key, ttl, uid](const RedisReply &held) {
            if (held.isError())
                return;
            if (held.string == uid) {
                m_link.command({"PEXPIRE", key, ttl});
                QMutexLocker lock(&m_lock);
                m_prefixConflict.clear();
                m_joined.store(true);
                return;
            }
            QMutexLocker lock(&m_lock);
            if (m_prefixConflict.isEmpty())
                qCCritical(lcServer).noquote() << "cluster: connection-id prefix" << m_prefix << "is held by node uid"
                                               << held.string << "; restart this node to draw another";
            m_prefixConflict = QStringLiteral("connection-id prefix %1 is held by another node (uid %2); restart this node")
                                   .arg(m_prefix).arg(QString::fromUtf8(held.string));
        });
    });
}

int RedisBroker::aliveOthers() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 bound = goneAfterMs();
    QMutexLocker lock(&m_lock);
    int n = 0;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (it.key() != m_uid && now - it->lastSeenMs <= bound)
            ++n;
    }
    // Before the first read of the registry, trust Redis' subscriber count alone.
    return m_nodes.isEmpty() ? std::numeric_limits<int>::max() : n;
}

QJsonObject RedisBroker::nodesJson() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 bound = goneAfterMs();
    QJsonArray list;
    QJsonObject self = selfInfo();
    self.insert(QStringLiteral("state"), degradedReason().isEmpty() ? QStringLiteral("up") : QStringLiteral("degraded"));
    self.insert(QStringLiteral("self"), true);
    // This node's side of Redis: commands waiting for it, and the adapter requests it answered
    // or did not (docs/cluster.md, "Limits").
    self.insert(QStringLiteral("redisPendingBytes"), m_link.pendingBytes());
    self.insert(QStringLiteral("adapterAnswers"),
                QJsonObject{{QStringLiteral("sent"), qint64(m_answersSent.load())},
                            {QStringLiteral("shared"), qint64(m_answersShared.load())},
                            {QStringLiteral("droppedBusy"), qint64(m_answersDroppedBusy.load())},
                            {QStringLiteral("droppedLarge"), qint64(m_answersDroppedLarge.load())},
                            {QStringLiteral("bytesInFlight"), m_answerBytes.load()}});
    list.append(self);
    QMultiMap<QString, QJsonObject> others; // by name: a stable order for the console and the API
    {
        QMutexLocker lock(&m_lock);
        for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
            if (it.key() == m_uid)
                continue;
            QJsonObject info = it->info;
            info.insert(QStringLiteral("state"), now - it->lastSeenMs <= bound ? QStringLiteral("up") : QStringLiteral("gone"));
            others.insert(info.value(QLatin1String("name")).toString(), info);
        }
    }
    for (const QJsonObject &info : std::as_const(others))
        list.append(info);
    return {{QStringLiteral("nodes"), list}, {QStringLiteral("self"), m_server.nodeName()},
            {QStringLiteral("redis"), m_url.display()}, {QStringLiteral("key"), m_key}};
}

} // namespace Switchboard
