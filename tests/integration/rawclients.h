#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtNetwork/QTcpSocket>

// Hand-rolled WebSocket peers for the cases a well-behaved QWebSocket cannot play: one that
// never answers pings, one that stops reading, one that never says anything.
namespace Switchboard::Test {

/// The HTTP/1.1 upgrade request a WebSocket client sends for @p target ("/ws?token=...").
QByteArray upgradeRequest(quint16 port, const QByteArray &target,
                          const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});

/**
 * @brief A WebSocket client on a plain QTcpSocket: performs the opening handshake by hand,
 * then records the frames the server sends and answers nothing (no pongs, no close reply).
 */
class RawWsClient final
{
public:
    struct Frame { int opcode; QByteArray payload; };

    RawWsClient();
    ~RawWsClient();
    Q_DISABLE_COPY_MOVE(RawWsClient)

    /// Connects and performs the upgrade; true when the server answered 101.
    bool handshake(quint16 port, const QByteArray &target, int timeoutMs = 5000);
    /// The raw response head of the upgrade (status line and headers).
    QByteArray responseHead() const { return m_head; }
    /// Sends one masked client frame.
    void sendFrame(int opcode, const QByteArray &payload);
    void sendText(const QByteArray &text) { sendFrame(0x1, text); }

    bool isDisconnected() const { return m_disconnected; }
    bool waitDisconnected(int timeoutMs);
    int count(int opcode) const;
    const QList<Frame> &frames() const { return m_frames; }
    QTcpSocket &socket() { return m_socket; }

    static constexpr int Text = 0x1;
    static constexpr int Close = 0x8;
    static constexpr int Ping = 0x9;
    static constexpr int Pong = 0xA;

private:
    void parse();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_head;
    bool m_upgraded = false;
    bool m_disconnected = false;
    QList<Frame> m_frames;
};

/**
 * @brief A WebSocket client on a blocking POSIX socket with a tiny receive buffer that,
 * after the handshake, never reads again: the slowest possible consumer.
 */
class StalledWsClient final
{
public:
    StalledWsClient() = default;
    ~StalledWsClient();
    Q_DISABLE_COPY_MOVE(StalledWsClient)

    /// Connects, sends the upgrade, reads exactly the response head. True on 101.
    bool handshake(quint16 port, const QByteArray &target, int timeoutMs = 5000);

private:
    int m_fd = -1;
};

} // namespace Switchboard::Test
