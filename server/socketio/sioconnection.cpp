#include "sioconnection.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QUuid>

#include "auth/jwt.h"
#include "core/logging.h"
#include "core/mailbox.h"
#include "core/slots.h"
#include "protocol/messages.h"
#include "recovery.h"
#include "rooms/eventstream.h"
#include "rooms/registry.h"
#include "server.h"
#include "transport/ioworker.h"

namespace Switchboard {

using namespace SocketIo;

namespace {

QByteArray compact(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}

QString randomId()
{
    return QString::fromLatin1(QUuid::createUuid().toRfc4122().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

void OutboundFrame::buildEngineIo() const
{
    m_sioOnce.run([this] {
        QJsonArray args{payload.isUndefined() ? QJsonValue() : payload};
        for (const QJsonValue &arg : moreArgs)
            args.append(arg);
        if (offset != 0)
            args.append(StreamOffset::text(offset)); // the client keeps it for recovery
        const char type = attachments.isEmpty() ? Event : BinaryEvent;
        m_sio = EngineIo::Message + encode(type, nsp, -1, eventArray(event, args), int(attachments.size()));
        m_sioFrame = WsStream::frame(WsStream::Text, m_sio);
    });
}

SioConnection::SioConnection(IoWorker &worker, Server &server, EioSession &session, const QString &address,
                             const QUrlQuery &query)
    : Connection(worker, server, nullptr), m_session(session), m_address(address), m_query(query)
{
    m_connectDeadlineMs = Server::monotonicMs() + server.config().socketioConnectTimeoutMs;
}

SioConnection::~SioConnection()
{
    releasePending();
    if (m_countedOpen)
        m_server.eventStream().socketClosed();
}

void SioConnection::releasePending()
{
    if (std::exchange(m_pendingSlot, false))
        m_server.releasePendingSession();
}

// --- sending -------------------------------------------------------------------------------

void SioConnection::sendPacket(const QByteArray &packet, const QList<QByteArray> &attachments)
{
    m_session.sendMessage(packet);
    for (const QByteArray &attachment : attachments)
        m_session.sendBinary(attachment);
    if (isActive())
        countOut(packet.size());
}

void SioConnection::sendShared(const OutboundFrame &frame)
{
    const QByteArray &message = frame.engineIoMessage();
    m_session.sendEncoded(message, frame.engineIoFrame());
    for (const QByteArray &attachment : frame.attachments)
        m_session.sendBinary(attachment);
    countOut(message.size());
}

void SioConnection::emitEvent(const QString &nsp, const QString &event, const QJsonArray &args,
                              const QList<QByteArray> &attachments)
{
    const char type = attachments.isEmpty() ? Event : BinaryEvent;
    sendPacket(encode(type, nsp, -1, eventArray(event, args), int(attachments.size())), attachments);
}

void SioConnection::sendAck(const QString &nsp, qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments)
{
    const char type = attachments.isEmpty() ? Ack : BinaryAck;
    sendPacket(encode(type, nsp, ackId, compact(args), int(attachments.size())), attachments);
}

bool SioConnection::deliver(const OutboundFrame &frame)
{
    if (m_closing || !isActive() || !m_namespaces.contains(frame.nsp))
        return false;
    if (frame.offset != 0 && !m_replayedUpTo.isEmpty()) {
        const auto replayed = m_replayedUpTo.constFind(frame.nsp);
        if (replayed != m_replayedUpTo.cend()) {
            // Kept, not dropped at the first newer one: in a cluster, events of different
            // nodes may reach this thread in another order than the stream's.
            if (frame.offset <= *replayed)
                return false; // already sent by the replay
        }
    }
    // The outbound byte budget is the session's (its WebSocket's or its polling outbox's): a
    // frame over it closes the session as a slow consumer.
    if (m_session.isClosed())
        return false;
    if (m_catchUpCall != 0 && frame.offset != 0 && !frame.ack && frame.nsp == m_catchUpNsp)
        return holdForCatchUp(frame);
    if (frame.ack) {
        // The client answers with the ack id; the answer settles the emit like a native ack.
        const qint64 ackId = m_nextAckId++;
        m_acks.insert(ackId, {frame.id, Server::monotonicMs() + m_server.config().socketioAckTimeoutMs, false});
        const char type = frame.attachments.isEmpty() ? Event : BinaryEvent;
        QJsonArray args{frame.payload};
        for (const QJsonValue &arg : frame.moreArgs)
            args.append(arg);
        sendPacket(encode(type, frame.nsp, ackId, eventArray(frame.event, args), int(frame.attachments.size())),
                   frame.attachments);
    } else {
        sendShared(frame);
    }
    m_info->pendingBytes.store(m_session.bufferedBytes(), std::memory_order_relaxed);
    return true;
}

// --- receiving -----------------------------------------------------------------------------

bool SioConnection::onMessage(const QByteArray &data, bool binary)
{
    if (m_admission) {
        // The cluster is counting this user (authenticate()): what comes meanwhile waits, in
        // order, within one Engine.IO payload's bytes and kMaxHeldMessages messages.
        if (m_heldMessages.size() >= kMaxHeldMessages || m_heldBytes + data.size() > m_server.config().socketioMaxPayload) {
            qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on more than" << kMaxHeldMessages
                         << "messages or" << m_server.config().socketioMaxPayload << "bytes before its CONNECT was answered";
            return false;
        }
        m_heldMessages.append({data, binary});
        m_heldBytes += data.size();
        return true;
    }
    if (isActive()) {
        countIn(data.size());
    } else if (!m_awaitingAuthNsp.isEmpty() && data.size() > Protocol::kPreAuthMaxMessageBytes) {
        qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on a message over"
                     << Protocol::kPreAuthMaxMessageBytes << "bytes before authentication";
        return false;
    }
    if (binary) {
        if (!m_hasPartial)
            return false; // an attachment nobody announced
        // Attachments of one packet together stay within one Engine.IO payload.
        m_partialBytes += data.size();
        if (m_partialBytes > m_server.config().socketioMaxPayload) {
            qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on attachments over"
                         << m_server.config().socketioMaxPayload << "bytes";
            return false;
        }
        m_partialAttachments.append(data);
        if (m_partialAttachments.size() < m_partial.attachments)
            return true;
        m_hasPartial = false;
        m_partialBytes = 0;
        return handlePacket(m_partial, std::exchange(m_partialAttachments, {}));
    }
    if (m_hasPartial)
        return false; // text while attachments are due
    Packet packet;
    QString error;
    if (!decode(data, &packet, &error)) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on a malformed packet:" << error;
        return false;
    }
    if (packet.attachments > 0) {
        // Nothing is kept for a session that has not connected: binary before CONNECT closes it.
        if (!isActive()) {
            qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on a binary packet before CONNECT";
            return false;
        }
        // As many placeholders as announced attachments, numbered 0..n-1, at most
        // --socketio-max-attachments.
        if (packet.attachments > m_server.config().socketioMaxAttachments) {
            qCInfo(lcWs) << "closing Socket.IO session" << m_session.sid() << "on a packet with" << packet.attachments
                         << "attachments (--socketio-max-attachments" << m_server.config().socketioMaxAttachments << ")";
            return false;
        }
        if (countPlaceholders(QJsonDocument::fromJson(packet.data).array()) != packet.attachments)
            return false;
        m_partial = packet;
        m_hasPartial = true;
        return true;
    }
    return handlePacket(packet, {});
}

bool SioConnection::handlePacket(const Packet &packet, const QList<QByteArray> &attachments)
{
    switch (packet.type) {
    case Connect:
        handleConnect(packet);
        return true;
    case Disconnect:
        if (m_namespaces.remove(packet.nsp) && packet.nsp == QLatin1String("/"))
            m_recoverable = false; // socket.disconnect(): the client does not want its state back
        // A join asked from there and still with the subscribe proxy is not made when it is
        // allowed later, even if the namespace is connected again meanwhile.
        if (isActive())
            cancelPendingJoinsFrom(packet.nsp);
        if (packet.nsp == m_awaitingAuthNsp)
            m_awaitingAuthNsp.clear(); // left before authenticating: the connect timeout applies
        return true;
    case Event:
    case BinaryEvent:
        if (!m_namespaces.contains(packet.nsp))
            return true; // not connected there: ignored, as Socket.IO does
        handleEvent(packet.nsp, QJsonDocument::fromJson(packet.data).array(), attachments, packet.ackId);
        return true;
    case Ack:
    case BinaryAck:
        handleAck(packet.ackId, QJsonDocument::fromJson(packet.data).array());
        return true;
    default:
        return false;
    }
}

void SioConnection::connectError(const QString &nsp, const QString &message, int code)
{
    QJsonObject error{{QStringLiteral("message"), m_server.config().connectErrorMessages.value(code, message)}};
    if (code != 0)
        error.insert(QStringLiteral("data"), QJsonObject{{QStringLiteral("code"), code}});
    m_session.sendMessage(encode(ConnectError, nsp, -1, compact(error)));
}

void SioConnection::refuse(const Admission &admission, int code, const QString &reason, bool authFailure)
{
    if (authFailure) {
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAuth).noquote() << "refused Socket.IO" << m_address << "with" << code << reason;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                                   QStringLiteral("%1 %2 from %3 (socket.io)").arg(code).arg(reason, m_address));
    }
    if (!admission.inBand) {
        connectError(admission.nsp, reason, code);
        return;
    }
    answerAuthenticate(admission.nsp, admission.ackId, code == Protocol::TryAgainLater ? QStringLiteral("try_again_later")
                                                                                       : QStringLiteral("refused"), reason);
    closeUnauthenticated(reason);
}

bool SioConnection::authenticate(const QJsonObject &auth, const QString &nsp)
{
    const ServerConfig &config = m_server.config();
    const QJsonValue tokenValue = auth.value(QLatin1String("token"));
    Admission admission;
    admission.nsp = nsp;
    admission.auth = auth;
    const QByteArray token = tokenValue.toString().toUtf8();
    const Jwt::Result jwt = token.isEmpty() ? Jwt::Result() : m_server.verifyToken(token);
    if (m_server.connectHandler()) {
        askConnectProxy(std::move(admission), token, jwt);
        return false;
    }
    if (!token.isEmpty() && jwt.ok()) {
        admission.userId = jwt.userId;
        admission.claims = jwt.claims;
        admission.role = admission.claims.value(QLatin1String("role")).toString();
    } else if (config.socketioAllowAnonymous) {
        admission.userId = QStringLiteral("anonymous"); // the test fixture does not check credentials
    } else if (token.isEmpty()) {
        refuse(admission, Protocol::MissingCredentials, QStringLiteral("missing credentials"), true);
        return false;
    } else {
        refuse(admission, Protocol::InvalidToken, jwt.message, true);
        return false;
    }
    return admit(std::move(admission));
}

bool SioConnection::admit(Admission admission)
{
    admission.id = m_server.nextConnectionId();
    // The verdict comes back to this thread; if this socket is gone by then, an admitted
    // connection that never opened is handed back.
    QPointer<SioConnection> self(this);
    Server *server = &m_server;
    const std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    auto later = [self, server, mailbox, id = admission.id, userId = admission.userId](bool admitted) {
        const bool posted = mailbox->post([self, server, id, userId, admitted] {
            if (self)
                self->admissionDecided(id, userId, admitted);
            else if (admitted)
                server->userConnectionClosed(userId, id);
        });
        if (!posted && admitted)
            server->userConnectionClosed(userId, id);
    };
    switch (m_server.admitUser(admission.userId, admission.id, std::move(later))) {
    case Broker::Admission::Admitted:
        return open(admission);
    case Broker::Admission::Refused:
        refuse(admission, Protocol::TryAgainLater, QStringLiteral("too many connections for this user"), true);
        return false;
    case Broker::Admission::Pending:
        // No answer until the cluster has counted it; what the client sends meanwhile waits
        // (onMessage).
        m_admission = std::move(admission);
        return false;
    }
    return false;
}

void SioConnection::admissionDecided(quint64 id, const QString &userId, bool admitted)
{
    if (!m_admission || m_admission->id != id || m_session.isClosed()) {
        if (admitted)
            m_server.userConnectionClosed(userId, id);
        return;
    }
    const Admission admission = *std::exchange(m_admission, std::nullopt);
    if (!admitted)
        refuse(admission, Protocol::TryAgainLater, QStringLiteral("too many connections for this user"), true);
    else if (open(admission) && !admission.inBand)
        connectNamespace(admission.nsp, admission.auth);
    drainHeld();
}

void SioConnection::drainHeld()
{
    // What the client sent while it waited, in order (another CONNECT may wait again).
    while (!m_admission && !m_heldMessages.isEmpty() && !m_session.isClosed()) {
        const auto [data, binary] = m_heldMessages.takeFirst();
        m_heldBytes -= data.size();
        if (!onMessage(data, binary)) {
            m_session.close(QStringLiteral("parse error"));
            return;
        }
    }
}

void SioConnection::awaitAuthentication(const QString &nsp)
{
    // The namespace is connected, the socket is not: it holds its --max-pending-sessions slot,
    // joins no room and gets no event until "authenticate" succeeds within --auth-grace-ms.
    m_awaitingAuthNsp = nsp;
    // One grace period per session: a DISCONNECT and a new CONNECT of the namespace do not
    // start it again (else cycling them would hold the pending-session slot for ever).
    if (m_authDeadlineMs == 0)
        m_authDeadlineMs = Server::monotonicMs() + m_server.config().authGraceMs;
    m_connectDeadlineMs = m_authDeadlineMs;
    const QString sid = randomId();
    m_namespaces.insert(nsp, sid);
    m_session.sendMessage(encode(Connect, nsp, -1, compact(QJsonObject{{QStringLiteral("sid"), sid}})));
    qCDebug(lcAuth) << "Socket.IO session" << m_session.sid() << "waits for authenticate";
}

void SioConnection::answerAuthenticate(const QString &nsp, qint64 ackId, const QString &code, const QString &message)
{
    // The ack has the shape of every other ack ({ok, ...} or {ok: false, error}); the event
    // carries what a hand-written service would emit.
    if (code.isEmpty()) {
        const QJsonObject who{{QStringLiteral("userId"), userId()}, {QStringLiteral("socketId"), m_namespaces.value(nsp)}};
        if (ackId >= 0) {
            QJsonObject ack = who;
            ack.insert(QStringLiteral("ok"), true);
            sendAck(nsp, ackId, {ack});
        }
        emitEvent(nsp, QStringLiteral("authenticated"), {who});
        return;
    }
    const QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (ackId >= 0)
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), error}}});
    emitEvent(nsp, QStringLiteral("auth_error"), {error});
}

