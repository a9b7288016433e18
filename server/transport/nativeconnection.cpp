#include "nativeconnection.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>

#include "auth/jwt.h"
#include "core/logging.h"
#include "ioworker.h"
#include "rooms/eventstream.h"
#include "rooms/registry.h"
#include "protocol/messages.h"
#include "server.h"
#include "wsstream.h"
#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

/// Queues one connection may consume at once (too_many_queues beyond it).
constexpr int kMaxConsumedQueues = 100;

QString queueError(const QString &code, const QString &text, const QString &queue, const QJsonValue &id)
{
    QJsonObject error{{QStringLiteral("type"), QStringLiteral("error")},
                      {QStringLiteral("code"), code},
                      {QStringLiteral("message"), text},
                      {QStringLiteral("queue"), queue}};
    if (!id.isUndefined())
        error.insert(QStringLiteral("id"), id);
    return Protocol::encode(error);
}

} // namespace

NativeConnection::NativeConnection(IoWorker &worker, Server &server, std::unique_ptr<WsStream> socket,
                                   std::shared_ptr<ConnectionInfo> info, const QStringList &rooms,
                                   const std::optional<QJsonValue> &authenticatedId)
    : Connection(worker, server, &worker)
    , m_socket(std::move(socket))
{
    const qint64 now = Server::monotonicMs();
    m_lastSeenMs = now;
    // The first ping comes after half to all of the interval: connections opened together
    // (a reconnect wave, a benchmark) would otherwise all be pinged in the same sweep, a
    // burst of one write per socket that stalls the thread (10,000 pings: ~40 ms).
    const int interval = qMax(2, server.config().heartbeatIntervalMs);
    m_lastPingMs = now - QRandomGenerator::global()->bounded(interval / 2);
    activate(std::move(info), rooms);
    // Native clients may resume: the in-process log is kept while they are connected.
    m_server.eventStream().socketOpened();

    connect(m_socket.get(), &WsStream::textReceived, this, &NativeConnection::onText);
    connect(m_socket.get(), &WsStream::binaryReceived, this, [this](const QByteArray &) {
        m_lastSeenMs = Server::monotonicMs();
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("unsupported_frame"),
                             QStringLiteral("binary frames are not supported; send JSON text frames")));
    });
    // Only a pong answering our ping counts (WsStream drops unsolicited ones), and data frames.
    connect(m_socket.get(), &WsStream::pong, this, [this] { m_lastSeenMs = Server::monotonicMs(); });
    connect(m_socket.get(), &WsStream::overBudget, this, [this](qint64 bytes) {
        // The stream closed itself with 1008 "slow consumer", whatever frame did not fit.
        m_server.metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "dropping slow consumer" << m_info->id << "with" << bytes << "bytes unsent";
        if (!isClosing()) {
            m_closeCode = Protocol::PolicyViolation;
            m_closingSinceMs = Server::monotonicMs();
        }
    });
    connect(m_socket.get(), &WsStream::disconnected, this, &NativeConnection::onDisconnected);
    if (authenticatedId)
        sendAuthenticated(*authenticatedId);
    sendConnected();
    // Events emitted with "persist" while this user had no connection, sent when the store
    // has them. They stay stored until acknowledged; unacknowledged ones go to the next connection.
    requestOffline();
}

void NativeConnection::deliverOffline(const QList<OfflineStore::Pending> &events)
{
    for (const OfflineStore::Pending &p : events) {
        const QString id = QJsonDocument::fromJson(p.frame.toUtf8()).object().value(QLatin1String("id")).toString();
        m_offline.insert(id, p.rowId);
        send(p.frame);
    }
}

NativeConnection::~NativeConnection()
{
    m_server.eventStream().socketClosed();
}

