#include "httpfront.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtHttpServer/QHttpServerResponder>
#include <QtNetwork/QTcpSocket>

#include "core/logging.h"
#include "transport/ioworker.h"
#include "transport/wsstream.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

HttpFront::HttpFront(const Router &router, Server &server, IoWorker &worker)
    : QAbstractHttpServer(&worker), m_router(router), m_server(server), m_worker(worker)
{
    quietQtHttpServerWarnings();
}

void HttpFront::respond(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response)
{
    auto responder = makeResponder(request, socket);
    responder.write(response.body, response.contentType,
                    static_cast<QHttpServerResponder::StatusCode>(response.status));
}

void HttpFront::upgrade(const QHttpServerRequest &request, QTcpSocket *socket)
{
    auto refuse = [&](QByteArray status, const QByteArray &extraHeaders, const QString &message) {
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), QStringLiteral("bad_handshake")},
                                                          {QStringLiteral("message"), message}})
                                    .toJson(QJsonDocument::Compact);
        socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extraHeaders + "\r\n" + body);
        socket->disconnectFromHost();
    };
    if (headerValue(request, "sec-websocket-version").trimmed() != "13") {
        refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
               QStringLiteral("only WebSocket version 13 (RFC 6455) is supported"));
        return;
    }
    const QByteArray key = headerValue(request, "sec-websocket-key").trimmed();
    if (QByteArray::fromBase64(key).size() != 16) {
        refuse("400 Bad Request", {}, QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"));
        return;
    }
    if (request.method() != QHttpServerRequest::Method::Get) {
        refuse("400 Bad Request", {}, QStringLiteral("a WebSocket handshake must be a GET"));
        return;
    }
    // The connection leaves Qt here: a duplicate of the descriptor outlives the QTcpSocket,
    // which is closed (no shutdown, so the TCP connection stays up) and deleted by
    // QAbstractHttpServer. The duplicate shares the non-blocking file status.
    const int descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0) {
        qCWarning(lcHttp) << "cannot take over a WebSocket connection:" << qt_error_string(errno);
        socket->abort();
        return;
    }
    const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Accept: " + WsStream::acceptKey(key) + "\r\n\r\n";
    WsUpgrade upgrade{descriptor, request.url(), headerValue(request, "authorization"),
                      socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort())};
    socket->abort();
    // A fresh connection's send buffer is empty: the kernel takes the 101 whole, or the peer is gone.
    if (::send(descriptor, response.constData(), size_t(response.size()), MSG_NOSIGNAL | MSG_DONTWAIT) != response.size()) {
        ::close(descriptor);
        return;
    }
    m_worker.webSocketOpened(std::move(upgrade));
}

bool HttpFront::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    m_server.metrics().httpRequests.fetch_add(1, std::memory_order_relaxed);
    Q_EMIT requestReceived(socket);
    if (socket->bytesToWrite() > m_server.config().maxPendingBytes) {
        // Requests pipelined by a client that does not read the answers: each answer would
        // pile up in the socket's buffer. The same budget as a WebSocket's; no answer.
        m_server.metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcHttp) << "closing an HTTP connection that does not read its answers";
        m_answered = socket;
        QMetaObject::invokeMethod(socket, &QAbstractSocket::abort, Qt::QueuedConnection);
        return true;
    }
    const bool wantsUpgrade = headerValue(request, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    // For an upgrade, QAbstractHttpServer follows a false return with missingHandler() and
    // closing the socket, which is what every upgrade answered here needs.
    switch (m_worker.handleEngineIoRequest(request, socket)) {
    case IoWorker::EngineIoRequest::NotEngineIo: break;
    case IoWorker::EngineIoRequest::Handled: return true;
    case IoWorker::EngineIoRequest::Upgrade:
        upgrade(request, socket);
        m_answered = socket;
        return false;
    case IoWorker::EngineIoRequest::RefusedUpgrade:
        m_answered = socket;
        return false;
    }
    if (request.url().path() == QLatin1String("/ws")) {
        if (wantsUpgrade) {
            upgrade(request, socket);
            m_answered = socket;
            return false;
        }
        respond(request, socket, HttpResponse::error(426, QStringLiteral("upgrade_required"),
                                                     QStringLiteral("/ws is a WebSocket endpoint; connect with a WebSocket client")));
        return true;
    }
    const HttpResponse response = m_router.dispatch(request, m_server);
    qCDebug(lcHttp) << request.method() << request.url().path() << response.status;
    respond(request, socket, response);
    if (wantsUpgrade) {
        // A WebSocket handshake on any other path gets the route's answer (404) and is closed.
        m_answered = socket;
        return false;
    }
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (std::exchange(m_answered, nullptr) == socket)
        return;
    respond(request, socket, HttpResponse::error(404, QStringLiteral("not_found"),
                                                 QStringLiteral("no route for %1").arg(request.url().path())));
}

} // namespace Switchboard
