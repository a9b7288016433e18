#include "rawclients.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

namespace Switchboard::Test {

QByteArray upgradeRequest(quint16 port, const QByteArray &target,
                          const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    QByteArray key(16, Qt::Uninitialized);
    for (char &c : key)
        c = char(QRandomGenerator::global()->bounded(256));
    QByteArray request = "GET " + target + " HTTP/1.1\r\n"
                         "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Key: " + key.toBase64() + "\r\n"
                         "Sec-WebSocket-Version: 13\r\n";
    for (const auto &[name, value] : extraHeaders)
        request += name + ": " + value + "\r\n";
    return request + "\r\n";
}

RawWsClient::RawWsClient()
{
    QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
        m_buffer += m_socket.readAll();
        parse();
    });
    QObject::connect(&m_socket, &QTcpSocket::disconnected, [this] { m_disconnected = true; });
}

RawWsClient::~RawWsClient()
{
    QObject::disconnect(&m_socket, nullptr, nullptr, nullptr);
    m_socket.abort();
}

bool RawWsClient::handshake(quint16 port, const QByteArray &target, int timeoutMs)
{
    m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!m_socket.waitForConnected(timeoutMs))
        return false;
    m_socket.write(upgradeRequest(port, target));
    QElapsedTimer timer;
    timer.start();
    while (m_head.isEmpty() && !m_disconnected && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    return m_head.startsWith("HTTP/1.1 101");
}

void RawWsClient::sendFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else if (payload.size() < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char maskBytes[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(maskBytes, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ maskBytes[i % 4]));
    m_socket.write(frame);
}

bool RawWsClient::waitDisconnected(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!m_disconnected && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    return m_disconnected;
}

int RawWsClient::count(int opcode) const
{
    int n = 0;
    for (const Frame &f : m_frames)
        n += f.opcode == opcode ? 1 : 0;
    return n;
}

void RawWsClient::parse()
{
    if (!m_upgraded) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        m_upgraded = true;
    }
    // Server frames are unmasked. Fragmented messages are not reassembled: the server
    // sends every message in one frame at these sizes.
    forever {
        if (m_buffer.size() < 2)
            return;
        const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData());
        const int opcode = p[0] & 0x0f;
        quint64 length = p[1] & 0x7f;
        qsizetype offset = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = (quint64(p[2]) << 8) | p[3];
            offset = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            offset = 10;
        }
        if (quint64(m_buffer.size() - offset) < length)
            return;
        m_frames.append({opcode, m_buffer.mid(offset, qsizetype(length))});
        m_buffer.remove(0, offset + qsizetype(length));
    }
}

StalledWsClient::~StalledWsClient()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool StalledWsClient::handshake(quint16 port, const QByteArray &target, int timeoutMs)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return false;
    // As small as the kernel allows: the server's data backs up in its own buffers quickly.
    const int small = 2048;
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) != 0)
        return false;
    const QByteArray request = upgradeRequest(port, target);
    if (::send(m_fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL) != request.size())
        return false;
    // Read byte by byte up to the end of the response head, so no frame data is consumed.
    QByteArray head;
    char c;
    while (!head.endsWith("\r\n\r\n")) {
        if (::recv(m_fd, &c, 1, 0) != 1)
            return false;
        head.append(c);
    }
    return head.startsWith("HTTP/1.1 101");
}

} // namespace Switchboard::Test