void SioConnection::closeUnauthenticated(const QString &reason)
{
    for (auto it = m_namespaces.cbegin(); it != m_namespaces.cend(); ++it)
        m_session.sendMessage(encode(Disconnect, it.key(), -1, {}));
    m_namespaces.clear();
    m_session.close(reason);
}

void SioConnection::handleAuthenticateEvent(const QString &nsp, const QJsonArray &args, qint64 ackId)
{
    // emit("authenticate", "<jwt>") or emit("authenticate", {token: "<jwt>"}).
    const QJsonValue arg = args.at(0);
    const QByteArray token = (arg.isString() ? arg.toString() : arg.toObject().value(QLatin1String("token")).toString()).toUtf8();
    const Jwt::Result jwt = token.isEmpty() ? Jwt::Result() : m_server.verifyToken(token);
    QString code;
    QString why;
    if (token.isEmpty()) {
        code = QStringLiteral("missing_token");
        why = QStringLiteral("a token is required: emit(\"authenticate\", {token})");
    } else if (!jwt.ok()) {
        code = QStringLiteral("invalid_token");
        why = jwt.message;
    } else if (isActive() && jwt.userId != userId()) {
        code = QStringLiteral("user_mismatch");
        why = QStringLiteral("the token is for another user");
    }
    if (!code.isEmpty()) {
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAuth).noquote() << "authenticate from" << m_address << "(socket.io) failed:" << why;
        answerAuthenticate(nsp, ackId, code, why);
        if (!isActive() && ++m_authFailures >= Protocol::kPreAuthMaxFailures)
            closeUnauthenticated(QStringLiteral("too many failed authentications"));
        return;
    }
    if (isActive()) {
        // Authenticated already (a token at CONNECT, or before): like a refresh.
        setTokenExpiry(jwt.claims);
        answerAuthenticate(nsp, ackId, {}, {});
        return;
    }
    Admission admission;
    admission.nsp = nsp;
    admission.userId = jwt.userId;
    admission.claims = jwt.claims;
    admission.role = jwt.claims.value(QLatin1String("role")).toString();
    admission.inBand = true;
    admission.ackId = ackId;
    if (m_server.connectHandler()) {
        // The token it carries goes to the back end like a CONNECT's.
        askConnectProxy(std::move(admission), token, jwt);
        return;
    }
    admit(std::move(admission));
}