bool NativeConnection::deliver(const OutboundFrame &frame)
{
    // Socket.IO namespaces other than "/" have no native counterpart.
    if (frame.nsp.size() != 1 || !writable())
        return false;
    if (frame.offset != 0 && frame.offset <= m_replayedUpTo)
        return false; // sent by a resume already
    if (m_resumeCall != 0)
        return hold(frame);
    // The broadcast's frame is built once; every recipient sends the same bytes.
    const OutboundFrame::NativeBytes native = frame.native();
    if (!sendNative(native.frame, native.payloadSize, frame.ack ? frame.id : QString()))
        return false;
    noteSent(frame.offset);
    return true;
}

bool NativeConnection::sendNative(const QByteArray &frame, qsizetype payloadSize, const QString &ackId)
{
    if (!writable() || !m_socket->sendFrame(frame))
        return false;
    if (!ackId.isEmpty())
        m_sentAcks.add(ackId);
    sent(payloadSize);
    return true;
}

void NativeConnection::sendConnected()
{
    QStringList rooms = m_rooms.values();
    rooms.sort();
    send(Protocol::encode({{QStringLiteral("type"), QStringLiteral("connected")},
                           {QStringLiteral("userId"), m_info->userId},
                           {QStringLiteral("connectionId"), QString::number(m_info->id)},
                           {QStringLiteral("rooms"), QJsonArray::fromStringList(rooms)},
                           {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}}));
}

QString NativeConnection::authError(const QString &code, const QString &message, const QJsonValue &id)
{
    QJsonObject error{{QStringLiteral("type"), QStringLiteral("auth_error")},
                      {QStringLiteral("code"), code},
                      {QStringLiteral("message"), message}};
    if (!id.isUndefined() && !id.isNull())
        error.insert(QStringLiteral("id"), id);
    return Protocol::encode(error);
}

