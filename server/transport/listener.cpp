#include "listener.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QPointer>

#include "core/logging.h"
#include "core/slots.h"
#include "server.h"
#include "tls.h"

namespace Switchboard {

qintptr openReusePortListener(const QHostAddress &address, quint16 port, QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        const Q_IPV6ADDR ip = address.toIPv6Address();
        std::memcpy(&sa->sin6_addr, &ip, sizeof(ip));
        length = sizeof(sockaddr_in6);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        sa->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }

    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QStringLiteral("socket(): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0
        || ::listen(fd, SOMAXCONN) != 0) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString()).arg(port)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    return fd;
}

namespace {

quint16 portOf(const sockaddr_storage &storage)
{
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
}

} // namespace

quint16 boundPort(qintptr fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getsockname(int(fd), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    return portOf(storage);
}

void closeDescriptor(qintptr fd)
{
    if (fd >= 0)
        ::close(int(fd));
}

namespace {

/// The peer of @p descriptor.
void peerOf(int descriptor, QHostAddress *address, quint16 *port)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getpeername(descriptor, reinterpret_cast<sockaddr *>(&storage), &length) == 0) {
        address->setAddress(reinterpret_cast<const sockaddr *>(&storage));
        *port = portOf(storage);
    }
}

} // namespace

GuardedTcpServer::GuardedTcpServer(std::shared_ptr<std::atomic<int>> open, int maxOpen, QObject *parent)
    : QTcpServer(parent), m_open(std::move(open)), m_maxOpen(maxOpen)
{
    if (!m_open)
        m_open = std::make_shared<std::atomic<int>>(0);
}

GuardedTcpServer::~GuardedTcpServer()
{
    // The sockets are our children and go after this; their destroyed() no longer reaches us.
    m_open->fetch_sub(int(m_sockets.size()), std::memory_order_relaxed);
    m_sockets.clear();
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (!takeSlot(*m_open, m_maxOpen)) {
        ::close(int(descriptor));
        const qint64 now = Server::monotonicMs();
        if (now - m_lastRefusalLogMs >= 1000) {
            m_lastRefusalLogMs = now;
            qCInfo(lcHttp) << "refusing HTTP connections: the server has" << m_maxOpen << "open (--max-http-connections)";
        }
        return;
    }
    HttpSocket *socket = nullptr;
    if (m_tls) {
        socket = terminateTls(descriptor);
    } else {
        const int one = 1;
        ::setsockopt(int(descriptor), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        QHostAddress address;
        quint16 port = 0;
        peerOf(int(descriptor), &address, &port);
        socket = new HttpSocket(int(descriptor), address, port, this);
    }
    if (!socket) {
        m_open->fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    // Until a complete request has arrived (requestReceived()), the socket is on the clock:
    // a peer that sends nothing, or half a request and then nothing, is cut off.
    m_sockets.insert(socket, {socket, Server::monotonicMs()});
    connect(socket, &QObject::destroyed, this, [this, socket] {
        if (m_sockets.remove(socket))
            m_open->fetch_sub(1, std::memory_order_relaxed);
    });
    // A response still being written (a slow reader) is activity, not idleness.
    connect(socket, &HttpSocket::bytesWritten, this, [this, socket] { touch(socket); });
    Q_EMIT accepted(socket);
}

HttpSocket *GuardedTcpServer::terminateTls(qintptr descriptor)
{
    const int one = 1;
    ::setsockopt(int(descriptor), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // Non-blocking like every socket of an I/O thread (WsStream reads it after a hand-over).
    ::fcntl(int(descriptor), F_SETFL, ::fcntl(int(descriptor), F_GETFL) | O_NONBLOCK);
    QHostAddress address;
    quint16 port = 0;
    peerOf(int(descriptor), &address, &port);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        qCWarning(lcHttp) << "cannot terminate TLS:" << qt_error_string(errno);
        ::close(int(descriptor));
        return nullptr;
    }
    SSL *session = m_tls->newSession();
    if (!session) {
        qCWarning(lcHttp) << "cannot terminate TLS: no memory for a session";
        ::close(pair[0]);
        ::close(pair[1]);
        ::close(int(descriptor));
        return nullptr;
    }
    // The plain end (a socketpair) has no address of its own: it carries its TCP peer's.
    auto *socket = new HttpSocket(pair[0], address, port, this);
    auto *pump = new TlsPump(descriptor, pair[1], pair[0], session, this);
    connect(pump, &TlsPump::handshakeFailed, this, &GuardedTcpServer::tlsHandshakeFailed);
    return socket;
}

void GuardedTcpServer::touch(HttpSocket *socket)
{
    const auto it = m_sockets.find(socket);
    if (it != m_sockets.end())
        it->sinceMs = Server::monotonicMs();
}

void GuardedTcpServer::requestReceived(HttpSocket *socket)
{
    const auto it = m_sockets.find(socket);
    if (it != m_sockets.end()) {
        it->served = true;
        it->sinceMs = Server::monotonicMs();
    }
}

void GuardedTcpServer::setHeld(HttpSocket *socket, bool held)
{
    const auto it = m_sockets.find(socket);
    if (it == m_sockets.end())
        return;
    it->held = qMax(0, it->held + (held ? 1 : -1));
    it->sinceMs = Server::monotonicMs();
}

int GuardedTcpServer::closeIdle(qint64 nowMs, qint64 handshakeMs, qint64 idleMs)
{
    // Every socket is looked at about four times per timeout, not on every sweep tick: with
    // thousands of held long-polls a walk is not free, and timeouts are seconds.
    if (nowMs - m_lastWalkMs < qBound(qint64(20), qMin(handshakeMs, idleMs) / 4, qint64(1000)))
        return 0;
    m_lastWalkMs = nowMs;
    QList<QPointer<HttpSocket>> idle;
    for (const Tracked &tracked : std::as_const(m_sockets)) {
        if (!tracked.socket || tracked.held > 0 || !tracked.socket->isConnected())
            continue;
        if (nowMs - tracked.sinceMs >= (tracked.served ? idleMs : handshakeMs))
            idle.append(tracked.socket);
    }
    // Aborted after the walk: an abort runs handlers synchronously.
    int closed = 0;
    for (const QPointer<HttpSocket> &socket : std::as_const(idle)) {
        if (socket) {
            socket->abort();
            ++closed;
        }
    }
    return closed;
}

} // namespace Switchboard