void SioConnection::askConnectProxy(Admission admission, const QByteArray &token, const Jwt::Result &jwt)
{
    ConnectRequest request;
    request.protocol = QStringLiteral("socket.io");
    request.nsp = admission.nsp;
    request.address = m_address;
    request.token = QString::fromUtf8(token);
    request.inBand = admission.inBand;
    request.query = m_query;
    request.headers = m_headers;
    request.auth = admission.auth;
    request.auth.remove(QStringLiteral("token")); // sent as "token"
    if (!token.isEmpty()) {
        request.tokenVerified = jwt.ok();
        request.userId = jwt.userId;
        request.claims = jwt.claims;
        request.tokenError = jwt.ok() ? QString() : jwt.message;
    }
    // Like the cluster's count (admit()): what the client sends meanwhile is held, bounded.
    const quint64 call = m_nextProxyCall++;
    admission.proxyCall = call;
    m_admission = std::move(admission);
    m_proxyWaitSinceMs = Server::monotonicMs();
    // The answer comes on the hooks thread; this socket may be gone by then.
    QPointer<SioConnection> self(this);
    const std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    m_server.connectHandler()->handle(std::move(request), [self, mailbox, call](const ConnectDecision &decision) {
        mailbox->post([self, call, decision] {
            if (self)
                self->connectDecided(call, decision);
        });
    });
}

