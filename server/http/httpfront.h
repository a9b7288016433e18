#pragma once

#include <memory>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtCore/QObject>

#include "router.h"

namespace Switchboard {

class IoWorker;
class Mailbox;
class Server;

class GuardedTcpServer;
class HttpSocket;
class RequestParser;
struct WsUpgrade;

/**
 * @brief The per-I/O-thread HTTP server: parses requests on its own (RequestParser, on
 * http-parser), answers API routes through the shared Router and completes WebSocket
 * handshakes on /ws and the Engine.IO paths, handing each upgraded connection to the
 * thread's IoWorker as a WsStream.
 *
 * Nothing is read beyond what the current request needs: the socket's read buffer is
 * bounded, a request head is checked (limits, authentication, the route's body limit) before
 * its body is read, and a refused request is answered with Connection: close and the
 * connection closed after a short linger. While a request waits for its answer (a deferred
 * route, a held Engine.IO poll), the connection is not read at all: what the client
 * pipelines behind it stays in the kernel's buffers and is served in order afterwards.
 */
class HttpFront final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)

public:
    HttpFront(const Router &router, Server &server, IoWorker &worker);
    ~HttpFront() override;

    /// Serves the connections @p tcp accepts.
    void bind(GuardedTcpServer *tcp);
    /// Writes the answer of request @p token (this thread; see Responder::send()).
    void answer(quint64 token, const HttpResponse &response);
    /// @p socket no longer waits for an answer: reads and serves what came behind it.
    void resume(HttpSocket *socket);

    /// Bytes read from a socket at a time (into a buffer on the stack).
    static constexpr qint64 kReadChunk = 64 * 1024;
    /// After a refused request: how long, and how many bytes, are read and dropped so that
    /// the client sees the answer rather than a reset.
    static constexpr int kLingerMs = 2000;
    static constexpr qint64 kLingerBytes = 4 * 1024 * 1024;

Q_SIGNALS:
    /// A complete request (API call or WebSocket upgrade) arrived on @p socket.
    void requestReceived(HttpSocket *socket);

private:
    struct Connection;
    void accept(HttpSocket *socket);
    /// Reads and serves @p socket's requests until it waits for an answer or has no more.
    void read(HttpSocket *socket);
    /// Serves one complete request; false when nothing more is to be read from @p socket.
    bool handle(const RequestData &request, HttpSocket *socket, bool upgrade, bool closeAfter);
    /// Answers a request refused before or while it was read, then closes the connection.
    void refuse(HttpSocket *socket, Connection &connection, const HttpResponse &response);
    /// Writes @p response as one HTTP/1.1 message on @p socket (keep-alive unless @p close).
    static void write(HttpSocket *socket, const HttpResponse &response, bool close = false,
                      const QByteArray &extraHeaders = {});
    /// The per-address edge policy: HTTP rate, and for sessions the origin and the handshake
    /// rate. An answer when the request is refused.
    std::optional<HttpResponse> checkEdge(const RequestData &request, bool wantsUpgrade);
    /// Routes one request of @p socket; its answer is written now or when the route sends it.
    void serve(const RequestData &request, HttpSocket *socket);
    /// Answers a WebSocket upgrade itself (101, or 400/426 with the reason) and hands the
    /// connection's descriptor to the worker; QtWebSockets is not involved.
    void upgrade(const RequestData &request, HttpSocket *socket);
    /// Gives @p socket's descriptor and what it kept to the worker as a WebSocket (its 101 is
    /// out).
    void handOver(HttpSocket *socket, WsUpgrade upgrade);
    bool waiting(HttpSocket *socket) const;

    const Router &m_router;
    Server &m_server;
    IoWorker &m_worker;
    GuardedTcpServer *m_tcp = nullptr;
    std::shared_ptr<Mailbox> m_mailbox; // deferred answers come back through it
    quint64 m_nextToken = 1;
    QHash<quint64, QPointer<HttpSocket>> m_unanswered; // token -> its connection
    QHash<HttpSocket *, std::shared_ptr<Connection>> m_connections; // removed when the socket is destroyed
};

} // namespace Switchboard
