#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>

#include "auth/jwt.h"
#include "connecthandler.h"
#include "core/once.h"
#include "wsstream.h"

namespace Switchboard {

class Connection;
struct ConnectionInfo;
class EioSession;
class GuardedTcpServer;
class HttpFront;
class HttpSocket;
class RequestData;
class Mailbox;
class Router;
class Server;

/// One server-originated frame on its way to many sockets: built once, shared by all.
struct OutboundFrame
{
    QString text;                  // the native protocol's JSON
    qint64 emittedNs = 0;
    quint64 exceptConnectionId = 0;
    QString exceptUserId;

    // The same event for Socket.IO sockets.
    QString event;
    QJsonValue payload;            // with {"_placeholder":true,"num":n} for attachments
    QList<QByteArray> attachments;
    QString nsp = QStringLiteral("/");
    QString id;
    QString room;                  // target room; empty for a broadcast
    QStringList moreRooms;         // further target rooms (cluster: the adapter's rooms)
    QStringList exceptRooms;       // sockets in these rooms are skipped (the adapter's except)
    /// The connection ids among room, moreRooms and exceptRooms (rooms/socketidroom.h): a
    /// socket id names that socket, as in Socket.IO.
    QList<quint64> connectionRooms;
    QList<quint64> exceptConnectionRooms;
    QJsonArray moreArgs;           // Socket.IO arguments after the payload
    quint64 offset = 0;            // connection-state-recovery offset; 0 when not recorded
    bool ack = false;

    /// The native text as a complete WebSocket frame, built by the first recipient on any
    /// thread; every other recipient sends the same bytes.
    const QByteArray &nativeFrame() const;
    qsizetype nativePayloadSize() const { return native().payloadSize; }
    /// The frame and its payload length with one look at whether it is built (per recipient
    /// of a fan-out: issue 19's per-publish profile).
    struct NativeBytes
    {
        const QByteArray &frame;
        qsizetype payloadSize;
    };
    NativeBytes native() const
    {
        const QByteArray &frame = nativeFrame();
        return {frame, frame.size() - m_nativeHeader};
    }

    /// The Engine.IO message carrying the Socket.IO EVENT packet ("42[...]", UTF-8), built by
    /// the first Socket.IO recipient on any thread and sent as is by the rest, with its
    /// WebSocket frame likewise. Not for acked frames (per-socket ack ids).
    const QByteArray &engineIoMessage() const { buildEngineIo(); return m_sio; }
    const QByteArray &engineIoFrame() const { buildEngineIo(); return m_sioFrame; }

private:
    void buildEngineIo() const;

    mutable OnceFlag m_nativeOnce;
    mutable QByteArray m_native;
    mutable qsizetype m_nativeHeader = 0;
    mutable OnceFlag m_sioOnce;
    mutable QByteArray m_sio;
    mutable QByteArray m_sioFrame;
};


/**
 * @brief One I/O thread's worth of server: its own listener on the shared port, its HTTP
 * front, the sockets it accepted, and a room index of just those sockets.
 *
 * Lives in (and is only touched from) its QThread; other threads talk to it with post().
 *
 * Shutdown (Server::stop) has one ownership rule: the Server owns every worker and deletes
 * them only after every I/O thread has been joined. shutdown() closes this thread's clients
 * and emits drained() once none is left (sockets still finishing a close handshake count);
 * only when every worker has drained (or the time is up) does the Server post
 * finishThread(), which runs what other workers posted before it, deletes whatever is left
 * in this thread and quits it. A task posted after that is never run, and never runs
 * against freed memory: the worker object outlives every thread.
 */
class IoWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IoWorker)

