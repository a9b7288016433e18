#include "httpsocket.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QSocketNotifier>

namespace Switchboard {

HttpSocket::HttpSocket(int descriptor, QHostAddress peer, quint16 peerPort, QObject *parent)
    : QObject(parent), m_fd(descriptor), m_peer(std::move(peer)), m_peerPort(peerPort)
{
    const int flags = ::fcntl(m_fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(m_fd, F_SETFL, flags | O_NONBLOCK);
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &HttpSocket::onReadable);
}

HttpSocket::~HttpSocket()
{
    m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (m_fd >= 0)
        ::close(m_fd);
}

qsizetype HttpSocket::read(char *buffer, qsizetype max)
{
    if (!m_kept.isEmpty()) {
        const qsizetype n = qMin(max, m_kept.size());
        std::memcpy(buffer, m_kept.constData(), size_t(n));
        if (n == m_kept.size())
            m_kept = QByteArray(); // gives the block back
        else
            m_kept.remove(0, n);
        return n;
    }
    if (m_fd < 0 || max <= 0 || m_endOfInput)
        return 0;
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer, size_t(max), 0);
        if (n > 0)
            return qsizetype(n);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n == 0)
            endOfInput();
        else
            finish(true); // a reset: closed at once
        return 0;
    }
}

void HttpSocket::unread(const char *data, qsizetype size)
{
    if (size > 0)
        m_kept.prepend(data, size);
}

void HttpSocket::hold()
{
    m_holding = true; // the next readiness (level-triggered) keeps what is there
}

void HttpSocket::resume()
{
    m_holding = false;
    if (m_fd >= 0 && !m_endOfInput)
        m_readNotifier->setEnabled(true);
}

void HttpSocket::onReadable()
{
    if (m_fd < 0)
        return;
    if (!m_holding) {
        Q_EMIT readable();
        return;
    }
    // Kept for the reader, up to kMaxKept: then the kernel holds the rest (TCP flow control).
    // Read on the stack first: a held connection with nothing more to say keeps no buffer.
    char buffer[16 * 1024];
    while (m_fd >= 0 && m_kept.size() < kMaxKept) {
        const ssize_t n = ::recv(m_fd, buffer, size_t(qMin<qsizetype>(kMaxKept - m_kept.size(), sizeof buffer)), 0);
        if (n > 0) {
            m_kept.append(buffer, qsizetype(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == 0)
            endOfInput();
        else
            finish(true);
        return;
    }
    if (m_fd >= 0 && m_kept.size() >= kMaxKept)
        m_readNotifier->setEnabled(false);
}

void HttpSocket::write(const char *data, qsizetype size)
{
    if (m_fd < 0 || size <= 0)
        return;
    qsizetype sent = 0;
    if (bytesToWrite() == 0) {
        const ssize_t n = ::send(m_fd, data, size_t(size), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            finish(true); // the peer is gone
            return;
        }
        sent = qMax<qsizetype>(n, 0);
        if (sent == size)
            return;
    }
    if (m_outPos > 0 && m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
    }
    m_out.append(data + sent, size - sent);
    setWriteWatch(true);
}

void HttpSocket::onWritable()
{
    while (m_fd >= 0 && bytesToWrite() > 0) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos, size_t(bytesToWrite()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            finish(true);
            return;
        }
        m_outPos += n;
    }
    if (m_fd < 0)
        return;
    Q_EMIT bytesWritten();
    if (m_fd < 0 || bytesToWrite() > 0)
        return; // (handed on from the signal: an upgrade that waited for the answers ahead of it)
    m_out = QByteArray();
    m_outPos = 0;
    setWriteWatch(false);
    if (m_closeWhenFlushed) {
        finish(true);
        return;
    }
    if (std::exchange(m_shutWhenFlushed, false))
        ::shutdown(m_fd, SHUT_WR);
}

void HttpSocket::endOfInput()
{
    // Half-closed by the peer: it may still read. What it was answered goes out first.
    m_endOfInput = true;
    m_readNotifier->setEnabled(false);
    disconnectFromHost();
}

void HttpSocket::setWriteWatch(bool on)
{
    if (on && !m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this, &HttpSocket::onWritable);
    } else if (m_writeNotifier) {
        m_writeNotifier->setEnabled(on);
    }
}

void HttpSocket::shutdownWriteWhenFlushed()
{
    if (m_fd < 0)
        return;
    if (bytesToWrite() == 0)
        ::shutdown(m_fd, SHUT_WR);
    else
        m_shutWhenFlushed = true;
}

void HttpSocket::disconnectFromHost()
{
    if (m_fd < 0)
        return;
    if (bytesToWrite() == 0)
        finish(true);
    else
        m_closeWhenFlushed = true;
}

void HttpSocket::abort()
{
    finish(true);
}

int HttpSocket::takeDescriptor()
{
    const int fd = m_fd;
    finish(false);
    return fd;
}

void HttpSocket::finish(bool closeDescriptor)
{
    if (m_finished)
        return;
    m_finished = true;
    // Notifiers off before the descriptor is closed (or handed on and watched by another), so
    // the dispatcher drops the right watch; they may be the sender of what runs now, so they
    // go with this object, not here.
    m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (closeDescriptor && m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_out = QByteArray();
    m_outPos = 0;
    QMetaObject::invokeMethod(this, [this] {
        Q_EMIT disconnected();
        deleteLater();
    }, Qt::QueuedConnection);
}

} // namespace Switchboard
