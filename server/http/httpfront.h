#pragma once

#include <memory>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtHttpServer/QAbstractHttpServer>
#include <QtNetwork/QTcpSocket>

#include "router.h"

namespace Switchboard {

class IoWorker;
class Mailbox;
class Server;

/**
 * @brief The per-I/O-thread HTTP server: answers API routes through the shared Router and
 * completes WebSocket handshakes on /ws and the Engine.IO paths, handing each upgraded
 * connection to the thread's IoWorker as a WsStream.
 *
 * A deferred route answers later (its work runs on the queue or offline store's thread).
 * Until it has, the requests that the client pipelines behind it on the same connection are
 * parked and served in order afterwards, so answers never overtake one another; at most
 * kMaxParked wait, one more closes the connection.
 */
class HttpFront final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)

public:
    HttpFront(const Router &router, Server &server, IoWorker &worker);
    ~HttpFront() override;

    /// Requests that may wait behind a deferred answer on one connection.
    static constexpr int kMaxParked = 16;

    /// Writes the answer of request @p token (this thread; see Responder::send()).
    void answer(quint64 token, const HttpResponse &response);

Q_SIGNALS:
    /// A complete request (API call or WebSocket upgrade) arrived on @p socket.
    void requestReceived(QTcpSocket *socket);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    /// Writes @p response as one HTTP/1.1 message (keep-alive) on @p socket.
    static void write(QTcpSocket *socket, const HttpResponse &response);
    /// Routes one request of @p socket; its answer is written now or when the route sends it.
    void serve(const RequestData &request, QTcpSocket *socket);
    /// Serves the requests parked behind a deferred answer, until one defers again.
    void resume(QTcpSocket *socket);
    /// Answers a WebSocket upgrade itself (101, or 400/426 with the reason) and hands the
    /// connection's descriptor to the worker; QtWebSockets is not involved.
    void upgrade(const QHttpServerRequest &request, QTcpSocket *socket);

    const Router &m_router;
    Server &m_server;
    IoWorker &m_worker;
    QTcpSocket *m_answered = nullptr; // an upgrade answered already; missingHandler stays quiet
    std::shared_ptr<Mailbox> m_mailbox; // deferred answers come back through it
    quint64 m_nextToken = 1;
    QHash<quint64, QPointer<QTcpSocket>> m_unanswered; // token -> its connection
    /// A connection that had a deferred answer: the one it waits for, and what came behind.
    struct Line
    {
        quint64 waitingFor = 0;       // token of the deferred answer; 0 = none
        QList<RequestData> parked;
        bool closeAfter = false;      // an upgrade or Engine.IO request came behind it
    };
    QHash<QTcpSocket *, Line> m_lines; // removed when the socket is destroyed
};

} // namespace Switchboard