void NativeConnection::sendAuthenticated(const QJsonValue &id)
{
    QJsonObject reply{{QStringLiteral("type"), QStringLiteral("authenticated")},
                      {QStringLiteral("userId"), m_info->userId},
                      {QStringLiteral("connectionId"), QString::number(m_info->id)},
                      {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
    if (!id.isUndefined() && !id.isNull())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

bool NativeConnection::writable()
{
    // The byte budget itself is WsStream's (--max-pending-bytes), over every frame kind.
    return !isClosing() && !m_gone;
}

void NativeConnection::sent(qint64 payloadBytes)
{
    countOut(payloadBytes);
    m_info->pendingBytes.store(m_socket->bytesToWrite(), std::memory_order_relaxed);
}

bool NativeConnection::send(const QString &text)
{
    if (!writable())
        return false;
    const QByteArray utf8 = text.toUtf8();
    if (!m_socket->sendText(utf8))
        return false;
    sent(utf8.size());
    return true;
}

void NativeConnection::close(int code, const QString &reason)
{
    if (isClosing() || m_gone)
        return;
    m_closeCode = code;
    m_closingSinceMs = Server::monotonicMs();
    // Close reasons are limited to 123 bytes by RFC 6455.
    m_socket->close(code, reason);
}

void NativeConnection::abort()
{
    if (m_gone)
        return;
    m_socket->abort();
    onDisconnected(); // idempotent; abort() may or may not have emitted disconnected already
}

void NativeConnection::applyLimits(const LiveLimits &limits)
{
    Connection::applyLimits(limits);
    // The next frame read is checked against the new size; the next write against the budget.
    m_socket->setMaxMessageSize(limits.maxMessageSize());
    m_socket->setMaxBufferedBytes(limits.maxPendingBytes());
}

void NativeConnection::tokenExpiring(int seconds)
{
    send(Protocol::encode(QJsonObject{{QStringLiteral("type"), QStringLiteral("token_expiring")},
                                      {QStringLiteral("in"), seconds},
                                      {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}}));
}

void NativeConnection::handleRefresh(const QJsonObject &msg, bool authenticate)
{
    const QJsonValue id = msg.value(QLatin1String("id"));
    auto refuse = [&](const QString &code, const QString &message) {
        send(authenticate ? authError(code, message, id) : Protocol::error(code, message, id));
    };
    const Jwt::Result jwt = m_server.verifyToken(msg.value(QLatin1String("token")).toString().toUtf8());
    if (!jwt.ok()) {
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        refuse(QStringLiteral("invalid_token"), jwt.message);
        return;
    }
    if (jwt.userId != userId()) {
        refuse(QStringLiteral("user_mismatch"), QStringLiteral("the new token is for another user"));
        return;
    }
    setTokenExpiry(jwt.claims);
    if (authenticate) {
        sendAuthenticated(id);
        return;
    }
    QJsonObject reply{{QStringLiteral("type"), QStringLiteral("refreshed")},
                      {QStringLiteral("expiresAt"), jwt.claims.value(QLatin1String("exp"))},
                      {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
    if (!id.isUndefined() && !id.isNull())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

void NativeConnection::heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs)
{
    m_info->pendingBytes.store(m_socket->bytesToWrite(), std::memory_order_relaxed);
    if (isClosing()) {
        // A peer that does not finish the close handshake is cut off.
        if (nowMs - m_closingSinceMs > 2000)
            abort();
        return;
    }
    if (checkTokenExpiry(nowMs))
        return;
    if (nowMs - m_lastSeenMs > timeoutMs) {
        qCInfo(lcWs) << "heartbeat timeout for connection" << m_info->id << "user" << m_info->userId;
        m_closeCode = 1006;
        abort();
        return;
    }
    if (nowMs - m_lastPingMs >= intervalMs) {
        m_lastPingMs = nowMs;
        m_socket->ping();
    }
}

void NativeConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    const int code = m_closeCode ? m_closeCode : int(m_socket->closeCode());
    finish(code, m_closeCode ? QString() : m_socket->closeReason());
    deleteLater();
}

void NativeConnection::onText(const QByteArray &utf8)
{
    const qint64 now = Server::monotonicMs();
    m_lastSeenMs = now;
    countIn(utf8.size());
    Metrics &metrics = m_server.metrics();

    QString jsonError;
    const QJsonDocument doc = Json::parse(utf8, &jsonError);
    // Answers to jobs and persisted events this connection holds are not rate limited: their
    // number is bounded by what the server sent (the prefetch), and a fast worker must not
    // be throttled into redeliveries.
    const bool answersHeldWork = jsonError.isEmpty() && doc.isObject() && isSettlingHeldWork(doc.object());
    if (!answersHeldWork && rateLimited(now, [this](const QString &code, const QString &message) {
            send(Protocol::error(code, message));
        }))
        return;

    if (!jsonError.isEmpty()) {
        metrics.errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_json"), jsonError));
        return;
    }
    if (!doc.isObject()) {
        metrics.errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"), QStringLiteral("message must be a JSON object")));
        return;
    }
    handle(doc.object());
}

void NativeConnection::handle(const QJsonObject &message)
{
    const QJsonValue typeValue = message.value(QLatin1String("type"));
    const QJsonValue id = message.value(QLatin1String("id"));
    if (!typeValue.isString()) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"), QStringLiteral("message needs a string \"type\""), id));
        return;
    }
    const QString type = typeValue.toString();
    if (type == QLatin1String("ping")) {
        QJsonObject pong{{QStringLiteral("type"), QStringLiteral("pong")},
                         {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
        if (!id.isUndefined())
            pong.insert(QStringLiteral("id"), id);
        send(Protocol::encode(pong));
    } else if (type == QLatin1String("subscribe") || type == QLatin1String("join") || type == QLatin1String("join_room")) {
        handleSubscribe(message, true);
    } else if (type == QLatin1String("unsubscribe") || type == QLatin1String("leave") || type == QLatin1String("leave_room")) {
        handleSubscribe(message, false);
    } else if (type == QLatin1String("refresh") || type == QLatin1String("authenticate")) {
        handleRefresh(message, type == QLatin1String("authenticate"));
    } else if (type == QLatin1String("resume")) {
        const QJsonValue since = message.value(QLatin1String("since"));
        if (!since.isString() && !since.isDouble()) {
            m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
            send(Protocol::error(QStringLiteral("invalid_message"),
                                 QStringLiteral("resume needs \"since\": the \"offset\" of the last event received"), id));
        } else {
            resume(since.isString() ? since.toString() : QString::number(qint64(since.toDouble())), id);
        }
    } else if (type == QLatin1String("emit")) {
        handleEmit(message);
    } else if (type == QLatin1String("ack") || type == QLatin1String("nack")) {
        handleSettle(type, message);
    } else if (type == QLatin1String("presence_subscribe") || type == QLatin1String("presence_unsubscribe")) {
        handlePresence(message, type == QLatin1String("presence_subscribe"));
    } else if (type == QLatin1String("consume")) {
        handleConsume(message, true);
    } else if (type == QLatin1String("cancel")) {
        handleConsume(message, false);
    } else if (isHooked(type)) {
        handleHooked(type, message);
    } else {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("unknown_type"), QStringLiteral("Unknown message type"), id));
    }
}

