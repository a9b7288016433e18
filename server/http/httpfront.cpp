#include "httpfront.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>

#include "core/logging.h"
#include "core/mailbox.h"
#include "transport/connecthandler.h"
#include "transport/httpsocket.h"
#include "transport/ioworker.h"
#include "transport/wsendpoints.h"
#include "transport/wsstream.h"
#include "admin/nodedrain.h"
#include "requestparser.h"
#include "router.h"
#include "transport/listener.h"
#include "server.h"

namespace Switchboard {

void Responder::send(const HttpResponse &response) const
{
    if (!m_filter)
        return deliver(response);
    HttpResponse filtered = response;
    (*m_filter)(filtered);
    deliver(filtered);
}

Responder Responder::filtered(std::function<void(HttpResponse &)> filter) const
{
    Responder copy = *this;
    if (m_filter) {
        copy.m_filter = std::make_shared<const std::function<void(HttpResponse &)>>(
            [inner = m_filter, outer = std::move(filter)](HttpResponse &response) {
                outer(response);
                (*inner)(response);
            });
    } else {
        copy.m_filter = std::make_shared<const std::function<void(HttpResponse &)>>(std::move(filter));
    }
    return copy;
}

Responder Responder::toSink(std::function<void(const HttpResponse &)> sink, AckProgress progress)
{
    Responder responder;
    responder.m_sink = std::make_shared<const std::function<void(const HttpResponse &)>>(std::move(sink));
    if (progress)
        responder.m_progress = std::make_shared<const AckProgress>(std::move(progress));
    responder.m_answered = std::make_shared<std::atomic<bool>>(false);
    return responder;
}

void Responder::deliver(const HttpResponse &response) const
{
    if (m_sink) {
        if (!m_answered->exchange(true))
            (*m_sink)(response);
        return;
    }
    if (!m_mailbox)
        return;
    if (m_mailbox->isOwnerThread()) {
        m_front->answer(m_token, response);
        return;
    }
    // The front may be gone by the time this runs: then the mailbox refuses, or the task is
    // discarded with the front, and the answer (for a client that is gone too) is dropped.
    m_mailbox->post([front = m_front, token = m_token, response] { front->answer(token, response); });
}

/// One connection's parse state.
struct HttpFront::Connection
{
    std::unique_ptr<RequestParser> parser;
    bool closing = false;    // answered with Connection: close; what comes is dropped
    bool closeAfter = false; // close once the answer being waited for is written
    bool upgrading = false;  // a 101 waits behind earlier answers; then the WebSocket takes over
    qint64 lingered = 0;     // bytes dropped since closing
};

HttpFront::HttpFront(const Router &router, Server &server, IoWorker &worker)
    : QObject(&worker), m_router(router), m_server(server), m_worker(worker),
      m_mailbox(std::make_shared<Mailbox>(this))
{
}

HttpFront::~HttpFront()
{
    m_mailbox->close();
}

void HttpFront::bind(GuardedTcpServer *tcp)
{
    m_tcp = tcp;
    connect(tcp, &GuardedTcpServer::accepted, this, &HttpFront::accept);
}

void HttpFront::accept(HttpSocket *socket)
{
    auto connection = std::make_shared<Connection>();
    const ServerConfig &config = m_server.config();
    connection->parser = std::make_unique<RequestParser>(
        HttpLimits{}, [this, &config](const RequestData &head) {
            RequestParser::HeadVerdict verdict;
            const QString path = head.path();
            if (path.startsWith(config.socketioPath)
                || (config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/")))) {
                verdict.maxBody = config.socketioMaxPayload; // Engine.IO's maxHttpBufferSize
            } else if (path != QLatin1String("/ws")) {
                verdict.refuse = m_router.checkHead(head, m_server, &verdict.maxBody);
            }
            return verdict;
        },
        socket->peerAddress());
    m_connections.insert(socket, connection);
    connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
    connect(socket, &HttpSocket::readable, this, [this, socket] { read(socket); });
}

bool HttpFront::waiting(HttpSocket *socket) const
{
    return m_tcp && m_tcp->isHeld(socket);
}

void HttpFront::read(HttpSocket *socket)
{
    const std::shared_ptr<Connection> connection = m_connections.value(socket);
    if (!connection)
        return;
    const QPointer<HttpSocket> alive(socket);
    // Read straight into the stack: nothing is allocated per read, and only what a request
    // waiting for its answer leaves unparsed is copied (into the socket, unread()).
    char buffer[kReadChunk];
    while (alive && socket->isConnected()) {
        if (connection->closing) {
            // Dropped unread: the client gets to read the refusal instead of a reset.
            const qsizetype dropped = socket->read(buffer, kReadChunk);
            connection->lingered += dropped;
            if (connection->lingered > kLingerBytes)
                socket->abort();
            if (dropped == 0)
                return;
            continue;
        }
        if (waiting(socket) || connection->upgrading) {
            socket->hold(); // served after the answer ahead of it (resume()), or the WebSocket's
            return;
        }
        const qsizetype size = socket->read(buffer, kReadChunk);
        if (size <= 0)
            return;
        RequestParser &parser = *connection->parser;
        qsizetype offset = 0;
        while (offset < size) {
            const qsizetype taken = parser.feed(buffer + offset, size - offset);
            offset += taken;
            if (parser.failed()) {
                m_server.metrics().httpRefused.fetch_add(1, std::memory_order_relaxed);
                if (parser.error().status == 413)
                    m_worker.refusedEngineIoBody(parser.head());
                refuse(socket, *connection, parser.error());
                return;
            }
            if (parser.wantsContinue())
                socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
            if (!parser.hasRequest()) {
                if (taken == 0)
                    break; // (the parser takes everything unless it stops for a request or an error)
                continue;
            }
            // What came behind this request is parsed once it is served: kept by the socket
            // (and handed on with an upgrade).
            socket->unread(buffer + offset, size - offset);
            offset = size;
            const bool upgrade = parser.upgrade();
            const bool closeAfter = parser.closeAfter();
            if (!handle(parser.takeRequest(), socket, upgrade, closeAfter))
                return;
        }
    }
}

void HttpFront::refuse(HttpSocket *socket, Connection &connection, const HttpResponse &response)
{
    qCDebug(lcHttp) << "refused an HTTP request with" << response.status << response.body;
    connection.closing = true;
    write(socket, response, true);
    // Half-close once the answer is out, then drop what the client still sends for a while
    // (a peer that gets a reset may never read the answer); then the connection goes. What
    // arrives meanwhile is read and dropped by read().
    socket->shutdownWriteWhenFlushed();
    const QPointer<HttpSocket> guard(socket);
    QTimer::singleShot(kLingerMs, socket, [guard] {
        if (guard)
            guard->abort();
    });
}

void HttpFront::write(HttpSocket *socket, const HttpResponse &response, bool close, const QByteArray &extraHeaders)
{
    if (!socket->isConnected())
        return;
    // One buffer, sized once: the concatenation it replaces allocated at every step.
    const QByteArray reason = httpReasonPhrase(response.status);
    QByteArray out;
    out.reserve(96 + reason.size() + response.contentType.size() + extraHeaders.size() + response.body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(response.status);
    out += ' ';
    out += reason;
    out += "\r\nContent-Type: ";
    out += response.contentType;
    out += "\r\nContent-Length: ";
    out += QByteArray::number(response.body.size());
    out += "\r\n";
    out += extraHeaders;
    out += close ? "Connection: close\r\n\r\n" : "\r\n";
    out += response.body;
    // Straight to the kernel when nothing is queued ahead of it; what it does not take waits.
    socket->write(out);
}

void HttpFront::serve(const RequestData &request, HttpSocket *socket)
{
    const quint64 token = m_nextToken++;
    m_unanswered.insert(token, socket);
    m_router.dispatch(request, m_server, Responder(m_mailbox, this, token));
    qCDebug(lcHttp) << request.method() << request.path() << (m_unanswered.contains(token) ? "deferred" : "answered");
    if (m_unanswered.contains(token))
        m_worker.holdHttp(socket, true); // waiting for its answer: not idle, and not read further
}

void HttpFront::answer(quint64 token, const HttpResponse &response)
{
    const auto it = m_unanswered.find(token);
    if (it == m_unanswered.end())
        return; // answered already
    const QPointer<HttpSocket> socket = it.value();
    m_unanswered.erase(it);
    if (!socket)
        return; // the client went away meanwhile
    write(socket, response);
    // A deferred answer ends the wait and resumes reading (resume()); one given inside
    // serve() never started one.
    if (waiting(socket))
        m_worker.holdHttp(socket, false);
}

void HttpFront::resume(HttpSocket *socket)
{
    const std::shared_ptr<Connection> connection = m_connections.value(socket);
    if (!connection || waiting(socket))
        return;
    if (std::exchange(connection->closeAfter, false)) {
        connection->closing = true;
        socket->disconnectFromHost();
        return;
    }
    socket->resume();
    // Queued: the answer that ended the wait may be written from inside a request's handling.
    QMetaObject::invokeMethod(this, [this, socket = QPointer<HttpSocket>(socket)] {
        if (socket)
            read(socket);
    }, Qt::QueuedConnection);
}

void HttpFront::upgrade(const RequestData &request, HttpSocket *socket)
{
    auto refuse = [&](QByteArray status, const QByteArray &extraHeaders, const QString &message) {
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), QStringLiteral("bad_handshake")},
                                                          {QStringLiteral("message"), message}})
                                    .toJson(QJsonDocument::Compact);
        socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extraHeaders + "\r\n" + body);
        socket->disconnectFromHost();
    };
    if (request.value("sec-websocket-version").trimmed() != "13") {
        refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
               QStringLiteral("only WebSocket version 13 (RFC 6455) is supported"));
        return;
    }
    const QByteArray key = request.value("sec-websocket-key").trimmed();
    if (QByteArray::fromBase64(key).size() != 16) {
        refuse("400 Bad Request", {}, QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"));
        return;
    }
    if (request.method() != RequestData::Method::Get) {
        refuse("400 Bad Request", {}, QStringLiteral("a WebSocket handshake must be a GET"));
        return;
    }
    const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Accept: " + WsStream::acceptKey(key) + "\r\n\r\n";
    // Behind a trusted proxy the client is the address X-Forwarded-For names (no port).
    const QHostAddress client = m_server.clientAddress().of(request);
    const QString peer = clientText(client, socket->peerAddress(), socket->peerPort());
    WsUpgrade upgrade{-1, request.url(), request.value("authorization"), peer, client, {}};
    if (const ConnectHandler *proxy = m_server.connectHandler())
        upgrade.headers = ConnectHandler::pick(request.headers(), proxy->headerNames());
    // Behind the answers still waiting for the client, if any; what the kernel does not take
    // now (its buffer may be full even when ours is empty) waits too.
    socket->write(response);
    if (!socket->isConnected())
        return; // the peer is gone
    if (socket->bytesToWrite() == 0) {
        handOver(socket, std::move(upgrade));
        return;
    }
    // The connection is handed on once all of it is out. What arrives meanwhile is kept
    // unparsed (read()), for the WebSocket.
    if (const std::shared_ptr<Connection> connection = m_connections.value(socket))
        connection->upgrading = true;
    connect(socket, &HttpSocket::bytesWritten, this, [this, socket, upgrade]() {
        if (socket->isConnected() && socket->bytesToWrite() == 0)
            handOver(socket, upgrade);
    });
}

