#pragma once

#include <optional>
#include <utility>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QUrlQuery>

#include "eiosession.h"
#include "packets.h"
#include "recovery.h"
#include "auth/jwt.h"
#include "transport/connecthandler.h"
#include "transport/connection.h"

namespace Switchboard {

class SioConnection;

/**
 * @brief Server-side event handlers a deployment plugs into Socket.IO sockets. The server
 * itself has none; the official protocol suites' fixture (SioTestFixture) is one.
 */
class SioHooks
{
public:
    virtual ~SioHooks() = default;
    virtual void connected(SioConnection &socket, const QString &nsp, const QJsonObject &auth) = 0;
    /// True when the hook handled the event (the server's own handling is skipped).
    virtual bool event(SioConnection &socket, const QString &nsp, const QString &event, const QJsonArray &args,
                       const QList<QByteArray> &attachments, qint64 ackId) = 0;
};

/**
 * @brief A Socket.IO v5 client on an Engine.IO session: namespaces, events and acks both
 * ways, binary attachments, rooms through the shared registry, and connection state
 * recovery. The session owns it; it becomes an active Connection with its first CONNECT.
 */
class SioConnection final : public Connection, public EioHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SioConnection)

public:
    /// Takes over the pending-session slot the caller reserved (Server::reservePendingSession);
    /// it is given back when the socket connects a namespace or the session ends.
    /// @p query: the handshake's query parameters (for --claim-rooms-query).
    SioConnection(IoWorker &worker, Server &server, EioSession &session, const QString &address,
                  const QUrlQuery &query = {});
    ~SioConnection() override;
    /// The handshake's allow-listed headers, for the connect proxy (docs/hooks.md).
    void setHandshakeHeaders(QList<QPair<QByteArray, QByteArray>> headers) { m_headers = std::move(headers); }

    // Connection
    bool deliver(const OutboundFrame &frame) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool isClosing() const override { return m_closing; }
    void heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs) override;
    void tokenExpiring(int seconds) override;
    void applyLimits(const LiveLimits &limits) override;
    void sendPresence(const QString &nsp, const QString &event, const QJsonObject &data) override;

    // EioHandler
    bool onMessage(const QByteArray &data, bool binary) override;
    void onClose(const QString &reason, bool byClient) override;
    void onTransportChanged() override;
    void tick(qint64 nowMs) override;

    /// Emits @p event with @p args to this socket on @p nsp (attachments as binary packets).
    void emitEvent(const QString &nsp, const QString &event, const QJsonArray &args,
                   const QList<QByteArray> &attachments = {});
    /// Answers the client's ack id on @p nsp.
    void sendAck(const QString &nsp, qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments = {});

