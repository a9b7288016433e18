#pragma once

#include <QtHttpServer/QAbstractHttpServer>

namespace Switchboard {

class IoWorker;
class Router;
struct HttpResponse;
class Server;

/**
 * @brief The per-I/O-thread HTTP server: answers API routes through the shared Router and
 * completes WebSocket handshakes on /ws and the Engine.IO paths, handing each upgraded
 * connection to the thread's IoWorker as a WsStream.
 */
class HttpFront final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)

public:
    HttpFront(const Router &router, Server &server, IoWorker &worker);

Q_SIGNALS:
    /// A complete request (API call or WebSocket upgrade) arrived on @p socket.
    void requestReceived(QTcpSocket *socket);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    static void respond(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response);
    /// Answers a WebSocket upgrade itself (101, or 400/426 with the reason) and hands the
    /// connection's descriptor to the worker; QtWebSockets is not involved.
    void upgrade(const QHttpServerRequest &request, QTcpSocket *socket);

    const Router &m_router;
    Server &m_server;
    IoWorker &m_worker;
    QTcpSocket *m_answered = nullptr; // an upgrade answered already; missingHandler stays quiet
};

} // namespace Switchboard
