#include "httpfront.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtNetwork/QTcpSocket>

#include "core/logging.h"
#include "core/mailbox.h"
#include "transport/ioworker.h"
#include "transport/wsstream.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

void Responder::send(const HttpResponse &response) const
{
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

HttpFront::HttpFront(const Router &router, Server &server, IoWorker &worker)
    : QAbstractHttpServer(&worker), m_router(router), m_server(server), m_worker(worker),
      m_mailbox(std::make_shared<Mailbox>(this))
{
    quietQtHttpServerWarnings();
}

HttpFront::~HttpFront()
{
    m_mailbox->close();
}

void HttpFront::write(QTcpSocket *socket, const HttpResponse &response)
{
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    // The same message QHttpServerResponder writes, in one piece.
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + httpReasonPhrase(response.status)
        + "\r\nContent-Type: " + response.contentType + "\r\nContent-Length: " + QByteArray::number(response.body.size())
        + "\r\n\r\n";
    out += response.body;
    socket->write(out);
}

void HttpFront::serve(const RequestData &request, QTcpSocket *socket)
{
    const quint64 token = m_nextToken++;
    m_unanswered.insert(token, socket);
    m_router.dispatch(request, m_server, Responder(m_mailbox, this, token));
    qCDebug(lcHttp) << request.method() << request.url().path() << (m_unanswered.contains(token) ? "deferred" : "answered");
    if (!m_unanswered.contains(token))
        return; // answered at once
    m_worker.holdHttp(socket, true); // waiting for its answer is not idleness
    auto line = m_lines.find(socket);
    if (line == m_lines.end()) {
        line = m_lines.insert(socket, {});
        connect(socket, &QObject::destroyed, this, [this, socket] { m_lines.remove(socket); });
    }
    line->waitingFor = token;
}

void HttpFront::answer(quint64 token, const HttpResponse &response)
{
    const auto it = m_unanswered.find(token);
    if (it == m_unanswered.end())
        return; // answered already
    const QPointer<QTcpSocket> socket = it.value();
    m_unanswered.erase(it);
    if (!socket)
        return; // the client went away meanwhile
    m_worker.holdHttp(socket, false);
    write(socket, response);
    const auto line = m_lines.find(socket.data());
    if (line != m_lines.end() && line->waitingFor == token) {
        line->waitingFor = 0;
        resume(socket);
    }
}

void HttpFront::resume(QTcpSocket *socket)
{
    for (;;) {
        const auto line = m_lines.find(socket);
        if (line == m_lines.end() || line->waitingFor != 0)
            return;
        if (line->parked.isEmpty()) {
            if (std::exchange(line->closeAfter, false))
                socket->disconnectFromHost();
            return;
        }
        const RequestData next = line->parked.takeFirst();
        serve(next, socket); // may defer again, which ends this loop
    }
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
    if (const auto line = m_lines.find(socket); line != m_lines.end() && line->waitingFor != 0) {
        // Pipelined behind a deferred answer: served after it, so the answers keep their order.
        const ServerConfig &config = m_server.config();
        const QString path = request.url().path();
        if (wantsUpgrade) {
            // QtHttpServer closes the connection after an upgrade request it was not given;
            // the answer ahead is lost with it.
            m_answered = socket;
            return false;
        }
        if (path == QLatin1String("/ws") || path.startsWith(config.socketioPath)
            || (config.socketioTestFixture && path.startsWith(QLatin1String("/engine.io/")))) {
            // An Engine.IO request holds or takes the connection itself: not served, and the
            // connection closes once the answers ahead of it are written.
            line->closeAfter = true;
            return true;
        }
        if (line->closeAfter)
            return true; // the connection closes after the answers ahead: nothing more is served
        if (line->parked.size() >= kMaxParked) {
            qCInfo(lcHttp) << "closing an HTTP connection with more than" << kMaxParked
                           << "requests pipelined behind a deferred answer";
            socket->abort();
            return true;
        }
        line->parked.append(RequestData(request));
        return true;
    }
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
        write(socket, HttpResponse::error(426, QStringLiteral("upgrade_required"),
                                          QStringLiteral("/ws is a WebSocket endpoint; connect with a WebSocket client")));
        return true;
    }
    serve(RequestData(request), socket);
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
    write(socket, HttpResponse::error(404, QStringLiteral("not_found"),
                                      QStringLiteral("no route for %1").arg(request.url().path())));
}

} // namespace Switchboard