private:
    bool handlePacket(const SocketIo::Packet &packet, const QList<QByteArray> &attachments);
    void handleConnect(const SocketIo::Packet &packet);
    void handleEvent(const QString &nsp, const QJsonArray &array, const QList<QByteArray> &attachments, qint64 ackId);
    void handleAck(qint64 ackId, const QJsonArray &args);
    bool handleRoomEvent(const QString &event, const QJsonArray &args, const QString &nsp, qint64 ackId);
    /// The answer to a join the subscribe proxy decided: the ack {"ok":true,"room"}, or the error.
    void answerJoin(const QString &nsp, qint64 ackId, const QString &room, const Refusal &refused);
    /// An event an event-proxy rule takes (docs/hooks.md): the answer is the ack (or, failed,
    /// the error ack / switchboard:error).
    void forwardHooked(const QString &nsp, const QString &event, const QJsonArray &args,
                       const QList<QByteArray> &attachments, qint64 ackId);
    /// presence_subscribe / presence_unsubscribe (docs/socketio.md); false for other events.
    bool handlePresenceEvent(const QString &event, const QJsonArray &args, const QString &nsp, qint64 ackId);
    void relay(const QString &event, const QJsonArray &args, const QList<QByteArray> &attachments,
               const QString &nsp, qint64 ackId);
    /// A first CONNECT that passed the token check, until the socket opens.
    struct Admission
    {
        quint64 id = 0;
        QString userId;
        QString role;
        QJsonObject claims;
        QJsonObject auth;
        QString nsp;
        bool inBand = false;    // an "authenticate" event on a connected namespace, not CONNECT
        qint64 ackId = -1;      // that event's ack id
        QStringList extraRooms; // the connect proxy's rooms
        quint64 proxyCall = 0;  // waiting for the connect proxy's verdict on this call
    };
    static constexpr int kMaxHeldMessages = 64; // sent while the cluster counts the user

    /// The message is --connect-error-messages' for @p code when it has one.
    void connectError(const QString &nsp, const QString &message, int code = 0);
    /// Refuses a CONNECT (connect_error) or an in-band authenticate (auth_error, then the
    /// session closes). @p authFailure: counted and logged as one.
    void refuse(const Admission &admission, int code, const QString &reason, bool authFailure);
    /// Goes on with a checked token: --max-connections-per-user, then open(). True when open.
    bool admit(Admission admission);
    /// In-band authentication (--auth-grace-ms): a CONNECT without a token is answered, and
    /// the socket may only send "authenticate" until it has.
    void awaitAuthentication(const QString &nsp);
    void handleAuthenticateEvent(const QString &nsp, const QJsonArray &args, qint64 ackId);
    /// Answers an authenticate event: the ack (when asked) and the emitted event.
    void answerAuthenticate(const QString &nsp, qint64 ackId, const QString &code, const QString &message);
    /// An unauthenticated socket is closed: DISCONNECT on its namespace, then the session.
    void closeUnauthenticated(const QString &reason);
    /// The opt-in --socketio-connected-event with the socket id.
    void sendConnectedEvent(const QString &nsp);
    /// A CONNECT refused for its credentials or a limit: counted as an auth failure.
    /// Checks the first CONNECT's credentials and --max-connections-per-user; true when the
    /// socket opened. False when refused, or while the cluster counts the user
    /// (admissionDecided() goes on from there).
    bool authenticate(const QJsonObject &auth, const QString &nsp);
    void admissionDecided(quint64 id, const QString &userId, bool admitted);
    /// Hands the admission to the connect proxy (docs/hooks.md); connectDecided() goes on.
    void askConnectProxy(Admission admission, const QByteArray &token, const Jwt::Result &jwt);
    void connectDecided(quint64 call, const ConnectDecision &decision);
    /// Handles what the client sent while its admission waited, in order.
    void drainHeld();
    /// The admitted socket becomes an active Connection; false (answered) when the server is full.
    bool open(const Admission &admission);
    /// Answers a CONNECT to @p nsp of an active socket (recovering what it missed).
    void connectNamespace(const QString &nsp, const QJsonObject &auth);
    void recover(const QJsonObject &auth, const QString &nsp);
    void deliverOffline(const QList<OfflineStore::Pending> &events) override;
    void sendPacket(const QByteArray &packet, const QList<QByteArray> &attachments = {});
    /// A broadcast frame's shared Engine.IO message, and its attachments.
    void sendShared(const OutboundFrame &frame);
    /// Replays what a recovered socket missed on @p nsp; false when it was dropped as slow.
    bool replay(const QString &nsp, const std::vector<std::shared_ptr<const OutboundFrame>> &frames);
    void releasePending();
    void fail(const QString &nsp, qint64 ackId, const QString &code, const QString &message);

    EioSession &m_session;
    const QString m_address;
    const QUrlQuery m_query;
    QList<QPair<QByteArray, QByteArray>> m_headers; // for the connect proxy
    quint64 m_nextProxyCall = 1;
    QString m_awaitingAuthNsp;              // connected without a token, waiting for "authenticate"
    int m_preAuthMessages = 0;
    int m_authFailures = 0;
    QHash<QString, QString> m_namespaces;   // connected namespace -> Socket.IO sid
    QString m_pid;                          // recovery id (empty when recovery is off)
    quint64 m_connectedOffset = 0;
    std::optional<SioRecovery::Saved> m_saved; // the state this socket recovered (taken)
    quint64 m_recoveryCall = 0;             // a shared store's session read is under way
    bool m_recoveryRead = false;            // ... and answered (m_saved set when it had one)
    QSet<QString> m_trackedRooms;           // the rooms the shared store has for this socket
    qint64 m_trackDueMs = 0;                // when its session is written again
    /// Shared stores (cluster): reads the session of the CONNECT's pid first; open() goes on
    /// in recoveryTaken(). False when there is nothing to read.
    bool takeShared(const Admission &admission);
    void recoveryTaken(quint64 call, std::optional<SioRecovery::Saved> saved);
    /// The shared store's copy of this socket's state (rooms, namespaces).
    void trackSession(qint64 nowMs);
    // Catch-up (siocatchup.cpp): a shared store's session was read before the socket joined
    // its rooms; what was recorded in between is read again, live events wait meanwhile.
    void catchUp(const QString &nsp);
    void caughtUp(quint64 call, bool ok, const QString &error, const std::vector<std::shared_ptr<const OutboundFrame>> &frames);
    bool holdForCatchUp(const OutboundFrame &frame);
    void releaseCatchUp();
    /// The catch-up could not be completed: the transport is closed without saving the
    /// session, so the client reconnects and is told it was not recovered.
    void abandonRecovery(const QString &why);
    struct HeldFrame
    {
        QByteArray message;
        QByteArray frame;
        QList<QByteArray> attachments;
        quint64 offset = 0;
    };
    quint64 m_catchUpCall = 0;
    quint64 m_catchUpCalls = 0;
    QString m_catchUpNsp;
    quint64 m_catchUpAfter = 0;
    std::vector<HeldFrame> m_catchUpHeld;
    qint64 m_catchUpHeldBytes = 0;
    // Per namespace, the newest offset replayed: live copies of replayed events still on
    // their way to this thread are skipped (offsets reach a thread in increasing order, so
    // the first live event past it ends the check).
    QHash<QString, quint64> m_replayedUpTo;
    bool m_pendingSlot = true;              // holds a --max-pending-sessions slot
    std::optional<Admission> m_admission;   // waiting for the cluster's verdict
    QList<std::pair<QByteArray, bool>> m_heldMessages; // (data, binary) received meanwhile
    qint64 m_heldBytes = 0;
    bool m_countedOpen = false;             // counted in SioRecovery::socketOpened()
    bool m_recoverable = true;              // false after a client or server disconnect
    bool m_closing = false;
    int m_closeCode = 0;
    qint64 m_connectDeadlineMs = 0;
    qint64 m_authDeadlineMs = 0;  // end of the in-band authentication grace, set once per session
    qint64 m_proxyWaitSinceMs = 0; // the connect proxy is deciding since then (0: not waiting)
    QByteArray m_proxyRefusal;     // the connect_error the connect proxy's refusal gave this session
    // A binary packet waiting for its attachments.
    SocketIo::Packet m_partial;
    QList<QByteArray> m_partialAttachments;
    qint64 m_partialBytes = 0;
    bool m_hasPartial = false;
    // Server->client acks waiting for the client: ack id -> emit id (or persisted event id).
    struct PendingAck { QString emitId; qint64 deadlineMs = 0; bool offline = false; };
    QHash<qint64, PendingAck> m_acks;
    qint64 m_nextAckId = 0;
};

} // namespace Switchboard
