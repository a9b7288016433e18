#pragma once
// Blocking POSIX client sockets for tests that must not depend on the test thread's event
// loop (it may be blocked in Server::stop()): HTTP/1.1 keep-alive requests, Engine.IO
// long-polling, and WebSocket upgrades that are never read afterwards.

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QRegularExpression>
#include <QtCore/QString>

namespace Switchboard::Test::Raw {

/// A connected blocking TCP socket to 127.0.0.1:@p port, or -1. A @p receiveBuffer (bytes)
/// is set before connecting, so the advertised window is small too.
inline int connectTcp(quint16 port, int receiveBuffer = 0)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (receiveBuffer > 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof(receiveBuffer));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool sendAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

/// Reads more into @p buffer within @p timeoutMs; false on timeout, error or end of stream.
inline bool readMore(int fd, QByteArray *buffer, int timeoutMs)
{
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0)
        return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0)
        return false;
    buffer->append(chunk, n);
    return true;
}

struct HttpResponse
{
    int status = 0;   // 0: no complete response
    QByteArray body;
};

/// One HTTP response (Content-Length framed) from @p fd; status 0 on timeout or close.
inline HttpResponse readResponse(int fd, int timeoutMs = 5000)
{
    QByteArray buffer;
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            static const QRegularExpression lengthRe(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
            const auto m = lengthRe.match(QString::fromLatin1(buffer.left(end)));
            const qsizetype length = m.hasMatch() ? m.captured(1).toLongLong() : 0;
            if (buffer.size() >= end + 4 + length)
                return {buffer.mid(9, 3).toInt(), buffer.mid(end + 4, length)};
        }
        const int left = timeoutMs - int(clock.elapsed());
        if (left <= 0 || !readMore(fd, &buffer, left))
            return {};
    }
}

inline QByteArray get(quint16 port, const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nConnection: keep-alive\r\n\r\n";
}

/// Opens an Engine.IO polling session over the kept-alive @p fd; its sid, or empty.
inline QByteArray openEngineIo(int fd, quint16 port, const QByteArray &path = "/socket.io/")
{
    if (!sendAll(fd, get(port, path + "?EIO=4&transport=polling")))
        return {};
    const HttpResponse r = readResponse(fd);
    static const QRegularExpression sidRe(QStringLiteral("\"sid\":\"([^\"]+)\""));
    const auto m = sidRe.match(QString::fromUtf8(r.body));
    return r.status == 200 && m.hasMatch() ? m.captured(1).toUtf8() : QByteArray();
}

/// Sends a long-poll GET for @p sid on @p fd (held by the server until there is data).
inline bool sendPoll(int fd, quint16 port, const QByteArray &sid, const QByteArray &path = "/socket.io/")
{
    return sendAll(fd, get(port, path + "?EIO=4&transport=polling&sid=" + sid));
}

/// A WebSocket opened on @p target; the socket after the 101 head, or -1.
inline int openWebSocket(quint16 port, const QByteArray &target)
{
    const int fd = connectTcp(port);
    if (fd < 0)
        return -1;
    const QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    QByteArray buffer;
    if (sendAll(fd, request)) {
        while (buffer.indexOf("\r\n\r\n") < 0 && readMore(fd, &buffer, 5000)) {
        }
    }
    if (!buffer.startsWith("HTTP/1.1 101")) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace Switchboard::Test::Raw