Connection::Refusal NativeConnection::checkRoomChange(const QString &room, bool subscribe) const
{
    if (subscribe)
        return checkJoin(room);
    if (room == QStringLiteral("user:") + m_info->userId)
        return {QStringLiteral("forbidden"), QStringLiteral("a connection cannot leave its own user room")};
    return {};
}

void NativeConnection::handleSubscribe(const QJsonObject &message, bool subscribe)
{
    if (message.contains(QLatin1String("topics"))) {
        handleTopics(message, subscribe);
        return;
    }
    const QJsonValue id = message.value(QLatin1String("id"));
    QString room = message.value(QLatin1String("channel")).toString();
    if (room.isEmpty())
        room = message.value(QLatin1String("room")).toString();
    if (room.isEmpty()) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"), QStringLiteral("\"channel\" is required"), id));
        return;
    }
    const Refusal refused = checkRoomChange(room, subscribe);
    if (refused.isEmpty() && subscribe && joinNeedsDecision(room)) {
        // The subscribe proxy decides (docs/hooks.md); answered once it has.
        authorizeJoin(room, {}, [this, room, id](const Refusal &decided) { answerRoomChange(room, true, id, decided); });
        return;
    }
    if (refused.isEmpty()) {
        if (subscribe)
            join(room);
        else
            leave(room);
    }
    answerRoomChange(room, subscribe, id, refused);
}

void NativeConnection::answerRoomChange(const QString &room, bool subscribe, const QJsonValue &id, const Refusal &refused)
{
    QJsonObject reply;
    if (!refused.isEmpty()) {
        reply = {{QStringLiteral("type"), QStringLiteral("error")},
                 {QStringLiteral("code"), refused.code},
                 {QStringLiteral("message"), refused.message},
                 {QStringLiteral("channel"), room}};
    } else {
        reply = {{QStringLiteral("type"), subscribe ? QStringLiteral("subscribed") : QStringLiteral("unsubscribed")},
                 {QStringLiteral("channel"), room},
                 {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
    }
    if (!id.isUndefined())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

void NativeConnection::handlePresence(const QJsonObject &message, bool subscribe)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    const QString room = message.value(QLatin1String("room")).toString();
    const Refusal refused = watchPresence(QStringLiteral("/"), room, subscribe);
    QJsonObject reply;
    if (refused.isEmpty()) {
        reply = {{QStringLiteral("type"), subscribe ? QStringLiteral("presence_subscribed") : QStringLiteral("presence_unsubscribed")},
                 {QStringLiteral("room"), room}};
    } else {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        reply = {{QStringLiteral("type"), QStringLiteral("error")},
                 {QStringLiteral("code"), refused.code},
                 {QStringLiteral("message"), refused.message},
                 {QStringLiteral("room"), room}};
    }
    if (!id.isUndefined())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

void NativeConnection::handleTopics(const QJsonObject &message, bool subscribe)
{
    // Bounded like a message: a list longer than this is refused as a whole.
    constexpr int kMaxTopics = 100;
    const QJsonValue id = message.value(QLatin1String("id"));
    const QJsonValue topicsValue = message.value(QLatin1String("topics"));
    const QJsonArray topics = topicsValue.toArray();
    if (!topicsValue.isArray() || topics.isEmpty() || topics.size() > kMaxTopics) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"),
                             QStringLiteral("\"topics\" must be an array of 1 to %1 room names").arg(kMaxTopics), id));
        return;
    }
    // Each room on its own, in order: the ones allowed are joined (or left), the others are
    // listed with the reason, and one answer says which is which. Joins the subscribe proxy
    // decides are answered in the same answer, once the last of them is decided.
    struct Batch
    {
        QList<std::pair<QString, Refusal>> results; // per topic, in order
        int waiting = 1;                            // decisions still to come, + this call
    };
    auto batch = std::make_shared<Batch>();
    batch->results.resize(topics.size());
    const auto settle = [this, batch, subscribe, id] {
        if (--batch->waiting == 0)
            answerTopics(batch->results, subscribe, id);
    };
    for (qsizetype i = 0; i < topics.size(); ++i) {
        const QString room = topics.at(i).toString();
        Refusal refused = room.isEmpty() ? Refusal{QStringLiteral("invalid_message"), QStringLiteral("a topic must be a non-empty string")}
                                         : checkRoomChange(room, subscribe);
        batch->results[i] = {room, refused};
        if (!refused.isEmpty())
            continue;
        if (subscribe && joinNeedsDecision(room)) {
            ++batch->waiting;
            authorizeJoin(room, {}, [batch, i, settle](const Refusal &decided) {
                batch->results[i].second = decided;
                settle();
            });
            continue;
        }
        if (subscribe)
            join(room);
        else
            leave(room);
    }
    settle();
}