void SioConnection::connectDecided(quint64 call, const ConnectDecision &decision)
{
    if (!m_admission || m_admission->proxyCall != call || m_session.isClosed())
        return;
    Admission admission = *std::exchange(m_admission, std::nullopt);
    admission.proxyCall = 0;
    // The back end's time is not the client's: the --auth-grace-ms and connect deadlines
    // move on by the wait, so that an answer coming near them still leaves the client its
    // time (the wait itself is bounded by the proxy's timeout and retries).
    const qint64 waited = Server::monotonicMs() - std::exchange(m_proxyWaitSinceMs, 0);
    if (m_authDeadlineMs != 0)
        m_authDeadlineMs += waited;
    m_connectDeadlineMs += waited;
    if (!decision.admitted) {
        const int code = decision.unavailable ? Protocol::TryAgainLater : Protocol::ConnectRefused;
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAuth).noquote() << "connect proxy refused Socket.IO" << m_address << ":" << decision.code << decision.message;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                                   QStringLiteral("%1 %2: %3 from %4 (socket.io)").arg(code).arg(decision.code, decision.message, m_address));
        if (admission.inBand) {
            answerAuthenticate(admission.nsp, admission.ackId, decision.code, decision.message);
            closeUnauthenticated(decision.message);
            return;
        }
        // connect_error: the message (or --connect-error-messages' for the code) and, in
        // "data", the close code a native client would get and the back end's own code.
        const QJsonObject error{{QStringLiteral("message"), m_server.config().connectErrorMessages.value(code, decision.message)},
                                {QStringLiteral("data"), QJsonObject{{QStringLiteral("code"), code},
                                                                     {QStringLiteral("error"), decision.code}}}};
        m_proxyRefusal = compact(error);
        m_session.sendMessage(encode(ConnectError, admission.nsp, -1, m_proxyRefusal));
    } else {
        admission.userId = decision.userId;
        admission.claims = decision.claims;
        admission.role = decision.claims.value(QLatin1String("role")).toString();
        admission.extraRooms = decision.rooms;
        const bool inBand = admission.inBand;
        const QString nsp = admission.nsp;
        const QJsonObject auth = admission.auth;
        if (admit(std::move(admission)) && !inBand)
            connectNamespace(nsp, auth);
    }
    drainHeld();
}

bool SioConnection::takeShared(const Admission &admission)
{
    EventStream &recovery = m_server.eventStream();
    const QString pid = admission.auth.value(QLatin1String("pid")).toString();
    if (m_recoveryRead || admission.inBand || pid.isEmpty() || !recovery.isShared() || !recovery.enabled())
        return false;
    // The session (and what it missed) may be on any node's side of Redis: read first, then
    // open. What the client sends meanwhile waits, as while the cluster counts it.
    const quint64 call = ++m_recoveryCall;
    m_admission = admission;
    QPointer<SioConnection> self(this);
    Server *server = &m_server;
    const std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    const quint64 after = StreamOffset::parse(admission.auth.value(QLatin1String("offset")).toString());
    recovery.take(pid, admission.userId, after, admission.id,
                  [self, server, mailbox, call, id = admission.id, userId = admission.userId](std::optional<SioRecovery::Saved> saved) {
                      const bool posted = mailbox->post([self, server, call, id, userId, saved = std::move(saved)]() mutable {
                          if (self)
                              self->recoveryTaken(call, std::move(saved));
                          else
                              server->userConnectionClosed(userId, id);
                      });
                      if (!posted)
                          server->userConnectionClosed(userId, id);
                  });
    return true;
}

void SioConnection::recoveryTaken(quint64 call, std::optional<SioRecovery::Saved> saved)
{
    if (!m_admission || call != m_recoveryCall || m_session.isClosed()) {
        if (m_admission && call == m_recoveryCall)
            m_server.userConnectionClosed(m_admission->userId, m_admission->id);
        m_admission.reset();
        return;
    }
    m_recoveryRead = true;
    m_saved = std::move(saved);
    const Admission admission = *std::exchange(m_admission, std::nullopt);
    if (open(admission) && !admission.inBand)
        connectNamespace(admission.nsp, admission.auth);
    drainHeld();
}

void SioConnection::trackSession(qint64 nowMs)
{
    // A shared store keeps the state of a live socket for a client whose node dies: written
    // again when its rooms change, and every third of the window before it expires.
    EventStream &recovery = m_server.eventStream();
    if (!recovery.isShared() || !recovery.enabled() || m_pid.isEmpty() || !m_recoverable || m_namespaces.isEmpty())
        return;
    if (nowMs < m_trackDueMs && m_rooms == m_trackedRooms)
        return;
    m_trackedRooms = m_rooms;
    m_trackDueMs = nowMs + qMax(1000, m_server.config().socketioRecoverySeconds * 1000 / 3);
    SioRecovery::Saved session;
    session.userId = userId();
    session.rooms = m_rooms;
    session.namespaces = m_namespaces;
    session.connectionId = id();
    session.connectedOffset = m_connectedOffset;
    recovery.track(m_pid, session);
}