public:
    IoWorker(Server &server, const Router &router, int index, qintptr listenDescriptor,
             std::shared_ptr<std::atomic<int>> httpConnections);
    ~IoWorker() override;

    int index() const { return m_index; }
    Server &server() const { return m_server; }

    /// Runs @p task on this worker's thread.
    void post(std::function<void()> task);
    /// For answers from other threads that may come after this worker is gone.
    const std::shared_ptr<Mailbox> &mailbox() const { return m_mailbox; }
    /// Tasks posted and not yet run: the emit backlog of this thread.
    int queued() const { return m_queued.load(std::memory_order_relaxed); }

    // Worker thread only.
    void start();
    void shutdown(int code, const QString &reason);
    /// After every worker drained: closes what is left in this thread, deletes it, and quits
    /// the thread. The worker object itself stays for the Server to delete.
    void finishThread();
    /// Closes @p stream with @p code and deletes it once closed (or aborted after 2 s); the
    /// worker owns it meanwhile and does not count as drained until it is gone.
    void dispose(WsStream *stream, int code, const QString &reason);
    void deliverToRoom(const QString &room, const std::shared_ptr<const OutboundFrame> &frame);
    void deliverToAll(const std::shared_ptr<const OutboundFrame> &frame);
    void deliverToConnection(quint64 id, const std::shared_ptr<const OutboundFrame> &frame);
    Connection *connection(quint64 id) const { return m_connections.value(id); }
    void indexJoin(Connection *connection, const QString &room);
    void indexLeave(Connection *connection, const QString &room);
    void connectionOpened(Connection *connection);
    /// Forgets @p connection (it deletes itself, or its session does).
    void connectionClosed(Connection *connection);

    // Engine.IO (Socket.IO and the test fixture's /engine.io/).
    enum class EngineIoRequest { NotEngineIo, Handled, Upgrade, RefusedUpgrade };
    /// An HTTP request on an Engine.IO path: answered (now or later), or an upgrade to let
    /// HttpFront complete, or not an Engine.IO request at all.
    EngineIoRequest handleEngineIoRequest(const RequestData &request, HttpSocket *socket);
    /// An Engine.IO POST refused from its head with 413 (over maxPayload): its session ends.
    void refusedEngineIoBody(const RequestData &head);
    /// A request on HTTP connection @p socket waits for its answer (true) or was answered:
    /// a connection that waits is not idle (--http-idle-timeout).
    void holdHttp(HttpSocket *socket, bool held);
    /// Answers an HTTP request held by handleEngineIoRequest (this worker's thread).
    void answerHeld(quint64 token, int status, const QByteArray &body);
    EioSession *engineIoSession(const QString &sid) const { return m_eio.value(sid); }
    /// Runs @p task on @p worker's thread: now when that is this thread, else posted.
    static void runOn(IoWorker *worker, std::function<void()> task);
    /// A WebSocket handshake was answered with 101: the connection is this thread's now.
    void webSocketOpened(WsUpgrade upgrade);

Q_SIGNALS:
    /// Every client is gone after shutdown(); the thread may quit.
    void drained();