void NativeConnection::answerTopics(const QList<std::pair<QString, Refusal>> &results, bool subscribe, const QJsonValue &id)
{
    QJsonArray done;
    QJsonArray refusedList;
    for (const auto &[room, refused] : results) {
        if (refused.isEmpty()) {
            done.append(room);
            continue;
        }
        refusedList.append(QJsonObject{{QStringLiteral("channel"), room},
                                       {QStringLiteral("code"), refused.code},
                                       {QStringLiteral("message"), refused.message}});
    }
    QJsonObject reply{{QStringLiteral("type"), subscribe ? QStringLiteral("subscribed") : QStringLiteral("unsubscribed")},
                      {QStringLiteral("topics"), done},
                      {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
    if (!refusedList.isEmpty())
        reply.insert(QStringLiteral("refused"), refusedList);
    if (!id.isUndefined())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

void NativeConnection::sendPresence(const QString &nsp, const QString &event, const QJsonObject &data)
{
    Q_UNUSED(nsp);
    QJsonObject message = data;
    message.insert(QStringLiteral("type"), event);
    message.insert(QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch());
    send(Protocol::encode(message));
}

void NativeConnection::handleEmit(const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    // --relay-room-key (e.g. roomId) names the room; "room" is always understood too.
    const QString &roomKey = m_server.config().relayRoomKey;
    QString room = message.value(roomKey).toString();
    if (room.isEmpty())
        room = message.value(QLatin1String("room")).toString();
    const QString event = message.value(QLatin1String("event")).toString();
    if (room.isEmpty() || event.isEmpty()) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"), QStringLiteral("emit needs \"%1\" and \"event\"").arg(roomKey), id));
        return;
    }
    if (!m_rooms.contains(room)) {
        send(Protocol::error(QStringLiteral("not_in_room"), QStringLiteral("join %1 before emitting to it").arg(room), id));
        return;
    }
    EmitRequest request;
    request.target = EmitRequest::Target::Room;
    request.room = room;
    request.event = event;
    request.payload = message.value(QLatin1String("data"));
    request.exceptConnectionId = m_info->id; // like socket.to(room).emit(): not back to the sender
    request.source = QStringLiteral("client");
    request.fromUserId = m_info->userId;
    const EmitResult result = m_server.emitEvent(request);
    if (!result.error.isEmpty()) {
        send(Protocol::error(result.code.isEmpty() ? QStringLiteral("unavailable") : result.code, result.error, id));
        return;
    }
    if (!id.isUndefined() && !id.isNull()) {
        send(Protocol::encode({{QStringLiteral("type"), QStringLiteral("ack")},
                               {QStringLiteral("id"), id},
                               {QStringLiteral("delivered"), result.delivered}}));
    }
}