bool SioConnection::open(const Admission &admission)
{
    if (takeShared(admission))
        return false; // recoveryTaken() goes on
    Metrics &metrics = m_server.metrics();
    const QString &userId = admission.userId;
    QString roomsError;
    QStringList rooms = admission.claims.isEmpty() && userId == QLatin1String("anonymous")
        ? QStringList() : m_server.roomPolicy().roomsForConnect(userId, admission.claims, m_query, &roomsError,
                                                                m_server.subscribeRuleCovers());
    // The connect proxy's rooms: the back end's word, checked only as names (ConnectProxy).
    for (const QString &room : admission.extraRooms) {
        if (!rooms.contains(room))
            rooms << room;
    }
    if (!roomsError.isEmpty()) {
        m_server.userConnectionClosed(userId, admission.id);
        refuse(admission, Protocol::PolicyViolation, roomsError, false);
        return false;
    }
    const int maxConnections = m_server.limits().maxConnections();
    if (!takeSlot(metrics.connectionsCurrent, maxConnections)) {
        m_server.userConnectionClosed(userId, admission.id);
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("refused"), QString(), QString(), 0,
                                   QStringLiteral("server full (%1 connections)").arg(maxConnections));
        refuse(admission, Protocol::TryAgainLater, QStringLiteral("server full, try again later"), false);
        return false;
    }
    const QJsonObject &auth = admission.auth;
    auto info = std::make_shared<ConnectionInfo>();
    info->id = admission.id;
    info->userId = userId;
    info->role = admission.role;
    info->address = m_address;
    info->protocol = QStringLiteral("socket.io");
    info->transport.store(m_session.transport() == EioSession::Transport::Polling ? 1 : 0);
    info->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    info->worker = m_worker.index();
    metrics.connectionsTotal.fetch_add(1, std::memory_order_relaxed);
    releasePending();
    EventStream &recovery = m_server.eventStream();
    // No recovery for a socket that authenticated in-band: its CONNECT answer had no pid.
    if (recovery.enabled() && !admission.inBand) {
        // Counted before the offset is read: from here on emits are recorded for it.
        recovery.socketOpened();
        m_countedOpen = true;
        m_connectedOffset = recovery.currentOffset();
        // A client back within the window gets its rooms back (the events come per
        // namespace). The saved state is taken: a second socket with the same pid gets none.
        const QString pid = auth.value(QLatin1String("pid")).toString();
        if (!pid.isEmpty()) {
            // A shared store's session was read before (takeShared()).
            if (!recovery.isShared())
                m_saved = m_server.sioRecovery().take(pid, userId);
            if (m_saved) {
                QSet<QString> have(rooms.cbegin(), rooms.cend());
                for (const QString &room : std::as_const(m_saved->rooms)) {
                    if (!have.contains(room)) {
                        have.insert(room);
                        rooms << room;
                    }
                }
                m_pid = pid;
            }
        }
        if (m_pid.isEmpty())
            m_pid = randomId();
    }
    activate(std::move(info), rooms);
    setTokenExpiry(admission.claims);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("connect"), QString(), userId, id(),
                               m_address + QStringLiteral(" (socket.io)"));
    if (admission.inBand) {
        // The namespace was connected already (awaitAuthentication()).
        m_awaitingAuthNsp.clear();
        answerAuthenticate(admission.nsp, admission.ackId, {}, {});
        sendConnectedEvent(admission.nsp);
        if (admission.nsp == QLatin1String("/"))
            requestOffline();
    }
    return true;
}

void SioConnection::sendConnectedEvent(const QString &nsp)
{
    const QString &event = m_server.config().socketioConnectedEvent;
    if (event.isEmpty())
        return;
    emitEvent(nsp, event, {QJsonObject{{QStringLiteral("socketId"), m_namespaces.value(nsp)},
                                       {QStringLiteral("userId"), userId()},
                                       {QStringLiteral("connectionId"), QString::number(id())}}});
}

void SioConnection::handleConnect(const Packet &packet)
{
    const QString &nsp = packet.nsp;
    if (nsp != QLatin1String("/") && !m_server.config().socketioNamespaces.contains(nsp)) {
        connectError(nsp, QStringLiteral("Invalid namespace"));
        return;
    }
    const QJsonObject auth = packet.data.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(packet.data).object();
    if (!isActive() && (!m_awaitingAuthNsp.isEmpty() || m_admission)) {
        // One namespace at a time until the socket has authenticated.
        connectError(nsp, QStringLiteral("authenticate first"), Protocol::MissingCredentials);
        return;
    }
    if (!isActive() && !m_proxyRefusal.isEmpty()) {
        // The back end refused this session once: every later CONNECT gets the same answer
        // without asking it again (one call per session; docs/hooks.md).
        m_session.sendMessage(encode(ConnectError, nsp, -1, m_proxyRefusal));
        return;
    }
    if (!isActive() && m_server.config().authGraceMs > 0 && auth.value(QLatin1String("token")).toString().isEmpty()
        && !m_server.config().socketioAllowAnonymous) {
        awaitAuthentication(nsp);
        return;
    }
    if (!isActive()) {
        if (!authenticate(auth, nsp))
            return; // refused, or the cluster is counting it (admissionDecided() goes on)
    } else if (auth.contains(QLatin1String("token"))) {
        // Another namespace on the same session: the same user, or nothing.
        const Jwt::Result jwt = m_server.verifyToken(auth.value(QLatin1String("token")).toString().toUtf8());
        if (!jwt.ok()) {
            connectError(nsp, jwt.message, Protocol::InvalidToken);
            return;
        }
        if (jwt.userId != userId()) {
            connectError(nsp, QStringLiteral("userId does not match the token"), Protocol::UserMismatch);
            return;
        }
    }
    connectNamespace(nsp, auth);
}