private:
    /// An authenticated native connection waiting for --max-connections-per-user's verdict
    /// from the cluster: nothing is read from it or sent to it meanwhile.
    struct NativeAdmission
    {
        std::unique_ptr<WsStream> socket;
        std::shared_ptr<ConnectionInfo> info;
        QStringList rooms;
        QJsonObject claims;
        QHostAddress client;
        /// Set when the client authenticated in-band: the "id" of its authenticate message
        /// (undefined when it gave none), answered with "authenticated" before "connected".
        std::optional<QJsonValue> authenticatedId;
        QString since; // ?since=<offset>: resume (docs/protocol.md)
    };
    /// A native connection without a token, allowed --auth-grace-ms to send
    /// {"type":"authenticate","token":...} (docs/security.md: the pre-auth budget). It holds
    /// its connection and per-address slots and one of --max-pending-sessions.
    struct PreAuth
    {
        std::unique_ptr<WsStream> socket;
        QHostAddress client;
        QString address;
        QUrlQuery query;
        qint64 deadlineMs = 0;
        int messages = 0;
        int failures = 0;
        QList<QPair<QByteArray, QByteArray>> headers; // for the connect proxy
    };
    /// A native connection whose handshake (or authenticate message) is with the connect
    /// proxy's back end (docs/hooks.md): nothing is read from it meanwhile, and it holds its
    /// connection and per-address slots and one of --max-pending-sessions.
    struct ConnectWait
    {
        std::unique_ptr<WsStream> socket;
        QHostAddress client;
        QString address;
        QUrlQuery query;
        std::optional<QJsonValue> inBandId; // as in NativeAdmission
    };

    void accept(const WsUpgrade &upgrade);
    /// A verified token (from the handshake, or an authenticate message when @p inBandId is
    /// set): the rooms, then --max-connections-per-user's admission.
    void admitNative(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                     const QUrlQuery &query, const Jwt::Result &jwt, std::optional<QJsonValue> inBandId,
                     const QStringList &extraRooms = {});
    /// Hands the handshake to the connect proxy; @p holdsPendingSlot: an in-band
    /// authentication whose --max-pending-sessions slot carries over.
    void askConnectProxy(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                         const QUrlQuery &query, const QList<QPair<QByteArray, QByteArray>> &headers,
                         const QByteArray &token, std::optional<QJsonValue> inBandId, bool holdsPendingSlot);
    void connectDecided(quint64 key, const ConnectDecision &decision);
    static bool claimsAnotherUser(const QUrlQuery &query, const QString &userId);
    void startPreAuth(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                      const QUrlQuery &query, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void preAuthText(WsStream *stream, const QByteArray &utf8);
    /// Ends a pre-auth connection: given back its slots, closed with @p code unless gone.
    void dropPreAuth(WsStream *stream, int code, const QString &reason);
    void sweepPreAuth(qint64 nowMs);
    void openNative(NativeAdmission admission);
    /// Closes a native connection with @p code before any welcome: an auth failure, counted
    /// and logged; its connection and per-address slots are given back.
    void refuseNative(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address, int code,
                      const QString &reason);
    void nativeAdmissionDecided(quint64 id, const QString &userId, bool admitted);
    /// Closes @p stream with @p code after the handshake and disposes of it (counted).
    void reject(WsStream *stream, int code, const QString &reason);
    /// Emits drained() once, when shutting down and nothing is left.
    void checkDrained();
    void sweep();
    void drainTasks();
    void sweepEngineIo();
    void deliver(Connection *connection, const OutboundFrame &frame);
    void acceptEngineIo(const WsUpgrade &upgrade, bool socketIo);
    /// A new Engine.IO session on this thread, carrying Socket.IO or (fixture) an echo; null
    /// when --max-pending-sessions Socket.IO sessions have not connected yet.
    /// @p client holds one of --max-connections-per-ip, given back when the session ends.
    /// @p headers: the handshake's, for the connect proxy.
    EioSession *openEngineIo(bool socketIo, const QString &address, const QHostAddress &client, const QUrl &url,
                             const QList<QPair<QByteArray, QByteArray>> &headers);
    /// An upgrade WebSocket for session @p sid, which lives on this thread.
    void adoptProbe(qintptr descriptor, const QString &sid, const QByteArray &leftover);

    Server &m_server;
    const Router &m_router;
    const int m_index;
    qintptr m_listenDescriptor;
    HttpFront *m_http = nullptr;
    GuardedTcpServer *m_tcp = nullptr;
    QHash<quint64, Connection *> m_connections;
    QHash<quint64, QHostAddress> m_nativeClients; // native connections' share of --max-connections-per-ip
    std::unordered_map<quint64, NativeAdmission> m_nativeAdmissions; // by connection id
    std::unordered_map<WsStream *, PreAuth> m_preAuth; // native connections yet to authenticate in-band
    std::unordered_map<quint64, ConnectWait> m_connectWaits; // native connections with the connect proxy
    quint64 m_nextConnectWait = 1;
    QHash<QString, QSet<Connection *>> m_rooms;
    /// A heartbeat pass spread over timer ticks: every entry of a hash once per pass, a share
    /// of them per tick, looked up by key (an entry may go while its pass runs).
    template <typename Key>
    struct SlicedPass
    {
        int passMs = 1000;
        QList<Key> keys;
        qsizetype next = 0;
        template <typename Hash, typename Visit>
        void tick(const Hash &all, int tickMs, Visit &&visit)
        {
            if (next >= keys.size()) {
                keys = all.keys();
                next = 0;
            }
            const qsizetype share = (keys.size() * tickMs + passMs - 1) / passMs;
            for (const qsizetype end = qMin(keys.size(), next + share); next < end; ++next) {
                if (const auto value = all.value(keys.at(next)))
                    visit(value);
            }
        }
    };

    QTimer m_sweepTimer;
    SlicedPass<quint64> m_sweepPass;             // connections, by id
    QTimer m_eioTimer;
    SlicedPass<QString> m_eioPass;               // Engine.IO sessions, by sid
    QHash<QString, EioSession *> m_eio;          // Engine.IO sessions this thread owns
    struct Held { QPointer<HttpSocket> socket; QMetaObject::Connection abortWatch; QByteArray origin; };
    QHash<quint64, Held> m_held;                 // HTTP requests waiting for a session's answer
    QSet<WsStream *> m_disposing;                // streams finishing their close handshake
    quint64 m_nextToken = 1;
    bool m_shuttingDown = false;
    bool m_drainReported = false;
    std::shared_ptr<std::atomic<int>> m_httpConnections; // shared by every worker of the server
    std::atomic<int> m_queued{0};
    std::shared_ptr<Mailbox> m_mailbox;
    // Tasks from post(), run in order by one queued drain: everything that arrived while the
    // thread was busy runs in one go, inside one WsStream::Batch.
    std::mutex m_tasksMutex;
    std::vector<std::function<void()>> m_tasks;
};

} // namespace Switchboard
