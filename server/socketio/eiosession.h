#pragma once

#include <memory>

#include <QtCore/QList>
#include <QtCore/QObject>

#include "packets.h"

namespace Switchboard {

class IoWorker;
class WsStream;

/// What rides on an Engine.IO session: Socket.IO (SioConnection) or the test fixture's echo.
class EioHandler
{
public:
    virtual ~EioHandler() = default;
    /// A message packet from the client. False is a protocol error: the session is closed.
    virtual bool onMessage(const QByteArray &data, bool binary) = 0;
    /// The session is closed (by either side); called once, before the session is deleted.
    virtual void onClose(const QString &reason, bool byClient) = 0;
    virtual void onTransportChanged() {}
    /// Called by the session's sweep, for handler deadlines (connect timeout, acks).
    virtual void tick(qint64 nowMs) { Q_UNUSED(nowMs); }
};

/// An HTTP request held on some I/O thread, answered from the session's thread.
struct HeldRequest
{
    IoWorker *worker = nullptr;
    quint64 token = 0;
    explicit operator bool() const { return worker != nullptr; }
};

/**
 * @brief One Engine.IO v4 session: its transport (HTTP long-polling, WebSocket, or polling
 * upgraded to WebSocket), heartbeat and packet framing. Lives on the I/O thread that opened
 * it; requests of the same session that land on other threads are handed to it there.
 */
class EioSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EioSession)

public:
    enum class Transport { Polling, WebSocket };
    struct Settings
    {
        qint64 pingIntervalMs = 25000;
        qint64 pingTimeoutMs = 20000;
        qint64 maxPayload = 1000000;
        /// The outbound byte budget: the WebSocket's (WsStream::setMaxBufferedBytes) or, when
        /// polling, the packets waiting for the next GET. Over it: closed as a slow consumer.
        qint64 maxBufferedBytes = 4 * 1024 * 1024;
        /// WebSocket pings and pongs the client may send per second (burst twice that).
        double controlFrameRate = 10.0;
        /// First ping after half to all of the interval (sessions opened together are not
        /// all pinged at once); later pings keep the interval.
        bool spreadFirstPing = false;
    };

    EioSession(IoWorker &worker, const QString &sid, const Settings &settings, QObject *parent);
    ~EioSession() override;

    const QString &sid() const { return m_sid; }
    Transport transport() const { return m_transport; }
    bool isClosed() const { return m_closed; }
    void setHandler(std::unique_ptr<EioHandler> handler) { m_handler = std::move(handler); }
    /// A reload lowered or raised --max-pending-bytes: the session's budget (and its
    /// WebSocket's) from the next send on.
    void setMaxBufferedBytes(qint64 bytes);
    EioHandler *handler() const { return m_handler.get(); }

    /// The open packet's JSON ("upgrades" depends on the transport).
    QByteArray openPacket() const;
    /// Opens the session on a WebSocket (takes it over) and sends the open packet.
    void startWebSocket(WsStream *socket);

    // HTTP long-polling (this thread; the reply may be on any worker).
    void poll(HeldRequest reply);
    /// Answers @p reply with 200 "ok" or 400 (and closes the session on bad packets).
    void post(const QByteArray &body, HeldRequest reply);
    void pollAborted(quint64 token);
    /// A POST over maxPayload was refused (413) from its head, unread: the session ends, as
    /// when post() is given one.
    void refusedOversized();

    // Upgrade: a WebSocket carrying this sid, opened on this thread (the session adopts it).
    void probeOpened(WsStream *socket);

    // For the handler.
    void sendMessage(const QByteArray &text);
    /// A complete Engine.IO text packet (type character included, UTF-8) and the same as a
    /// WebSocket frame: a shared broadcast, sent as is.
    void sendEncoded(const QByteArray &message, const QByteArray &webSocketFrame);
    void sendBinary(const QByteArray &data);
    /// Bytes written and not yet taken by the kernel (WebSocket) or not yet polled.
    qint64 bufferedBytes() const;
    /// Server-side close: a close packet, then the transport goes.
    void close(const QString &reason);

    /// Heartbeat: sends pings, closes on a missed pong; true when still open.
    bool tick(qint64 nowMs);
    /// True when the heartbeat deadline passed (checked on every request, not only by tick).
    bool expired(qint64 nowMs) const;

Q_SIGNALS:
    void closed(const QString &sid);

private:
    void enqueue(EngineIo::Packet packet);
    void flushPoll();
    bool receive(const EngineIo::Packet &packet);
    void onWebSocketText(const QByteArray &utf8);
    void onWebSocketBinary(const QByteArray &data);
    void probeMessage(WsStream *socket, const QByteArray &text);
    void probeGone(WsStream *socket);
    void attachWebSocket(WsStream *socket);
    /// Applies the session's limits to a WebSocket of this session.
    void configure(WsStream *socket) const;
    /// Over the byte budget: counted, and the session closes with 1008 "slow consumer".
    void dropSlowConsumer(qint64 bytes);
    void finish(const QString &reason, bool byClient, char lastPacket);
    void answer(HeldRequest reply, int status, const QByteArray &body);
    /// Answers 400 when the session is closed, upgraded or past its heartbeat deadline.
    bool refuseGone(HeldRequest reply);

    IoWorker &m_worker;
    const QString m_sid;
    Settings m_settings; // maxBufferedBytes changes on a reload (setMaxBufferedBytes)
    std::unique_ptr<EioHandler> m_handler;
    Transport m_transport = Transport::Polling;
    WsStream *m_socket = nullptr;        // owned (WebSocket transport)
    WsStream *m_probe = nullptr;         // upgrade candidate, owned (child) until upgraded or gone
    bool m_upgrading = false;
    HeldRequest m_pendingGet;
    QList<EngineIo::Packet> m_outbox;    // polling: packets waiting for the next GET
    qint64 m_outboxBytes = 0;
    qint64 m_nextPingMs = 0;
    qint64 m_pongDeadlineMs = 0;         // 0: no ping outstanding
    bool m_closed = false;
};

} // namespace Switchboard