void SioConnection::connectNamespace(const QString &nsp, const QJsonObject &auth)
{
    QString sid = m_namespaces.value(nsp);
    // The same pid back (taken in authenticate()), for a namespace it had: socket.recovered
    // is true on the client, and what it missed follows, unless some of that is gone.
    bool recovered = false;
    const quint64 offset = StreamOffset::parse(auth.value(QLatin1String("offset")).toString());
    std::optional<std::vector<std::shared_ptr<const OutboundFrame>>> missed;
    if (m_saved && sid.isEmpty() && auth.value(QLatin1String("pid")).toString() == m_pid) {
        const auto saved = m_saved->namespaces.constFind(nsp);
        if (saved != m_saved->namespaces.cend()) {
            const quint64 after = qMax(offset, m_saved->connectedOffset);
            if (!m_saved->prefetched)
                missed = m_server.sioRecovery().missed(*m_saved, m_rooms, nsp, offset);
            else if (after >= m_saved->prefetchedAfter) // read from Redis with the session
                missed = EventStream::select(*m_saved->prefetched, m_saved->userId, m_saved->connectionId, m_rooms, nsp, after);
            if (missed) {
                sid = *saved;
                recovered = true;
            }
            m_saved->namespaces.erase(saved); // once per namespace
        }
    }
    if (sid.isEmpty())
        sid = randomId();
    m_namespaces.insert(nsp, sid);
    QJsonObject reply{{QStringLiteral("sid"), sid}};
    if (!m_pid.isEmpty())
        reply.insert(QStringLiteral("pid"), m_pid);
    m_session.sendMessage(encode(Connect, nsp, -1, compact(reply)));
    if (recovered) {
        if (!replay(nsp, *missed))
            return;
        qCDebug(lcWs) << "Socket.IO connection" << id() << "recovered" << nsp;
        if (m_saved->prefetched)
            catchUp(nsp);
    }
    trackSession(Server::monotonicMs());
    if (SioHooks *hooks = m_server.sioHooks())
        hooks->connected(*this, nsp, auth);
    sendConnectedEvent(nsp);
    if (nsp == QLatin1String("/"))
        requestOffline();
}

bool SioConnection::replay(const QString &nsp, const std::vector<std::shared_ptr<const OutboundFrame>> &frames)
{
    // Replays go through the session's outbound byte budget like live frames: a socket that
    // does not read is closed as a slow consumer instead of buffering the whole log.
    quint64 high = 0;
    for (const auto &frame : frames) {
        sendShared(*frame);
        if (m_session.isClosed())
            return false;
        high = qMax(high, frame->offset);
    }
    // Live deliveries of anything replayed here may still be on their way: skipped by offset.
    if (high != 0)
        m_replayedUpTo.insert(nsp, high);
    return true;
}

void SioConnection::deliverOffline(const QList<OfflineStore::Pending> &events)
{
    // Events persisted while this user had no connection: each asks for an ack and is
    // deleted from the store only when the client's callback answers.
    for (const OfflineStore::Pending &p : events) {
        const QJsonObject stored = QJsonDocument::fromJson(p.frame.toUtf8()).object();
        const QString eventId = stored.value(QLatin1String("id")).toString();
        m_offline.insert(eventId, p.rowId);
        const qint64 ackId = m_nextAckId++;
        m_acks.insert(ackId, {eventId, Server::monotonicMs() + m_server.config().socketioAckTimeoutMs, true});
        sendPacket(encode(Event, QStringLiteral("/"), ackId,
                          eventArray(stored.value(QLatin1String("type")).toString(), {stored.value(QLatin1String("data"))})));
    }
}

void SioConnection::fail(const QString &nsp, qint64 ackId, const QString &code, const QString &message)
{
    m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
    if (ackId >= 0) {
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), false},
                                         {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code},
                                                                               {QStringLiteral("message"), message}}}}});
    } else {
        emitEvent(nsp, QStringLiteral("switchboard:error"),
                  {QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}});
    }
}

void SioConnection::handleEvent(const QString &nsp, const QJsonArray &array, const QList<QByteArray> &attachments, qint64 ackId)
{
    const QString event = array.at(0).toString();
    QJsonArray args = array;
    args.removeFirst();
    if (SioHooks *hooks = m_server.sioHooks()) {
        if (hooks->event(*this, nsp, event, args, attachments, ackId))
            return;
    }
    if (!isActive()) {
        if (m_awaitingAuthNsp.isEmpty() || m_admission)
            return;
        if (event == QLatin1String("authenticate")) {
            handleAuthenticateEvent(nsp, args, ackId);
        } else if (++m_preAuthMessages > Protocol::kPreAuthMaxMessages) {
            closeUnauthenticated(QStringLiteral("too many messages before authentication"));
        } else {
            fail(nsp, ackId, QStringLiteral("unauthenticated"),
                 QStringLiteral("authenticate first: emit(\"authenticate\", {token})"));
        }
        return;
    }
    if (rateLimited(Server::monotonicMs(), [&](const QString &code, const QString &message) { fail(nsp, ackId, code, message); }))
        return;
    if (event == QLatin1String("authenticate")) {
        handleAuthenticateEvent(nsp, args, ackId);
        return;
    }
    if (handleRoomEvent(event, args, nsp, ackId) || handlePresenceEvent(event, args, nsp, ackId))
        return;
    if (isHooked(event))
        return forwardHooked(nsp, event, args, attachments, ackId);
    relay(event, args, attachments, nsp, ackId);
}

