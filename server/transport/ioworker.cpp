#include "ioworker.h"
#include "wsendpoints.h"

#include <algorithm>
#include <optional>

#include <QtCore/QDateTime>
#include <QtCore/QThread>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>
#include <QtNetwork/QNetworkRequest>

#include "auth/jwt.h"
#include "nativeconnection.h"
#include "socketio/eiosession.h"
#include "socketio/fixture.h"
#include "socketio/sioconnection.h"
#include "core/logging.h"
#include "core/slots.h"
#include "core/mailbox.h"
#include "http/httpfront.h"
#include "http/router.h"
#include "httpsocket.h"
#include "listener.h"
#include "protocol/messages.h"
#include "protocol/strictjson.h"
#include "server.h"

namespace Switchboard {

IoWorker::IoWorker(Server &server, const Router &router, int index, qintptr listenDescriptor,
                   std::shared_ptr<std::atomic<int>> httpConnections)
    : m_server(server), m_router(router), m_index(index), m_listenDescriptor(listenDescriptor)
    , m_mailbox(std::make_shared<Mailbox>(this))
    , m_httpConnections(std::move(httpConnections))
{
    m_sweepTimer.setParent(this);
    m_eioTimer.setParent(this);
}

IoWorker::~IoWorker()
{
    m_mailbox->close();
    if (m_listenDescriptor >= 0)
        closeDescriptor(m_listenDescriptor);
}

void IoWorker::post(std::function<void()> task)
{
    m_queued.fetch_add(1, std::memory_order_relaxed);
    bool wake = false;
    {
        std::lock_guard lock(m_tasksMutex);
        wake = m_tasks.empty();
        m_tasks.push_back(std::move(task));
    }
    if (wake)
        QMetaObject::invokeMethod(this, &IoWorker::drainTasks, Qt::QueuedConnection);
}

void IoWorker::drainTasks()
{
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(m_tasksMutex);
        tasks.swap(m_tasks);
    }
    // Deliveries of all these tasks leave together: one write per socket, not per frame. A lone
    // task is batched too: writing its frames as it goes saved a fifth of the fan-out's
    // instructions but cost more CPU time and wall time in an interleaved A/B (probably the
    // cache: the batch touches the recipients' objects in one pass and makes the system calls in
    // another; issue 19 in docs/benchmarks.md). SWITCHBOARD_WRITE_BATCH=0 writes each frame at
    // once instead.
    static const bool batching = qEnvironmentVariableIntValue("SWITCHBOARD_WRITE_BATCH") != 0
                                 || !qEnvironmentVariableIsSet("SWITCHBOARD_WRITE_BATCH");
    std::optional<WsStream::Batch> batch;
    if (batching)
        batch.emplace();
    for (std::function<void()> &task : tasks) {
        m_queued.fetch_sub(1, std::memory_order_relaxed);
        task();
        if (batch && WsStream::Batch::pending() >= 65536)
            WsStream::Batch::flush();
    }
}

void IoWorker::start()
{
    const ServerConfig &config = m_server.config();
    m_http = new HttpFront(m_router, m_server, *this);
    m_tcp = new GuardedTcpServer(m_httpConnections, config.maxHttpConnections, this);
    if (!m_tcp->setSocketDescriptor(m_listenDescriptor)) {
        qCCritical(lcServer) << "I/O thread" << m_index << "cannot adopt its listener:" << m_tcp->errorString();
        delete m_tcp;
        m_tcp = nullptr;
        return;
    }
    m_listenDescriptor = -1; // the QTcpServer owns it now
    m_tcp->setTls(m_server.tls());
    m_http->bind(m_tcp);
    connect(m_http, &HttpFront::requestReceived, m_tcp, &GuardedTcpServer::requestReceived);
    connect(m_tcp, &GuardedTcpServer::tlsHandshakeFailed, this,
            [this] { m_server.metrics().tlsHandshakeFailures.fetch_add(1, std::memory_order_relaxed); });

    // Every connection is visited once per pass; a pass is spread over ticks of at most
    // 50 ms, each visiting its share of the connections. One sweep over 10,000 connections at
    // once touches 20,000 cold cache lines and sends every ping that came due: a stall of
    // several milliseconds that showed up as p99 latency.
    m_sweepPass.passMs = qBound(20, qMin(config.heartbeatIntervalMs, config.heartbeatTimeoutMs) / 4, 1000);
    m_sweepTimer.setInterval(std::min({m_sweepPass.passMs, 50, qMax(20, config.handshakeTimeoutMs / 2)}));
    connect(&m_sweepTimer, &QTimer::timeout, this, &IoWorker::sweep);
    m_sweepTimer.start();
    // Engine.IO heartbeats run on their own, finer clock (the fixture pings every 300 ms).
    m_eioPass.passMs = qBound(10, qMin(config.socketioPingIntervalMs, config.socketioPingTimeoutMs) / 10, 500);
    m_eioTimer.setInterval(qMin(m_eioPass.passMs, 50));
    connect(&m_eioTimer, &QTimer::timeout, this, &IoWorker::sweepEngineIo);
    m_eioTimer.start();
}

void IoWorker::runOn(IoWorker *worker, std::function<void()> task)
{
    if (QThread::currentThread() == worker->thread())
        task();
    else
        worker->post(std::move(task));
}

namespace {

QByteArray eioError(int code, const char *message)
{
    return QByteArrayLiteral("{\"code\":") + QByteArray::number(code) + QByteArrayLiteral(",\"message\":\"")
        + message + QByteArrayLiteral("\"}");
}

} // namespace

