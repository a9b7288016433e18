#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

#include "httpsocket.h"

namespace Switchboard {

class TlsContext;

/**
 * @brief Opens a listening TCP socket with SO_REUSEPORT so every I/O thread can own one on
 * the same port; the kernel spreads new connections over them. Returns -1 with @p error.
 */
qintptr openReusePortListener(const QHostAddress &address, quint16 port, QString *error);
quint16 boundPort(qintptr fd);
void closeDescriptor(qintptr fd);

/**
 * @brief QTcpServer that hands every accepted connection on as an HttpSocket (with
 * TCP_NODELAY; accepted() says so), caps the HTTP
 * connections of the whole server, and closes idle ones (checked by the owning worker's
 * sweep): a socket that sends no complete request within the handshake timeout of its
 * accept, and a kept-alive one idle for the idle timeout after its last request or response
 * bytes. A socket with a request held (an Engine.IO long-poll) is never idle.
 *
 * Over the cap, a new connection is closed at accept, before anything is read from it: a
 * 503 would have to be written before the request is read, and closing a socket with unread
 * input resets it, which loses the answer anyway. A socket stops counting once it is gone,
 * including when it was upgraded to a WebSocket (those count against --max-connections).
 */
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    /// @p open is shared by every worker's server: the HTTP connections of the whole server.
    GuardedTcpServer(std::shared_ptr<std::atomic<int>> open, int maxOpen, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    /// With a context, every connection is TLS: a TlsPump terminates it in this thread and the
    /// socket handed on is the plain end of a socketpair, with the client's address as its peer.
    void setTls(std::shared_ptr<const TlsContext> tls) { m_tls = std::move(tls); }

    /// Aborts sockets with no complete request within @p handshakeMs of their accept, and
    /// sockets idle for @p idleMs after their last request or response bytes.
    int closeIdle(qint64 nowMs, qint64 handshakeMs, qint64 idleMs);
    /// A whole request arrived on @p socket: it is out of the handshake window.
    void requestReceived(HttpSocket *socket);
    /// A request on @p socket waits for its answer (true) or was answered (false).
    void setHeld(HttpSocket *socket, bool held);
    /// A request on @p socket is waiting for its answer.
    bool isHeld(HttpSocket *socket) const
    {
        const auto it = m_sockets.constFind(socket);
        return it != m_sockets.cend() && it->held > 0;
    }
    /// HTTP connections open in this thread.
    int openHere() const { return int(m_sockets.size()); }

Q_SIGNALS:
    /// A new HTTP connection (owned by this server; it deletes itself once closed).
    void accepted(HttpSocket *socket);
    /// A TLS handshake failed (a plain HTTP request, an old version, a broken record...).
    void tlsHandshakeFailed();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Tracked
    {
        QPointer<HttpSocket> socket;
        qint64 sinceMs = 0;     // accept, or the last request or response bytes
        bool served = false;    // a complete request arrived: the idle timeout applies
        int held = 0;           // requests waiting for an answer
    };
    void touch(HttpSocket *socket);
    /// The plain end of a TLS connection on @p descriptor, or null.
    HttpSocket *terminateTls(qintptr descriptor);

    // Keyed by address for O(1) lookups; the entry goes when the socket is destroyed.
    QHash<HttpSocket *, Tracked> m_sockets;
    std::shared_ptr<std::atomic<int>> m_open;
    std::shared_ptr<const TlsContext> m_tls;
    int m_maxOpen = 1024;
    qint64 m_lastRefusalLogMs = 0;
    qint64 m_lastWalkMs = 0;           // closeIdle()'s last walk over the sockets
};

} // namespace Switchboard