void SioConnection::forwardHooked(const QString &nsp, const QString &event, const QJsonArray &args,
                                  const QList<QByteArray> &attachments, qint64 ackId)
{
    if (!attachments.isEmpty()) {
        fail(nsp, ackId, QStringLiteral("invalid_message"), QStringLiteral("%1: binary attachments are not sent to back ends").arg(event));
        return;
    }
    ClientEvent hooked;
    hooked.event = event;
    hooked.data = args.isEmpty() ? QJsonValue() : args.at(0);
    if (args.size() > 1)
        hooked.args = args;
    hooked.protocol = QStringLiteral("socket.io");
    hooked.nsp = nsp;
    forwardEvent(std::move(hooked), [nsp, ackId](Connection &c, const ClientEventAnswer &answer) {
        auto *self = qobject_cast<SioConnection *>(&c);
        if (!self || self->m_closing || !self->m_namespaces.contains(nsp))
            return;
        if (!answer.ok)
            self->fail(nsp, ackId, answer.code, answer.message);
        else if (ackId >= 0)
            self->sendAck(nsp, ackId, {answer.reply});
    });
}

bool SioConnection::handleRoomEvent(const QString &event, const QJsonArray &args, const QString &nsp, qint64 ackId)
{
    const auto &rules = m_server.config().roomEvents;
    const auto rule = rules.constFind(event);
    if (rule == rules.cend())
        return false;
    const QJsonValue arg = args.at(0);
    QString value;
    if (arg.isString())
        value = arg.toString();
    else if (arg.isDouble())
        value = QString::number(arg.toDouble(), 'g', 17);
    else if (arg.isObject()) {
        const QJsonObject o = arg.toObject();
        for (const char *key : {"room", "channel", "id"}) {
            const QJsonValue v = o.value(QLatin1String(key));
            if (v.isString() || v.isDouble()) {
                value = v.isString() ? v.toString() : QString::number(v.toDouble(), 'g', 17);
                break;
            }
        }
    }
    if (value.isEmpty()) {
        fail(nsp, ackId, QStringLiteral("invalid_message"), QStringLiteral("%1 needs a room (a string, or an object with \"room\")").arg(event));
        return true;
    }
    const QString room = QString(rule->tmpl).replace(QStringLiteral("{}"), value);
    if (rule->join) {
        const Refusal refused = checkJoin(room);
        if (!refused.isEmpty()) {
            fail(nsp, ackId, refused.code, refused.message);
            return true;
        }
        if (joinNeedsDecision(room)) {
            // The subscribe proxy decides (docs/hooks.md); the ack waits for it.
            authorizeJoin(room, nsp, [this, room, nsp, ackId](const Refusal &decided) { answerJoin(nsp, ackId, room, decided); });
            return true;
        }
        join(room);
    } else {
        if (room == QStringLiteral("user:") + userId()) {
            fail(nsp, ackId, QStringLiteral("forbidden"), QStringLiteral("a connection cannot leave its own user room"));
            return true;
        }
        leave(room);
    }
    if (ackId >= 0)
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("room"), room}}});
    return true;
}

void SioConnection::answerJoin(const QString &nsp, qint64 ackId, const QString &room, const Refusal &refused)
{
    if (m_closing || !m_namespaces.contains(nsp))
        return;
    if (!refused.isEmpty())
        fail(nsp, ackId, refused.code, refused.message);
    else if (ackId >= 0)
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("room"), room}}});
}

bool SioConnection::handlePresenceEvent(const QString &event, const QJsonArray &args, const QString &nsp, qint64 ackId)
{
    const bool subscribe = event == QLatin1String("presence_subscribe");
    if (!subscribe && event != QLatin1String("presence_unsubscribe"))
        return false;
    // The room as the first argument, or {"room": ...}.
    const QJsonValue arg = args.at(0);
    const QString room = arg.isObject() ? arg.toObject().value(QLatin1String("room")).toString() : arg.toString();
    const Refusal refused = watchPresence(nsp, room, subscribe);
    if (!refused.isEmpty())
        fail(nsp, ackId, refused.code, refused.message);
    else if (ackId >= 0)
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("room"), room}}});
    return true;
}

void SioConnection::sendPresence(const QString &nsp, const QString &event, const QJsonObject &data)
{
    if (m_namespaces.contains(nsp))
        emitEvent(nsp, event, {data});
}

void SioConnection::relay(const QString &event, const QJsonArray &args, const QList<QByteArray> &attachments,
                          const QString &nsp, qint64 ackId)
{
    const QJsonObject data = args.at(0).toObject();
    // --relay-room-key (e.g. roomId) names the room; "room" is always understood too.
    const QString &roomKey = m_server.config().relayRoomKey;
    QString room = data.value(roomKey).toString();
    if (room.isEmpty())
        room = data.value(QLatin1String("room")).toString();
    if (room.isEmpty()) {
        fail(nsp, ackId, QStringLiteral("unknown_event"),
             QStringLiteral("\"%1\" is not a room event; to relay it, pass an object with \"%2\" first").arg(event, roomKey));
        return;
    }
    if (!m_rooms.contains(room)) {
        fail(nsp, ackId, QStringLiteral("not_in_room"), QStringLiteral("join %1 before emitting to it").arg(room));
        return;
    }
    EmitRequest request;
    request.target = EmitRequest::Target::Room;
    request.room = room;
    request.event = event;
    request.nsp = nsp;
    request.attachments = attachments;
    request.sioPayload = data;
    // Native clients get attachments inline as base64.
    request.payload = attachments.isEmpty() ? QJsonValue(data) : inlineAttachments(data, attachments);
    request.exceptConnectionId = id(); // like socket.to(room).emit(): not back to the sender
    request.source = QStringLiteral("client");
    request.fromUserId = userId();
    const EmitResult result = m_server.emitEvent(request);
    if (!result.error.isEmpty()) {
        fail(nsp, ackId, result.code.isEmpty() ? QStringLiteral("unavailable") : result.code, result.error);
        return;
    }
    if (ackId >= 0) {
        sendAck(nsp, ackId, {QJsonObject{{QStringLiteral("ok"), true},
                                         {QStringLiteral("id"), result.id},
                                         {QStringLiteral("delivered"), result.delivered}}});
    }
}