namespace {

/// Around one delivery task: the server's out counters are updated once for all its recipients
/// (Connection::countOut() counts into the tally) and the emit latency with one clock read
/// instead of one per recipient: each delivery is recorded (one sample each, as before) with
/// the time the task's last frame was handed over (written, or collected for the batch's write).
class FanOut final
{
    Q_DISABLE_COPY_MOVE(FanOut)

public:
    FanOut(Server &server, const OutboundFrame &frame) : m_server(server), m_frame(frame), m_tally(server) {}
    ~FanOut()
    {
        if (const quint64 delivered = m_tally.messages())
            m_server.metrics().latency.record((Server::monotonicNs() - m_frame.emittedNs) / 1000, delivered);
    }

private:
    Server &m_server;
    const OutboundFrame &m_frame;
    OutTally m_tally;
};

} // namespace

const QByteArray &OutboundFrame::nativeFrame() const
{
    m_nativeOnce.run([this] {
        const QByteArray utf8 = text.toUtf8();
        m_native = WsStream::frame(WsStream::Text, utf8);
        m_nativeHeader = m_native.size() - utf8.size();
    });
    return m_native;
}

EioSession *IoWorker::openEngineIo(bool socketIo, const QString &address, const QHostAddress &client, const QUrl &url,
                                   const QList<QPair<QByteArray, QByteArray>> &headers)
{
    const ServerConfig &config = m_server.config();
    // A session that has not connected a namespace is unauthenticated: it holds a slot of
    // --max-pending-sessions until it does (SioConnection gives it back) or goes.
    if (socketIo && !m_server.reservePendingSession()) {
        qCInfo(lcWs) << "refusing Engine.IO session from" << address << "over" << config.maxPendingSessions
                     << "pending sessions";
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("refused"), QString(), QString(), 0,
                                   QStringLiteral("too many pending Socket.IO sessions (%1)").arg(config.maxPendingSessions));
        return nullptr;
    }
    EioSession::Settings settings;
    settings.pingIntervalMs = config.socketioPingIntervalMs;
    settings.pingTimeoutMs = config.socketioPingTimeoutMs;
    settings.maxPayload = config.socketioMaxPayload;
    settings.maxBufferedBytes = m_server.limits().maxPendingBytes(); // reloaded by SIGHUP: sessions opened after it
    settings.controlFrameRate = config.controlFrameRate;
    // Not for the official test suites' fixture, which time the first ping.
    settings.spreadFirstPing = !config.socketioTestFixture;
    const QString sid = QString::fromLatin1(QUuid::createUuid().toRfc4122().toBase64(
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    auto *session = new EioSession(*this, sid, settings, this);
    m_eio.insert(sid, session);
    m_server.registerEngineIo(sid, this);
    connect(session, &EioSession::closed, this, [this, session, client](const QString &closedSid) {
        m_server.connectionsPerAddress().release(client);
        m_server.unregisterEngineIo(closedSid);
        m_eio.remove(closedSid);
        session->deleteLater();
        checkDrained();
    });
    if (socketIo) {
        // The handshake's query, when --claim-rooms-query may fill room templates from it or
        // the connect proxy shows it to the back end, with its allow-listed headers.
        const ConnectHandler *proxy = m_server.connectHandler();
        auto handler = std::make_unique<SioConnection>(*this, m_server, *session, address,
                                                       config.claimRoomsQuery.isEmpty() && !proxy ? QUrlQuery() : QUrlQuery(url));
        if (proxy)
            handler->setHandshakeHeaders(ConnectHandler::pick(headers, proxy->headerNames()));
        session->setHandler(std::move(handler));
    } else {
        session->setHandler(std::make_unique<EioEcho>(*session)); // the test fixture's /engine.io/
    }
    return session;
}

IoWorker::EngineIoRequest IoWorker::handleEngineIoRequest(const RequestData &request, HttpSocket *socket)
{
    const ServerConfig &config = m_server.config();
    const QString path = request.path();
    const bool socketIo = path.startsWith(config.socketioPath);
    if (!socketIo && !(config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/"))))
        return EngineIoRequest::NotEngineIo;
    const QUrlQuery query(request.url());
    const bool upgrade = request.value(QByteArrayLiteral("upgrade")).compare("websocket", Qt::CaseInsensitive) == 0;
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    const QString sid = query.queryItemValue(QStringLiteral("sid"));
    const QByteArray origin = request.value(QByteArrayLiteral("origin"));
    const quint64 token = m_nextToken++;
    m_held.insert(token, {socket, {}, origin});
    holdHttp(socket, true); // a held long-poll is not an idle connection
    auto refuse = [&](int status, const QByteArray &body) {
        answerHeld(token, status, body);
        // A refused upgrade is answered here and must not reach QtWebSockets.
        return upgrade ? EngineIoRequest::RefusedUpgrade : EngineIoRequest::Handled;
    };
    if (query.queryItemValue(QStringLiteral("EIO")) != QLatin1String("4"))
        return refuse(400, eioError(5, "Unsupported protocol version"));
    if (transport != QLatin1String("polling") && transport != QLatin1String("websocket"))
        return refuse(400, eioError(0, "Transport unknown"));
    if (request.method() == RequestData::Method::Options) {
        answerHeld(token, 204, {});
        return EngineIoRequest::Handled;
    }
    if (upgrade) {
        if (transport != QLatin1String("websocket"))
            return refuse(400, eioError(3, "Bad request"));
        m_held.remove(token); // HttpFront completes the handshake
        holdHttp(socket, false);
        return EngineIoRequest::Upgrade;
    }
    if (transport != QLatin1String("polling"))
        return refuse(400, eioError(3, "Bad request"));
    const bool get = request.method() == RequestData::Method::Get;
    const bool post = request.method() == RequestData::Method::Post;
    if (sid.isEmpty()) {
        if (!get)
            return refuse(400, eioError(2, "Bad handshake method"));
        // A client reconnecting at once (after a shutdown's transport close) on a kept-alive
        // connection must not open a session that would hold the draining thread.
        if (m_shuttingDown)
            return refuse(503, eioError(4, "Server shutting down"));
        // Behind a trusted proxy the client is the address X-Forwarded-For names (no port).
        const QHostAddress client = m_server.clientAddress().of(request);
        const QString address = clientText(client, socket->peerAddress(), socket->peerPort());
        if (!m_server.connectionsPerAddress().tryAcquire(client))
            return refuse(429, eioError(4, "Too many connections from this address"));
        EioSession *session = openEngineIo(socketIo, address, client, request.url(), request.headers());
        if (!session) {
            m_server.connectionsPerAddress().release(client);
            return refuse(503, eioError(4, "Too many pending sessions, try again later"));
        }
        answerHeld(token, 200, session->openPacket());
        return EngineIoRequest::Handled;
    }
    IoWorker *owner = m_server.engineIoOwner(sid);
    if (!owner || (!get && !post))
        return refuse(400, owner ? eioError(3, "Bad request") : eioError(1, "Session ID unknown"));
    if (get) {
        // A poll that the client gives up on (closes) ends the session, as in Engine.IO.
        m_held[token].abortWatch = connect(socket, &HttpSocket::disconnected, this, [this, owner, sid, token] {
            m_held.remove(token);
            runOn(owner, [owner, sid, token] {
                if (EioSession *session = owner->engineIoSession(sid))
                    session->pollAborted(token);
            });
        });
    }
    const QByteArray body = post ? request.body() : QByteArray();
    runOn(owner, [owner, requester = this, sid, token, get, body] {
        EioSession *session = owner->engineIoSession(sid);
        if (!session) {
            runOn(requester, [requester, token] { requester->answerHeld(token, 400, eioError(1, "Session ID unknown")); });
            return;
        }
        if (get)
            session->poll({requester, token});
        else
            session->post(body, {requester, token});
    });
    return EngineIoRequest::Handled;
}

void IoWorker::refusedEngineIoBody(const RequestData &head)
{
    const ServerConfig &config = m_server.config();
    const QString path = head.path();
    if (!path.startsWith(config.socketioPath) && !(config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/"))))
        return; // an API route's 413: no session involved
    const QString sid = QUrlQuery(head.url()).queryItemValue(QStringLiteral("sid"));
    IoWorker *owner = sid.isEmpty() ? nullptr : m_server.engineIoOwner(sid);
    if (!owner)
        return;
    runOn(owner, [owner, sid] {
        if (EioSession *session = owner->engineIoSession(sid))
            session->refusedOversized();
    });
}

void IoWorker::holdHttp(HttpSocket *socket, bool held)
{
    if (!m_tcp)
        return;
    m_tcp->setHeld(socket, held);
    // Answered: what the client sent behind the request is read and served now.
    if (!held && m_http && !m_tcp->isHeld(socket))
        m_http->resume(socket);
}

void IoWorker::answerHeld(quint64 token, int status, const QByteArray &body)
{
    const Held held = m_held.take(token);
    if (held.abortWatch)
        disconnect(held.abortWatch);
    HttpSocket *socket = held.socket;
    if (!socket)
        return;
    if (!socket->isConnected()) {
        holdHttp(socket, false);
        return;
    }
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReasonPhrase(status) + "\r\n";
    out += status == 200 ? "Content-Type: text/plain; charset=UTF-8\r\n" : "Content-Type: application/json\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\n";
    const QString &cors = m_server.config().socketioCorsOrigin;
    if (!cors.isEmpty()) {
        out += "Access-Control-Allow-Origin: " + (cors == QLatin1String("*") && !held.origin.isEmpty() ? held.origin : cors.toUtf8()) + "\r\n";
        out += "Access-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
               "Access-Control-Allow-Headers: content-type\r\nVary: Origin\r\n";
    }
    out += "\r\n";
    out += body;
    socket->write(out);
    holdHttp(socket, false); // after the answer: what came behind it is served next
}

void IoWorker::acceptEngineIo(const WsUpgrade &upgrade, bool socketIo)
{
    const QString sid = QUrlQuery(upgrade.url).queryItemValue(QStringLiteral("sid"));
    if (m_shuttingDown) {
        reject(new WsStream(upgrade.descriptor, this), Protocol::GoingAway, QStringLiteral("server shutting down"));
        return;
    }
    if (sid.isEmpty()) {
        if (!m_server.connectionsPerAddress().tryAcquire(upgrade.client)) {
            reject(new WsStream(upgrade.descriptor, this), Protocol::TryAgainLater,
                   QStringLiteral("too many connections from this address"));
            return;
        }
        EioSession *session = openEngineIo(socketIo, upgrade.peer, upgrade.client, upgrade.url, upgrade.headers);
        if (!session) {
            m_server.connectionsPerAddress().release(upgrade.client);
            reject(new WsStream(upgrade.descriptor, this), Protocol::TryAgainLater,
                   QStringLiteral("too many pending sessions, try again later"));
            return;
        }
        session->startWebSocket(new WsStream(upgrade.descriptor, nullptr, upgrade.leftover));
        return;
    }
    IoWorker *owner = m_server.engineIoOwner(sid);
    if (!owner) {
        reject(new WsStream(upgrade.descriptor, this), Protocol::PolicyViolation, QStringLiteral("Session ID unknown"));
        return;
    }
    // An upgrade of a polling session: the stream is built on the session's thread, so its
    // notifiers live there from the start.
    runOn(owner, [owner, descriptor = upgrade.descriptor, sid, leftover = upgrade.leftover] {
        owner->adoptProbe(descriptor, sid, leftover);
    });
}

void IoWorker::adoptProbe(qintptr descriptor, const QString &sid, const QByteArray &leftover)
{
    auto *stream = new WsStream(descriptor, nullptr, leftover);
    if (EioSession *session = engineIoSession(sid))
        session->probeOpened(stream);
    else
        reject(stream, Protocol::PolicyViolation, QStringLiteral("Session ID unknown"));
}

void IoWorker::sweepEngineIo()
{
    if (m_eio.isEmpty())
        return;
    const qint64 now = Server::monotonicMs();
    m_eioPass.tick(m_eio, m_eioTimer.interval(), [now](EioSession *session) { session->tick(now); });
}

void IoWorker::webSocketOpened(WsUpgrade upgrade)
{
    const ServerConfig &config = m_server.config();
    const QString path = upgrade.url.path();
    if (const WsEndpoints::Open *open = m_server.wsEndpoints().find(path))
        (*open)(*this, upgrade); // a path served above the transport (the admin channel)
    else if (path.startsWith(config.socketioPath))
        acceptEngineIo(upgrade, true);
    else if (config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/")))
        acceptEngineIo(upgrade, false);
    else
        accept(upgrade);
}

void IoWorker::reject(WsStream *stream, int code, const QString &reason)
{
    m_server.metrics().countClose(code);
    dispose(stream, code, reason);
}

void IoWorker::dispose(WsStream *stream, int code, const QString &reason)
{
    stream->setParent(this);
    m_disposing.insert(stream);
    connect(stream, &QObject::destroyed, this, [this, stream] {
        m_disposing.remove(stream);
        checkDrained();
    });
    stream->closeAndDispose(code, reason);
}

void IoWorker::checkDrained()
{
    if (m_shuttingDown && !m_drainReported && m_connections.isEmpty() && m_eio.isEmpty() && m_disposing.isEmpty()
        && m_preAuth.empty()) {
        m_drainReported = true;
        Q_EMIT drained();
    }
}

void IoWorker::accept(const WsUpgrade &upgrade)
{
    const ServerConfig &config = m_server.config();
    Metrics &metrics = m_server.metrics();
    const QString &address = upgrade.peer;
    auto socket = std::make_unique<WsStream>(upgrade.descriptor, nullptr, upgrade.leftover);
    if (m_shuttingDown) {
        reject(socket.release(), Protocol::GoingAway, QStringLiteral("server shutting down"));
        return;
    }
    const int maxConnections = m_server.limits().maxConnections();
    if (!takeSlot(metrics.connectionsCurrent, maxConnections)) {
        qCInfo(lcWs) << "server full, refusing" << address;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("refused"), QString(), QString(), 0,
                                   QStringLiteral("server full (%1 connections)").arg(maxConnections));
        reject(socket.release(), Protocol::TryAgainLater, QStringLiteral("server full, try again later"));
        return;
    }
    if (!m_server.connectionsPerAddress().tryAcquire(upgrade.client)) {
        metrics.connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "refusing" << address << "over --max-connections-per-ip";
        reject(socket.release(), Protocol::TryAgainLater, QStringLiteral("too many connections from this address"));
        return;
    }
    const QUrlQuery query(upgrade.url);
    QByteArray token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    if (token.isEmpty() && upgrade.authorization.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        token = upgrade.authorization.mid(7).trimmed();
    if (token.isEmpty() && config.authGraceMs > 0) {
        startPreAuth(std::move(socket), upgrade.client, address, query, upgrade.headers);
        return;
    }
    if (m_server.connectHandler()) {
        // The back end decides, with or without a token (a session cookie).
        askConnectProxy(std::move(socket), upgrade.client, address, query, upgrade.headers, token, std::nullopt, false);
        return;
    }
    if (token.isEmpty()) {
        refuseNative(std::move(socket), upgrade.client, address, Protocol::MissingCredentials, QStringLiteral("missing credentials"));
        return;
    }
    const Jwt::Result jwt = m_server.verifyToken(token);
    if (!jwt.ok()) {
        refuseNative(std::move(socket), upgrade.client, address, Protocol::InvalidToken, jwt.message);
        return;
    }
    if (claimsAnotherUser(query, jwt.userId)) {
        refuseNative(std::move(socket), upgrade.client, address, Protocol::UserMismatch, QStringLiteral("userId does not match the token"));
        return;
    }
    admitNative(std::move(socket), upgrade.client, address, query, jwt, std::nullopt);
}

bool IoWorker::claimsAnotherUser(const QUrlQuery &query, const QString &userId)
{
    // The optional ?userId= must name the token's user (SPEC section 2).
    const QString claimed = query.queryItemValue(QStringLiteral("userId"), QUrl::FullyDecoded);
    return !claimed.isEmpty() && claimed != userId;
}

void IoWorker::startPreAuth(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                            const QUrlQuery &query, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    // Unauthenticated connections share --max-pending-sessions with Engine.IO sessions that
    // have not connected: that many at most, whatever --max-connections allows.
    if (!m_server.reservePendingSession()) {
        m_server.connectionsPerAddress().release(client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "refusing" << address << "over" << m_server.config().maxPendingSessions << "unauthenticated connections";
        reject(socket.release(), Protocol::TryAgainLater, QStringLiteral("too many unauthenticated connections"));
        return;
    }
    socket->setMaxMessageSize(Protocol::kPreAuthMaxMessageBytes);
    socket->setMaxBufferedBytes(m_server.limits().maxPendingBytes());
    socket->setControlFrameLimit(m_server.config().controlFrameRate, m_server.config().controlFrameRate * 2);
    WsStream *stream = socket.get();
    connect(stream, &WsStream::textReceived, this, [this, stream](const QByteArray &utf8) { preAuthText(stream, utf8); });
    connect(stream, &WsStream::binaryReceived, this, [this, stream](const QByteArray &) {
        dropPreAuth(stream, Protocol::PolicyViolation, QStringLiteral("binary frame before authentication"));
    });
    connect(stream, &WsStream::disconnected, this, [this, stream] { dropPreAuth(stream, 0, QString()); });
    PreAuth pending{std::move(socket), client, address, query, Server::monotonicMs() + m_server.config().authGraceMs};
    pending.headers = headers;
    m_preAuth.emplace(stream, std::move(pending));
    qCDebug(lcAuth) << "connection from" << address << "waits for authenticate";
}

void IoWorker::dropPreAuth(WsStream *stream, int code, const QString &reason)
{
    const auto it = m_preAuth.find(stream);
    if (it == m_preAuth.end())
        return;
    PreAuth pending = std::move(it->second);
    m_preAuth.erase(it);
    pending.socket->disconnect(this);
    m_server.releasePendingSession();
    m_server.connectionsPerAddress().release(pending.client);
    m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
    if (code == 0) {
        // Gone by itself: nothing to close; deleted on its way out of this handler.
        pending.socket.release()->deleteLater();
        checkDrained();
        return;
    }
    qCInfo(lcAuth).noquote() << "closing unauthenticated" << pending.address << "with" << code << reason;
    reject(pending.socket.release(), code, reason);
}

void IoWorker::sweepPreAuth(qint64 nowMs)
{
    std::vector<WsStream *> late;
    for (const auto &[stream, pending] : m_preAuth) {
        if (nowMs >= pending.deadlineMs)
            late.push_back(stream);
    }
    for (WsStream *stream : late) {
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                                   QStringLiteral("%1 authentication timeout from %2").arg(int(Protocol::MissingCredentials))
                                       .arg(m_preAuth.at(stream).address));
        dropPreAuth(stream, Protocol::MissingCredentials, QStringLiteral("authentication timeout"));
    }
}

void IoWorker::preAuthText(WsStream *stream, const QByteArray &utf8)
{
    const auto it = m_preAuth.find(stream);
    if (it == m_preAuth.end())
        return;
    PreAuth &pending = it->second;
    QString jsonError;
    const QJsonObject message = Json::parse(utf8, &jsonError).object();
    const QJsonValue id = message.value(QLatin1String("id"));
    if (message.value(QLatin1String("type")).toString() != QLatin1String("authenticate")) {
        if (++pending.messages > Protocol::kPreAuthMaxMessages) {
            dropPreAuth(stream, Protocol::PolicyViolation, QStringLiteral("too many messages before authentication"));
            return;
        }
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        stream->sendText(Protocol::error(QStringLiteral("unauthenticated"),
                                         QStringLiteral("authenticate first: {\"type\":\"authenticate\",\"token\":\"...\"}"), id)
                             .toUtf8());
        return;
    }
    const QByteArray token = message.value(QLatin1String("token")).toString().toUtf8();
    const Jwt::Result jwt = token.isEmpty() ? Jwt::Result() : m_server.verifyToken(token);
    QString code;
    QString why;
    if (token.isEmpty()) {
        code = QStringLiteral("missing_token");
        why = QStringLiteral("\"token\" is required");
    } else if (!jwt.ok()) {
        code = QStringLiteral("invalid_token");
        why = jwt.message;
    } else if (claimsAnotherUser(pending.query, jwt.userId)) {
        code = QStringLiteral("user_mismatch");
        why = QStringLiteral("userId does not match the token");
    }
    if (!code.isEmpty()) {
        // Every failed token counts; a few and the connection goes.
        m_server.metrics().authFailures.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAuth).noquote() << "authenticate from" << pending.address << "failed:" << why;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                                   QStringLiteral("authenticate: %1 from %2").arg(why, pending.address));
        stream->sendText(NativeConnection::authError(code, why, id).toUtf8());
        if (++pending.failures >= Protocol::kPreAuthMaxFailures)
            dropPreAuth(stream, Protocol::InvalidToken, QStringLiteral("too many failed authentications"));
        return;
    }
    // Valid: the connection leaves the pre-auth state and goes the way of a handshake token.
    PreAuth admitted = std::move(pending);
    m_preAuth.erase(it);
    admitted.socket->disconnect(this);
    if (m_server.connectHandler()) {
        // The token it carries goes to the back end like a handshake's; the pending slot stays.
        askConnectProxy(std::move(admitted.socket), admitted.client, admitted.address, admitted.query, admitted.headers,
                        token, id, true);
        return;
    }
    m_server.releasePendingSession();
    admitNative(std::move(admitted.socket), admitted.client, admitted.address, admitted.query, jwt, id);
}

void IoWorker::askConnectProxy(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                               const QUrlQuery &query, const QList<QPair<QByteArray, QByteArray>> &headers,
                               const QByteArray &token, std::optional<QJsonValue> inBandId, bool holdsPendingSlot)
{
    // Connections waiting for the back end share --max-pending-sessions with unauthenticated
    // ones: a stalled back end holds that many at most.
    if (!holdsPendingSlot && !m_server.reservePendingSession()) {
        m_server.connectionsPerAddress().release(client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "refusing" << address << "over" << m_server.config().maxPendingSessions
                     << "connections waiting for the connect proxy";
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("refused"), QString(), QString(), 0,
                                   QStringLiteral("too many pending connections (%1) from %2")
                                       .arg(m_server.config().maxPendingSessions).arg(address));
        socket->sendText(Protocol::error(QStringLiteral("too_many_pending"),
                                         QStringLiteral("too many connections are waiting to be admitted; try again later"))
                             .toUtf8());
        reject(socket.release(), Protocol::TryAgainLater, QStringLiteral("too many pending connections, try again later"));
        return;
    }
    ConnectRequest request;
    request.protocol = QStringLiteral("native");
    request.address = address;
    request.token = QString::fromUtf8(token);
    request.inBand = inBandId.has_value();
    request.query = query;
    request.headers = headers;
    if (!token.isEmpty()) {
        const Jwt::Result jwt = m_server.verifyToken(token);
        request.tokenVerified = jwt.ok();
        request.userId = jwt.userId;
        request.claims = jwt.claims;
        request.tokenError = jwt.ok() ? QString() : jwt.message;
    }
    // Nothing is read until the verdict: what the client sends meanwhile waits in the kernel.
    socket->setReadingPaused(true);
    const quint64 key = m_nextConnectWait++;
    m_connectWaits.emplace(key, ConnectWait{std::move(socket), client, address, query, std::move(inBandId)});
    // The answer comes on the hooks thread; if this worker is gone by then, so is the socket.
    const std::shared_ptr<Mailbox> mailbox = m_mailbox;
    m_server.connectHandler()->handle(std::move(request), [this, mailbox, key](const ConnectDecision &decision) {
        mailbox->post([this, key, decision] { connectDecided(key, decision); });
    });
}

void IoWorker::connectDecided(quint64 key, const ConnectDecision &decision)
{
    const auto it = m_connectWaits.find(key);
    if (it == m_connectWaits.end())
        return; // closed by shutdown() meanwhile
    ConnectWait wait = std::move(it->second);
    m_connectWaits.erase(it);
    m_server.releasePendingSession();
    // A client that left while the back end decided (its close frame or its end of stream
    // waits unread) is not admitted: no join, no presence, no webhook for a connection that
    // is gone, whatever the answer.
    if (!wait.socket->isOpen() || wait.socket->peerLeft()) {
        m_server.connectionsPerAddress().release(wait.client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        qCDebug(lcAuth).noquote() << wait.address << "left while the connect proxy decided; not admitted";
        wait.socket->abort();
        return;
    }
    wait.socket->setReadingPaused(false);
    if (!decision.admitted) {
        // The reason in full first; a close frame's reason is cut at 123 bytes.
        wait.socket->sendText((wait.inBandId ? NativeConnection::authError(decision.code, decision.message, *wait.inBandId)
                                             : Protocol::error(decision.code, decision.message))
                                  .toUtf8());
        refuseNative(std::move(wait.socket), wait.client, wait.address,
                     decision.unavailable ? Protocol::TryAgainLater : Protocol::ConnectRefused,
                     QStringLiteral("%1: %2").arg(decision.code, decision.message));
        return;
    }
    if (claimsAnotherUser(wait.query, decision.userId)) {
        refuseNative(std::move(wait.socket), wait.client, wait.address, Protocol::UserMismatch,
                     QStringLiteral("userId does not match the connection's user"));
        return;
    }
    Jwt::Result identity;
    identity.userId = decision.userId;
    identity.claims = decision.claims;
    admitNative(std::move(wait.socket), wait.client, wait.address, wait.query, identity, std::move(wait.inBandId),
                decision.rooms);
}

void IoWorker::admitNative(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address,
                           const QUrlQuery &query, const Jwt::Result &jwt, std::optional<QJsonValue> inBandId,
                           const QStringList &extraRooms)
{
    const ServerConfig &config = m_server.config();
    QString roomsError;
    QStringList rooms = m_server.roomPolicy().roomsForConnect(jwt.userId, jwt.claims, query, &roomsError,
                                                              m_server.subscribeRuleCovers());
    // The connect proxy's rooms: the back end's word, checked only as names (ConnectProxy).
    for (const QString &room : extraRooms) {
        if (!rooms.contains(room))
            rooms << room;
    }
    if (!roomsError.isEmpty()) {
        if (inBandId)
            socket->sendText(NativeConnection::authError(QStringLiteral("invalid_query"), roomsError, *inBandId).toUtf8());
        refuseNative(std::move(socket), client, address, Protocol::PolicyViolation, roomsError.left(120));
        return;
    }

    socket->setMaxMessageSize(m_server.limits().maxMessageSize());
    socket->setMaxBufferedBytes(m_server.limits().maxPendingBytes());
    socket->setControlFrameLimit(config.controlFrameRate, config.controlFrameRate * 2);

    auto info = std::make_shared<ConnectionInfo>();
    info->id = m_server.nextConnectionId();
    info->userId = jwt.userId;
    info->role = jwt.claims.value(QLatin1String("role")).toString();
    info->address = address;
    info->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    info->worker = m_index;
    NativeAdmission admission{std::move(socket), info, rooms, jwt.claims, client, std::move(inBandId),
                              query.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded)};

    // The verdict comes back to this thread; if the worker is gone by then, an admitted
    // connection that never opened is handed back.
    Server *server = &m_server;
    const std::shared_ptr<Mailbox> mailbox = m_mailbox;
    const quint64 id = info->id;
    const QString userId = info->userId;
    auto later = [this, server, mailbox, id, userId](bool admitted) {
        if (!mailbox->post([this, id, userId, admitted] { nativeAdmissionDecided(id, userId, admitted); }) && admitted)
            server->userConnectionClosed(userId, id);
    };
    switch (m_server.admitUser(userId, id, std::move(later))) {
    case Broker::Admission::Admitted:
        openNative(std::move(admission));
        return;
    case Broker::Admission::Refused:
        refuseNative(std::move(admission.socket), admission.client, address, Protocol::TryAgainLater,
                     QStringLiteral("too many connections for this user"));
        return;
    case Broker::Admission::Pending:
        // Nothing is read from the client (nor a welcome sent) until the cluster has counted it.
        admission.socket->setReadingPaused(true);
        m_nativeAdmissions.emplace(id, std::move(admission));
        return;
    }
}

void IoWorker::refuseNative(std::unique_ptr<WsStream> socket, const QHostAddress &client, const QString &address, int code,
                            const QString &reason)
{
    Metrics &metrics = m_server.metrics();
    m_server.connectionsPerAddress().release(client);
    metrics.connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
    metrics.authFailures.fetch_add(1, std::memory_order_relaxed);
    qCInfo(lcAuth).noquote() << "refused" << address << "with" << code << reason;
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                               QStringLiteral("%1 %2 from %3").arg(code).arg(reason, address));
    reject(socket.release(), code, reason);
}

void IoWorker::openNative(NativeAdmission admission)
{
    const std::shared_ptr<ConnectionInfo> &info = admission.info;
    m_server.metrics().connectionsTotal.fetch_add(1, std::memory_order_relaxed);
    if (m_server.connectionsPerAddress().enabled())
        m_nativeClients.insert(info->id, admission.client);
    const QString address = info->address;
    const quint64 id = info->id;
    const QString userId = info->userId;
    auto *connection = new NativeConnection(*this, m_server, std::move(admission.socket), info, admission.rooms,
                                            admission.authenticatedId);
    connection->setTokenExpiry(admission.claims);
    if (!admission.since.isNull()) // ?since= (docs/protocol.md, "Resume")
        connection->resume(admission.since);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("connect"), QString(), userId, id, address);
    qCDebug(lcWs) << "connection" << id << "user" << userId << "from" << address << "on thread" << m_index;
}

void IoWorker::nativeAdmissionDecided(quint64 id, const QString &userId, bool admitted)
{
    const auto it = m_nativeAdmissions.find(id);
    if (it == m_nativeAdmissions.end()) {
        // Closed by shutdown() while the cluster counted it.
        if (admitted)
            m_server.userConnectionClosed(userId, id);
        return;
    }
    NativeAdmission admission = std::move(it->second);
    m_nativeAdmissions.erase(it);
    if (!admission.socket->isOpen()) {
        // Gone meanwhile without being read (a TLS stream whose 101 could not be written):
        // nothing to open or to refuse.
        if (admitted)
            m_server.userConnectionClosed(userId, id);
        m_server.connectionsPerAddress().release(admission.client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    // A client that left meanwhile is noticed now: the connection opens and closes at once
    // (and is handed back), or the refusal's close meets a closed socket.
    admission.socket->setReadingPaused(false);
    if (admitted)
        openNative(std::move(admission));
    else
        refuseNative(std::move(admission.socket), admission.client, admission.info->address, Protocol::TryAgainLater,
                     QStringLiteral("too many connections for this user"));
}

void IoWorker::indexJoin(Connection *connection, const QString &room)
{
    m_rooms[room].insert(connection);
}

void IoWorker::indexLeave(Connection *connection, const QString &room)
{
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->remove(connection);
    if (it->isEmpty())
        m_rooms.erase(it);
}

void IoWorker::connectionOpened(Connection *connection)
{
    m_connections.insert(connection->id(), connection);
}

void IoWorker::connectionClosed(Connection *connection)
{
    m_connections.remove(connection->id());
    if (const auto it = m_nativeClients.constFind(connection->id()); it != m_nativeClients.cend()) {
        m_server.connectionsPerAddress().release(*it);
        m_nativeClients.erase(it);
    }
    checkDrained();
}

void IoWorker::deliver(Connection *connection, const OutboundFrame &frame)
{
    if (connection->id() == frame.exceptConnectionId
        || (!frame.exceptUserId.isEmpty() && connection->userId() == frame.exceptUserId))
        return;
    if (!frame.exceptRooms.isEmpty()) {
        if (frame.exceptConnectionRooms.contains(connection->id()))
            return;
        for (const QString &room : frame.exceptRooms) {
            if (connection->rooms().contains(room))
                return;
        }
    }
    connection->deliver(frame);
}

void IoWorker::deliverToRoom(const QString &room, const std::shared_ptr<const OutboundFrame> &frame)
{
    const FanOut fanOut(m_server, *frame);
    if (!frame->moreRooms.isEmpty() || !frame->connectionRooms.isEmpty()) {
        // Several rooms (the Socket.IO adapter's to([...])): a socket in more than one gets
        // the event once. A socket id among them is that socket.
        QSet<Connection *> members = m_rooms.value(room);
        for (const QString &more : frame->moreRooms)
            members.unite(m_rooms.value(more));
        for (quint64 id : frame->connectionRooms) {
            if (Connection *connection = m_connections.value(id))
                members.insert(connection);
        }
        for (Connection *connection : std::as_const(members))
            deliver(connection, *frame);
        return;
    }
    const auto it = m_rooms.constFind(room);
    if (it == m_rooms.cend())
        return;
    // A copy of the implicitly shared set: free unless a send drops a member mid-loop.
    const QSet<Connection *> members = *it;
    for (Connection *connection : members)
        deliver(connection, *frame);
}

void IoWorker::deliverToAll(const std::shared_ptr<const OutboundFrame> &frame)
{
    const FanOut fanOut(m_server, *frame);
    const auto connections = m_connections;
    for (Connection *connection : connections)
        deliver(connection, *frame);
}

void IoWorker::deliverToConnection(quint64 id, const std::shared_ptr<const OutboundFrame> &frame)
{
    const FanOut fanOut(m_server, *frame);
    if (Connection *connection = m_connections.value(id))
        deliver(connection, *frame);
}

void IoWorker::sweep()
{
    const ServerConfig &config = m_server.config();
    const qint64 now = Server::monotonicMs();
    m_sweepPass.tick(m_connections, m_sweepTimer.interval(), [&](Connection *connection) {
        connection->heartbeat(now, config.heartbeatIntervalMs, config.heartbeatTimeoutMs);
    });
    if (!m_preAuth.empty())
        sweepPreAuth(now);
    if (m_tcp) {
        if (const int closed = m_tcp->closeIdle(now, config.handshakeTimeoutMs, config.httpIdleTimeoutMs))
            qCDebug(lcHttp) << "closed" << closed << "idle HTTP connections";
    }
}

void IoWorker::shutdown(int code, const QString &reason)
{
    m_shuttingDown = true;
    if (m_tcp)
        m_tcp->close();
    // Connections the cluster is still counting never opened: closed like a refused one.
    auto admissions = std::exchange(m_nativeAdmissions, {});
    for (auto &[id, admission] : admissions) {
        m_server.connectionsPerAddress().release(admission.client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        admission.socket->setReadingPaused(false);
        reject(admission.socket.release(), code, reason);
    }
    // Connections the connect proxy's back end has not answered for: likewise (its answer,
    // when it comes, finds nothing).
    auto waits = std::exchange(m_connectWaits, {});
    for (auto &[key, wait] : waits) {
        m_server.releasePendingSession();
        m_server.connectionsPerAddress().release(wait.client);
        m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        wait.socket->setReadingPaused(false);
        reject(wait.socket.release(), code, reason);
    }
    std::vector<WsStream *> unauthenticated;
    for (const auto &entry : m_preAuth)
        unauthenticated.push_back(entry.first);
    for (WsStream *stream : unauthenticated)
        dropPreAuth(stream, code, reason);
    const auto connections = m_connections;
    for (Connection *connection : connections)
        connection->close(code, reason);
    // Engine.IO sessions that never connected a namespace (or the fixture's echo) go too.
    const auto sessions = m_eio;
    for (EioSession *session : sessions) {
        if (!session->isClosed())
            session->close(reason);
    }
    checkDrained();
}

void IoWorker::finishThread()
{
    m_shuttingDown = true;
    m_drainReported = true; // nobody waits any more
    m_sweepTimer.stop();
    m_eioTimer.stop();
    // What did not finish closing in time goes now, in this thread (sockets and notifiers
    // must not be touched from another one).
    const auto connections = m_connections;
    for (Connection *connection : connections)
        connection->abort();
    const auto sessions = m_eio;
    for (EioSession *session : sessions) {
        if (!session->isClosed())
            session->close(QStringLiteral("server stopped"));
    }
    for (auto it = m_held.begin(); it != m_held.end(); ++it)
        disconnect(it->abortWatch);
    m_held.clear();
    m_nativeAdmissions.clear(); // shutdown() closed them; nothing may be left to delete elsewhere
    m_connectWaits.clear();
    m_preAuth.clear();
    const auto disposing = m_disposing;
    for (WsStream *stream : disposing)
        stream->abort();
    // Everything this thread owns is deleted here and now; deleteLater() has nothing to wait
    // for once the loop has quit.
    QList<QPointer<QObject>> owned;
    for (QObject *child : children()) {
        if (child != &m_sweepTimer && child != &m_eioTimer)
            owned.append(child);
    }
    for (const QPointer<QObject> &child : std::as_const(owned))
        delete child.data();
    m_http = nullptr;
    m_tcp = nullptr;
    m_connections.clear();
    m_rooms.clear();
    m_eio.clear();
    m_disposing.clear();
    thread()->quit();
}

} // namespace Switchboard
