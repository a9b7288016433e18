#include "eiosession.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>

#include "core/logging.h"
#include "protocol/messages.h"
#include "server.h"
#include "transport/ioworker.h"
#include "transport/wsstream.h"

namespace Switchboard {

using EngineIo::Packet;

EioSession::EioSession(IoWorker &worker, const QString &sid, const Settings &settings, QObject *parent)
    : QObject(parent), m_worker(worker), m_sid(sid), m_settings(settings)
{
    m_nextPingMs = Server::monotonicMs() + m_settings.pingIntervalMs;
    if (m_settings.spreadFirstPing && m_settings.pingIntervalMs >= 2)
        m_nextPingMs -= QRandomGenerator::global()->bounded(m_settings.pingIntervalMs / 2);
}

EioSession::~EioSession()
{
    m_handler.reset();
    delete m_socket;
    delete m_probe;
}

QByteArray EioSession::openPacket() const
{
    const QJsonObject open{{QStringLiteral("sid"), m_sid},
                           {QStringLiteral("upgrades"), m_transport == Transport::Polling
                                ? QJsonArray{QStringLiteral("websocket")} : QJsonArray()},
                           {QStringLiteral("pingInterval"), m_settings.pingIntervalMs},
                           {QStringLiteral("pingTimeout"), m_settings.pingTimeoutMs},
                           {QStringLiteral("maxPayload"), m_settings.maxPayload}};
    return EngineIo::Open + QJsonDocument(open).toJson(QJsonDocument::Compact);
}

void EioSession::setMaxBufferedBytes(qint64 bytes)
{
    m_settings.maxBufferedBytes = bytes;
    if (m_socket)
        m_socket->setMaxBufferedBytes(bytes);
}

void EioSession::configure(WsStream *socket) const
{
    socket->setMaxMessageSize(m_settings.maxPayload);
    socket->setMaxBufferedBytes(m_settings.maxBufferedBytes);
    socket->setControlFrameLimit(m_settings.controlFrameRate, m_settings.controlFrameRate * 2);
}

void EioSession::dropSlowConsumer(qint64 bytes)
{
    if (m_closed)
        return;
    m_worker.server().metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
    qCInfo(lcWs) << "dropping slow Engine.IO session" << m_sid << "with" << bytes << "bytes unsent";
    m_outbox.clear();
    m_outboxBytes = 0;
    finish(QStringLiteral("slow consumer"), false, EngineIo::Close);
}

void EioSession::attachWebSocket(WsStream *socket)
{
    m_socket = socket;
    m_socket->setParent(this);
    configure(m_socket);
    connect(m_socket, &WsStream::overBudget, this, &EioSession::dropSlowConsumer);
    connect(m_socket, &WsStream::textReceived, this, &EioSession::onWebSocketText);
    connect(m_socket, &WsStream::binaryReceived, this, &EioSession::onWebSocketBinary);
    connect(m_socket, &WsStream::disconnected, this, [this] {
        finish(QStringLiteral("transport close"), true, 0);
    });
    m_transport = Transport::WebSocket;
}

void EioSession::startWebSocket(WsStream *socket)
{
    attachWebSocket(socket);
    m_socket->sendText(openPacket());
}

// --- sending -------------------------------------------------------------------------------

void EioSession::enqueue(Packet packet)
{
    if (m_closed)
        return;
    if (m_transport == Transport::WebSocket) {
        if (packet.binary)
            m_socket->sendBinary(packet.data);
        else
            m_socket->sendText(packet.type + packet.data);
        return;
    }
    // Binary packets go out base64-encoded when polling.
    const qint64 size = (packet.binary ? (packet.data.size() + 2) / 3 * 4 : packet.data.size()) + 1;
    if (m_outboxBytes > 0 && m_outboxBytes + size > m_settings.maxBufferedBytes) {
        // The same budget as a WebSocket's: a client that stops polling is a slow consumer.
        dropSlowConsumer(m_outboxBytes + size);
        return;
    }
    m_outboxBytes += size;
    m_outbox.append(std::move(packet));
    flushPoll();
}

void EioSession::sendMessage(const QByteArray &text)
{
    enqueue({EngineIo::Message, text, false});
}

void EioSession::sendEncoded(const QByteArray &message, const QByteArray &webSocketFrame)
{
    if (m_closed)
        return;
    if (m_transport == Transport::WebSocket) {
        // The shared fan-out frame goes out as is: no copy, no framing per recipient.
        m_socket->sendFrame(webSocketFrame);
        return;
    }
    enqueue({message.at(0), message.mid(1), false});
}

void EioSession::sendBinary(const QByteArray &data)
{
    enqueue({EngineIo::Message, data, true});
}

qint64 EioSession::bufferedBytes() const
{
    return m_transport == Transport::WebSocket && m_socket ? m_socket->bytesToWrite() : m_outboxBytes;
}

void EioSession::flushPoll()
{
    if (!m_pendingGet || m_outbox.isEmpty())
        return;
    const QByteArray body = EngineIo::encodePayload(m_outbox);
    m_outbox.clear();
    m_outboxBytes = 0;
    answer(std::exchange(m_pendingGet, HeldRequest()), 200, body);
}

void EioSession::answer(HeldRequest reply, int status, const QByteArray &body)
{
    IoWorker *target = reply.worker;
    const quint64 token = reply.token;
    IoWorker::runOn(target, [target, token, status, body] { target->answerHeld(token, status, body); });
}

// --- receiving -----------------------------------------------------------------------------

bool EioSession::receive(const Packet &packet)
{
    if (packet.binary)
        return m_handler && m_handler->onMessage(packet.data, true);
    switch (packet.type) {
    case EngineIo::Pong:
        // Only an answer to our ping counts: unsolicited pongs would push the next ping (and
        // the liveness check) away forever.
        if (m_pongDeadlineMs == 0)
            return true;
        m_pongDeadlineMs = 0;
        m_nextPingMs = Server::monotonicMs() + m_settings.pingIntervalMs;
        return true;
    case EngineIo::Message:
        return m_handler && m_handler->onMessage(packet.data, false);
    case EngineIo::Close:
        finish(QStringLiteral("client close"), true, EngineIo::Noop);
        return true;
    case EngineIo::Noop:
        return true;
    default:
        return false; // open, ping and upgrade are not the client's to send here
    }
}

bool EioSession::refuseGone(HeldRequest reply)
{
    // The heartbeat deadline is checked here too, not only by the sweep: a request after it
    // finds the session gone even if the sweep has not run yet.
    if (!m_closed && expired(Server::monotonicMs()))
        finish(QStringLiteral("ping timeout"), false, EngineIo::Close);
    if (!m_closed && m_transport == Transport::Polling)
        return false;
    answer(reply, 400, R"({"code":1,"message":"Session ID unknown"})");
    return true;
}

void EioSession::poll(HeldRequest reply)
{
    if (refuseGone(reply))
        return;
    if (m_pendingGet) {
        // Two concurrent GETs are a broken client (or an attacker): the protocol closes.
        answer(reply, 400, R"({"code":3,"message":"Bad request"})");
        finish(QStringLiteral("duplicate poll"), false, EngineIo::Close);
        return;
    }
    m_pendingGet = reply;
    if (m_upgrading && m_outbox.isEmpty())
        m_outbox.append({EngineIo::Noop, {}, false});
    flushPoll();
}

void EioSession::refusedOversized()
{
    if (!m_closed)
        finish(QStringLiteral("payload too large"), false, EngineIo::Close);
}

void EioSession::post(const QByteArray &body, HeldRequest reply)
{
    if (refuseGone(reply))
        return;
    if (body.size() > m_settings.maxPayload) {
        answer(reply, 413, R"({"code":3,"message":"payload over maxPayload"})");
        finish(QStringLiteral("payload too large"), false, EngineIo::Close);
        return;
    }
    QList<Packet> packets;
    if (!EngineIo::decodePayload(body, &packets)) {
        answer(reply, 400, R"({"code":3,"message":"Bad request: malformed packet"})");
        finish(QStringLiteral("parse error"), false, EngineIo::Close);
        return;
    }
    answer(reply, 200, "ok");
    for (const Packet &packet : std::as_const(packets)) {
        if (m_closed)
            return;
        if (!receive(packet)) {
            finish(QStringLiteral("parse error"), false, EngineIo::Close);
            return;
        }
    }
}

void EioSession::pollAborted(quint64 token)
{
    if (m_pendingGet.token != token)
        return;
    m_pendingGet = HeldRequest();
    finish(QStringLiteral("transport close"), true, 0);
}

void EioSession::onWebSocketText(const QByteArray &utf8)
{
    if (utf8.isEmpty() || !EngineIo::isPacketType(utf8.at(0)) || !receive({utf8.at(0), utf8.mid(1), false})) {
        if (!m_closed)
            finish(QStringLiteral("parse error"), false, 0);
    }
}

void EioSession::onWebSocketBinary(const QByteArray &data)
{
    if (!receive({EngineIo::Message, data, true}) && !m_closed)
        finish(QStringLiteral("parse error"), false, 0);
}

// --- upgrade -------------------------------------------------------------------------------

void EioSession::probeOpened(WsStream *socket)
{
    if (m_closed || m_transport != Transport::Polling || m_probe) {
        // Already upgraded (or upgrading): a second WebSocket for this sid is refused.
        m_worker.dispose(socket, Protocol::PolicyViolation, QStringLiteral("session already upgraded"));
        return;
    }
    m_probe = socket;
    socket->setParent(this);
    configure(socket);
    connect(socket, &WsStream::textReceived, this, [this, socket](const QByteArray &text) { probeMessage(socket, text); });
    connect(socket, &WsStream::disconnected, this, [this, socket] { probeGone(socket); });
}

void EioSession::probeMessage(WsStream *socket, const QByteArray &text)
{
    if (socket != m_probe)
        return;
    if (text == "2probe") {
        socket->sendText("3probe");
        m_upgrading = true;
        // The client stops polling: end its pending GET so it can.
        if (m_pendingGet && m_outbox.isEmpty())
            m_outbox.append({EngineIo::Noop, {}, false});
        flushPoll();
    } else if (text == "5" && m_upgrading) {
        QObject::disconnect(socket, nullptr, this, nullptr);
        m_probe = nullptr;
        if (m_pendingGet) {
            m_outbox.append({EngineIo::Noop, {}, false});
            flushPoll();
        }
        m_pendingGet = HeldRequest();
        const QList<Packet> waiting = std::exchange(m_outbox, {});
        m_outboxBytes = 0;
        attachWebSocket(socket);
        for (const Packet &packet : waiting)
            enqueue(packet);
        m_upgrading = false;
        if (m_handler)
            m_handler->onTransportChanged();
    } else {
        socket->abort();
    }
}

void EioSession::probeGone(WsStream *socket)
{
    if (socket == m_probe) {
        m_upgrading = false;
        m_probe = nullptr;
    }
    socket->deleteLater();
}

// --- heartbeat and close -------------------------------------------------------------------

bool EioSession::expired(qint64 nowMs) const
{
    return m_pongDeadlineMs != 0 && nowMs >= m_pongDeadlineMs;
}

bool EioSession::tick(qint64 nowMs)
{
    if (m_closed)
        return false;
    if (expired(nowMs)) {
        finish(QStringLiteral("ping timeout"), false, EngineIo::Close);
        return false;
    }
    if (m_pongDeadlineMs == 0 && nowMs >= m_nextPingMs) {
        // Deadlines follow the schedule, not the sweep's jitter.
        m_pongDeadlineMs = m_nextPingMs + m_settings.pingTimeoutMs;
        enqueue({EngineIo::Ping, {}, false});
    }
    if (m_handler)
        m_handler->tick(nowMs);
    return !m_closed;
}

void EioSession::close(const QString &reason)
{
    finish(reason, false, EngineIo::Close);
}

void EioSession::finish(const QString &reason, bool byClient, char lastPacket)
{
    if (m_closed)
        return;
    if (lastPacket == EngineIo::Close && m_transport == Transport::WebSocket && m_socket)
        m_socket->sendText("1");
    if (m_pendingGet) {
        // A client close ends its pending GET with a noop; a server close tells it why.
        const char last = byClient || !lastPacket ? char(EngineIo::Noop) : lastPacket;
        answer(std::exchange(m_pendingGet, HeldRequest()), 200, QByteArray(1, last));
    }
    m_closed = true;
    qCDebug(lcWs) << "engine.io session" << m_sid << "closed:" << reason;
    if (m_handler)
        m_handler->onClose(reason, byClient);
    if (m_socket) {
        // The socket outlives the session long enough to finish its close handshake, owned
        // by the worker, which does not count as drained while it closes (at most 2 s).
        WsStream *socket = std::exchange(m_socket, nullptr);
        socket->disconnect(this);
        m_worker.dispose(socket, 1000, QString());
    }
    if (m_probe)
        m_probe->abort();
    Q_EMIT closed(m_sid);
}

} // namespace Switchboard