void SioConnection::handleAck(qint64 ackId, const QJsonArray &args)
{
    const auto it = m_acks.constFind(ackId);
    if (it == m_acks.cend() || !isActive())
        return; // late (already timed out) or never asked
    const PendingAck pending = *it;
    m_acks.erase(it);
    if (pending.offline) {
        settleOffline(pending.emitId);
        return;
    }
    // A callback answering {error: "..."} (or {ok: false}) is a nack, anything else an ack.
    const QJsonObject reply = args.at(0).toObject();
    const bool ok = !reply.contains(QLatin1String("error")) && reply.value(QLatin1String("ok")).toBool(true);
    const QJsonValue error = reply.value(QLatin1String("error"));
    m_server.reportAck(pending.emitId, id(), userId(), ok,
                       error.isString() ? error.toString() : error.isObject() ? QString::fromUtf8(compact(error)) : QString(), args);
}

// --- lifetime ------------------------------------------------------------------------------

void SioConnection::tick(qint64 nowMs)
{
    if (!isActive()) {
        if (nowMs < m_connectDeadlineMs || m_session.isClosed() || m_proxyWaitSinceMs != 0) {
            return; // in time, gone, or the connect proxy is deciding (its own timeout bounds it)
        } else if (!m_awaitingAuthNsp.isEmpty()) {
            m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
            qCInfo(lcAuth) << "Socket.IO session" << m_session.sid() << "from" << m_address << "did not authenticate in time";
            answerAuthenticate(m_awaitingAuthNsp, -1, QStringLiteral("auth_timeout"), QStringLiteral("authentication timeout"));
            closeUnauthenticated(QStringLiteral("authentication timeout"));
        } else {
            qCDebug(lcWs) << "Socket.IO session" << m_session.sid() << "sent no CONNECT in time";
            m_session.close(QStringLiteral("connect timeout"));
        }
        return;
    }
    for (auto it = m_acks.begin(); it != m_acks.end();) {
        if (it->deadlineMs > nowMs) {
            ++it;
            continue;
        }
        if (!it->offline)
            m_server.reportAck(it->emitId, id(), userId(), false, QStringLiteral("ack timeout"));
        it = m_acks.erase(it); // a persisted event stays stored until acked, on a later connection
    }
    trackSession(nowMs);
}

void SioConnection::heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs)
{
    // Engine.IO's own ping/pong (EioSession::tick) keeps Socket.IO sessions alive.
    Q_UNUSED(intervalMs);
    Q_UNUSED(timeoutMs);
    m_info->pendingBytes.store(m_session.bufferedBytes(), std::memory_order_relaxed);
    checkTokenExpiry(nowMs); // a server-side DISCONNECT on every namespace when it passed
}

void SioConnection::applyLimits(const LiveLimits &limits)
{
    Connection::applyLimits(limits);
    // Messages are bounded by --socketio-max-payload, which a reload does not change.
    m_session.setMaxBufferedBytes(limits.maxPendingBytes());
}

void SioConnection::tokenExpiring(int seconds)
{
    for (auto it = m_namespaces.cbegin(); it != m_namespaces.cend(); ++it)
        emitEvent(it.key(), QStringLiteral("switchboard:token_expiring"), {QJsonObject{{QStringLiteral("in"), seconds}}});
}

void SioConnection::onTransportChanged()
{
    if (isActive())
        m_info->transport.store(m_session.transport() == EioSession::Transport::Polling ? 1 : 0);
}

void SioConnection::close(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_closeCode = code;
    if (code == Protocol::GoingAway) {
        // The server is going away (SIGTERM, console Stop): only the transport ends, as with
        // Socket.IO's io.close(). Clients see "transport close" and reconnect by themselves;
        // a DISCONNECT would read "io server disconnect", which socket.io-client treats as
        // final. The state is saved, for a server that is started again in this process.
        m_session.close(reason);
        return;
    }
    // Anything else (an admin disconnect, a slow consumer, abuse) is socket.disconnect(true).
    m_recoverable = false;
    for (auto it = m_namespaces.cbegin(); it != m_namespaces.cend(); ++it)
        m_session.sendMessage(encode(Disconnect, it.key(), -1, {}));
    m_session.close(reason);
}

void SioConnection::abort()
{
    m_recoverable = false;
    m_session.close(QStringLiteral("aborted"));
}

void SioConnection::onClose(const QString &reason, bool byClient)
{
    releasePending();
    if (!isActive())
        return;
    EventStream &recovery = m_server.eventStream();
    if (recovery.enabled() && m_recoverable && !m_pid.isEmpty() && !m_namespaces.isEmpty()) {
        SioRecovery::Saved saved;
        saved.userId = userId();
        saved.rooms = m_rooms;
        saved.namespaces = m_namespaces;
        saved.connectionId = id();
        saved.connectedOffset = m_connectedOffset;
        recovery.save(m_pid, std::move(saved));
    } else if (recovery.isShared() && !m_pid.isEmpty()) {
        recovery.forget(m_pid, id()); // its live copy must not be recovered elsewhere
    }
    // After the save: the log is kept while either an open socket or a saved state needs it.
    if (std::exchange(m_countedOpen, false))
        recovery.socketClosed();
    const int code = m_closeCode ? m_closeCode
        : reason == QLatin1String("slow consumer") ? int(Protocol::PolicyViolation)
        : reason == QLatin1String("ping timeout") || reason == QLatin1String("transport close") ? 1006
        : byClient ? 1000 : 1002;
    finish(code, reason + QStringLiteral(" (socket.io)"));
}

} // namespace Switchboard