void NativeConnection::handleHooked(const QString &type, const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    ClientEvent event;
    event.event = type;
    event.data = message.value(QLatin1String("data"));
    event.requestId = id;
    event.protocol = QStringLiteral("native");
    forwardEvent(std::move(event), [type, id](Connection &c, const ClientEventAnswer &answer) {
        auto *self = qobject_cast<NativeConnection *>(&c);
        if (!self)
            return;
        if (!answer.ok) {
            self->send(Protocol::error(answer.code, answer.message, id));
            return;
        }
        // A client that sent no id and gets no reply data has asked for nothing.
        const bool hasId = !id.isUndefined() && !id.isNull();
        if (!hasId && answer.reply.isNull())
            return;
        QJsonObject reply{{QStringLiteral("type"), QStringLiteral("reply")},
                          {QStringLiteral("event"), type},
                          {QStringLiteral("data"), answer.reply}};
        if (hasId)
            reply.insert(QStringLiteral("id"), id);
        self->send(Protocol::encode(reply));
    });
}

bool NativeConnection::isSettlingHeldWork(const QJsonObject &message) const
{
    if (m_jobs.isEmpty() && m_offline.isEmpty())
        return false;
    const QString type = message.value(QLatin1String("type")).toString();
    if (type != QLatin1String("ack") && type != QLatin1String("nack"))
        return false;
    const QJsonValue id = message.value(QLatin1String("id"));
    const QString idText = Json::idText(id);
    return m_jobs.contains(idText.toLongLong()) || m_offline.contains(idText);
}

void NativeConnection::handleSettle(const QString &type, const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    if (!id.isString() && !id.isDouble()) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_message"), QStringLiteral("%1 needs an \"id\"").arg(type)));
        return;
    }
    const bool ok = type == QLatin1String("ack");
    const QString error = message.value(QLatin1String("error")).toString();
    const QString idText = Json::idText(id);
    bool isNumber = false;
    const qint64 jobId = idText.toLongLong(&isNumber);
    if (isNumber) {
        const auto job = m_jobs.constFind(jobId);
        if (job != m_jobs.cend()) {
            if (QueueBackend *queues = m_server.queueBackend())
                queues->settle(m_info->id, *job, jobId, ok, error);
            m_jobs.erase(job);
            return;
        }
    }
    if (ok && settleOffline(idText))
        return;
    // Only an event this connection was sent may be answered: an ack of another id would
    // count in (and could forge an answer to) someone else's acked emit.
    if (!m_sentAcks.take(idText)) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("unknown_ack"),
                             QStringLiteral("no acked event with this id was sent to this connection, or it was answered already"), id));
        return;
    }
    // The client's reply ("data") goes to an emitter waiting for it (rooms/ackwaits.h).
    const QJsonValue data = message.value(QLatin1String("data"));
    m_server.reportAck(idText, m_info->id, m_info->userId, ok, error, data.isUndefined() ? QJsonArray() : QJsonArray{data});
}

