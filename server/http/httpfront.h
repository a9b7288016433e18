#pragma once

#include <QtHttpServer/QAbstractHttpServer>

namespace Switchboard {

class IoWorker;
class Router;
struct HttpResponse;
class Server;

/**
 * @brief The per-I/O-thread HTTP server: answers API routes through the shared Router and
 * lets WebSocket upgrades on /ws through to the thread's WebSocket handling.
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

    const Router &m_router;
    Server &m_server;
    IoWorker &m_worker;
    QTcpSocket *m_refusedUpgrade = nullptr; // answered already; missingHandler stays quiet
};

} // namespace Switchboard
