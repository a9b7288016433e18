#include "listener.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QPointer>
#include <QtNetwork/QTcpSocket>

#include "server.h"

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

quint16 boundPort(qintptr fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getsockname(int(fd), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
}

void closeDescriptor(qintptr fd)
{
    if (fd >= 0)
        ::close(int(fd));
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Until a complete request has arrived (requestReceived()), the socket is on the clock:
    // a peer that sends nothing, or half a request and then nothing, is cut off.
    m_pending.insert(socket, {socket, Server::monotonicMs()});
    addPendingConnection(socket);
}

void GuardedTcpServer::requestReceived(QTcpSocket *socket)
{
    m_pending.remove(socket);
}

int GuardedTcpServer::closeSilent(qint64 nowMs, qint64 timeoutMs)
{
    int closed = 0;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (!it->socket) {
            it = m_pending.erase(it);
        } else if (nowMs - it->acceptedMs >= timeoutMs) {
            QTcpSocket *socket = it->socket;
            it = m_pending.erase(it);
            socket->abort();
            ++closed;
        } else {
            ++it;
        }
    }
    return closed;
}

} // namespace Switchboard