void HttpFront::handOver(HttpSocket *socket, WsUpgrade upgrade)
{
    // A client that sent frames without waiting for the 101 (RFC 6455 says it must wait):
    // what was read behind the request goes with the connection, not away with the socket.
    upgrade.leftover = socket->takeKept();
    // The connection leaves the HTTP front here: the socket hands its descriptor on and goes.
    upgrade.descriptor = socket->takeDescriptor();
    m_worker.webSocketOpened(std::move(upgrade));
}

std::optional<HttpResponse> HttpFront::checkEdge(const RequestData &request, bool wantsUpgrade)
{
    const ServerConfig &config = m_server.config();
    const QHostAddress client = m_server.clientAddress().of(request);
    const qint64 now = Server::monotonicMs();
    if (!m_server.httpRateLimits().tryAcquire(client, now)) {
        m_server.metrics().rateLimited.fetch_add(1, std::memory_order_relaxed);
        return HttpResponse::error(429, QStringLiteral("rate_limited"),
                                   QStringLiteral("more than %1 HTTP requests per second from this address (--http-rate-limit)").arg(config.httpRateLimit));
    }
    const QString path = request.path();
    const bool engineIo = path.startsWith(config.socketioPath)
        || (config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/")));
    if (m_server.wsEndpoints().contains(path)) {
        // The admin channel: its credential is in the upgrade or its first frame, never a
        // cookie, so no origin check; handshakes are rate-limited like the clients'.
        if (wantsUpgrade && !m_server.handshakeRateLimits().tryAcquire(client, now)) {
            m_server.metrics().rateLimited.fetch_add(1, std::memory_order_relaxed);
            return HttpResponse::error(429, QStringLiteral("rate_limited"),
                                       QStringLiteral("more than %1 handshakes per second from this address (--handshake-rate-limit)").arg(config.handshakeRateLimit));
        }
        return std::nullopt;
    }
    if (!engineIo && path != QLatin1String("/ws"))
        return std::nullopt;
    if (!originAllowed(request.value("origin"), config.allowedOrigins)) {
        qCInfo(lcHttp) << "refused a session from origin" << request.value("origin") << "(--allowed-origins)";
        return HttpResponse::error(403, QStringLiteral("origin_not_allowed"),
                                   QStringLiteral("origin %1 is not allowed (--allowed-origins)").arg(QString::fromLatin1(request.value("origin"))));
    }
    // A handshake opens a session: a WebSocket upgrade, or an Engine.IO request with no sid.
    const bool handshake = wantsUpgrade || (engineIo && !request.query().hasQueryItem(QStringLiteral("sid")));
    if (handshake && m_server.drain().isDraining()) {
        return HttpResponse::error(503, QStringLiteral("draining"),
                                   QStringLiteral("this node is draining (POST /api/admin/drain): connect to another node"));
    }
    if (handshake && !m_server.handshakeRateLimits().tryAcquire(client, now)) {
        m_server.metrics().rateLimited.fetch_add(1, std::memory_order_relaxed);
        return HttpResponse::error(429, QStringLiteral("rate_limited"),
                                   QStringLiteral("more than %1 handshakes per second from this address (--handshake-rate-limit)").arg(config.handshakeRateLimit));
    }
    if (handshake && !m_server.connectionsPerAddress().available(client)) {
        qCInfo(lcHttp) << "refused a session from" << client.toString() << "(--max-connections-per-ip)";
        return HttpResponse::error(429, QStringLiteral("too_many_connections"),
                                   QStringLiteral("this address has %1 open connections (--max-connections-per-ip)").arg(config.maxConnectionsPerIp));
    }
    return std::nullopt;
}

bool HttpFront::handle(const RequestData &request, HttpSocket *socket, bool wantsUpgrade, bool closeAfter)
{
    m_server.metrics().httpRequests.fetch_add(1, std::memory_order_relaxed);
    Q_EMIT requestReceived(socket);
    if (socket->bytesToWrite() > m_server.limits().maxPendingBytes()) {
        // Requests pipelined by a client that does not read the answers: each answer would
        // pile up in the socket's buffer. The same budget as a WebSocket's; no answer.
        m_server.metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcHttp) << "closing an HTTP connection that does not read its answers";
        socket->abort();
        return false;
    }
    wantsUpgrade = wantsUpgrade && request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    if (const auto refused = checkEdge(request, wantsUpgrade)) {
        // Refused by address or origin: answered, and an upgrade's connection closes.
        write(socket, *refused, wantsUpgrade, refused->status == 429 ? QByteArrayLiteral("Retry-After: 1\r\n") : QByteArray());
        if (!wantsUpgrade && !closeAfter)
            return true;
        socket->disconnectFromHost();
        return false;
    }
    const IoWorker::EngineIoRequest engineIo = m_worker.handleEngineIoRequest(request, socket);
    switch (engineIo) {
    case IoWorker::EngineIoRequest::NotEngineIo:
    case IoWorker::EngineIoRequest::Handled: // answered, or held until the session answers (then resume())
        break;
    case IoWorker::EngineIoRequest::Upgrade:
        upgrade(request, socket);
        return false;
    case IoWorker::EngineIoRequest::RefusedUpgrade:
        socket->disconnectFromHost(); // after the refusal
        return false;
    }
    if (engineIo == IoWorker::EngineIoRequest::Handled) {
        // Served by the Engine.IO session.
    } else if (m_server.wsEndpoints().contains(request.path())) {
        if (wantsUpgrade) {
            upgrade(request, socket);
            return false;
        }
        write(socket, HttpResponse::error(426, QStringLiteral("upgrade_required"),
                                          QStringLiteral("%1 is a WebSocket endpoint; connect with a WebSocket client").arg(request.path())));
    } else if (request.path() == QLatin1String("/ws")) {
        if (wantsUpgrade) {
            upgrade(request, socket);
            return false;
        }
        write(socket, HttpResponse::error(426, QStringLiteral("upgrade_required"),
                                          QStringLiteral("/ws is a WebSocket endpoint; connect with a WebSocket client")));
    } else {
        serve(request, socket);
    }
    // A WebSocket handshake on any other path gets the route's answer (404) and is closed,
    // as is a connection whose client asked for that (Connection: close, HTTP/1.0).
    if (!wantsUpgrade && !closeAfter)
        return true;
    const std::shared_ptr<Connection> connection = m_connections.value(socket);
    if (waiting(socket)) {
        if (connection)
            connection->closeAfter = true;
    } else {
        if (connection)
            connection->closing = true;
        socket->disconnectFromHost();
    }
    return false;
}

} // namespace Switchboard