void NativeConnection::handleConsume(const QJsonObject &message, bool consume)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    const QString queue = message.value(QLatin1String("queue")).toString();
    auto fail = [&](const QString &code, const QString &text) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(queueError(code, text, queue, id));
    };
    if (!isValidQueueName(queue))
        return fail(QStringLiteral("invalid_queue"), QStringLiteral("\"queue\" must be 1-128 characters from A-Z a-z 0-9 _ . : -"));
    QueueBackend *queues = m_server.queueBackend();
    if (!queues)
        return fail(QStringLiteral("not_available"), QStringLiteral("the durable queue store is not available"));
    QJsonObject reply{{QStringLiteral("queue"), queue}};
    if (consume) {
        const QJsonValue prefetchValue = message.value(QLatin1String("prefetch"));
        const int prefetch = prefetchValue.isUndefined() ? 1 : prefetchValue.toInt(0);
        if (prefetch < 1 || prefetch > 1000)
            return fail(QStringLiteral("invalid_message"), QStringLiteral("\"prefetch\" must be a number from 1 to 1000"));
        const QJsonValue visibilityValue = message.value(QLatin1String("visibilityTimeout"));
        const qint64 visibility = visibilityValue.isUndefined() ? 0 : Json::toInt64(visibilityValue.toDouble(-1), -1);
        if (visibility < 0 || (visibility > 0 && visibility < 100) || visibility > 12 * 3600 * 1000)
            return fail(QStringLiteral("invalid_message"), QStringLiteral("\"visibilityTimeout\" must be milliseconds from 100 to 43200000"));
        if (!m_consuming.contains(queue) && m_consuming.size() >= kMaxConsumedQueues)
            return fail(QStringLiteral("too_many_queues"), QStringLiteral("a connection consumes at most %1 queues; cancel one first").arg(kMaxConsumedQueues));
        // Clients never create queues: only an existing one, or one --client-queues allows
        // (the consumer then waits for its first message). The queue thread decides; noted
        // here already so that a disconnect meanwhile still releases the consumer.
        const bool mayWait = matchesQueuePattern(m_server.config().clientQueues, queue);
        m_consuming.insert(queue);
        const qint64 shown = visibility > 0 ? visibility : m_server.config().queueVisibilityTimeoutMs;
        queues->consumeIfKnown(m_info->id, queue, prefetch, visibility, mayWait,
                               [back = fromQueueThread(), queue, prefetch, shown, id](QueueBackend::ConsumeAnswer answer) {
            back([=](NativeConnection *self) { self->consumeAnswered(queue, answer, prefetch, shown, id); });
        });
        return;
    }
    if (!m_consuming.remove(queue))
        return fail(QStringLiteral("not_consuming"), QStringLiteral("this connection does not consume %1").arg(queue));
    // Answered from the queue thread like the consume before it, so never ahead of its answer.
    reply.insert(QStringLiteral("type"), QStringLiteral("cancelled"));
    if (!id.isUndefined())
        reply.insert(QStringLiteral("id"), id);
    queues->cancel(m_info->id, queue, [back = fromQueueThread(), frame = Protocol::encode(reply)] {
        back([frame](NativeConnection *self) { self->send(frame); });
    });
}

std::function<void(std::function<void(NativeConnection *)>)> NativeConnection::fromQueueThread() const
{
    return [server = &m_server, self = m_info->id](std::function<void(NativeConnection *)> task) {
        server->postToConnection(self, [task = std::move(task)](Connection *c) {
            if (auto *native = qobject_cast<NativeConnection *>(c))
                task(native);
        });
    };
}

void NativeConnection::consumeAnswered(const QString &queue, QueueBackend::ConsumeAnswer answer, int prefetch,
                                       qint64 visibilityMs, const QJsonValue &id)
{
    if (answer == QueueBackend::ConsumeAnswer::Unavailable) {
        m_consuming.remove(queue);
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(queueError(QStringLiteral("unavailable"),
                        QStringLiteral("the queue store cannot tell whether queue %1 exists now; try again").arg(queue), queue, id));
        return;
    }
    if (answer != QueueBackend::ConsumeAnswer::Subscribed) {
        m_consuming.remove(queue);
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(queueError(QStringLiteral("unknown_queue"),
                        QStringLiteral("queue %1 does not exist (clients consume existing queues, or ones --client-queues allows)").arg(queue),
                        queue, id));
        return;
    }
    QJsonObject reply{{QStringLiteral("type"), QStringLiteral("consuming")},
                      {QStringLiteral("queue"), queue},
                      {QStringLiteral("prefetch"), prefetch},
                      {QStringLiteral("visibilityTimeout"), visibilityMs}};
    if (!id.isUndefined())
        reply.insert(QStringLiteral("id"), id);
    send(Protocol::encode(reply));
}

void NativeConnection::sendJob(const QString &queue, qint64 id, const QString &frame)
{
    m_jobs.insert(id, queue);
    send(frame);
}

} // namespace Switchboard
