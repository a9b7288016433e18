#pragma once

#include <utility>

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief One accepted HTTP connection, straight on its socket descriptor: what HttpFront
 * reads requests from and writes answers to.
 *
 * Replaces QTcpSocket on the HTTP path the way WsStream replaced QWebSocket: no FIONREAD
 * before each read, no QIODevice buffers, no signal chain per read. The reader reads into
 * its own (stack) buffer with read(); bytes the kernel does not take on write() wait in one
 * buffer behind a write notifier that is armed only while they wait.
 *
 * While the reader does not want input (a request waiting for its answer), hold() keeps what
 * arrives, up to kMaxKept bytes, and stops reading after that; the peer's close is still
 * noticed while there is room. A reset closes the connection at once. The peer's end of stream
 * (a client that half-closed after its requests) stops the reading; answers written already
 * still go out, then the connection closes; with none waiting it closes at once, as QTcpSocket
 * does (an answer still being prepared is abandoned, as Node's http server does by default).
 * disconnected() follows the close, queued, then the object deletes itself later.
 *
 * Lives in (and is only touched from) the thread that created it.
 */
class HttpSocket final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpSocket)

public:
    /// The most input held while the reader does not read (hold()).
    static constexpr qsizetype kMaxKept = 64 * 1024;

    /// Takes ownership of @p descriptor (connected, non-blocking is set here).
    HttpSocket(int descriptor, QHostAddress peer, quint16 peerPort, QObject *parent = nullptr);
    ~HttpSocket() override;

    bool isConnected() const { return m_fd >= 0; }
    int descriptor() const { return m_fd; }
    const QHostAddress &peerAddress() const { return m_peer; }
    quint16 peerPort() const { return m_peerPort; }

    /// Copies into @p buffer what hold() kept, else what the kernel holds (at most @p max
    /// bytes). 0 when nothing is there now; at the peer's end of stream or an error the
    /// connection closes (disconnected() follows) and 0 is returned.
    qsizetype read(char *buffer, qsizetype max);
    /// Puts @p size bytes back in front of what is kept: input that a request waiting for its
    /// answer left unparsed.
    void unread(const char *data, qsizetype size);
    /// Reads and keeps what arrives (up to kMaxKept bytes, then reading stops until resume());
    /// for a reader that may not parse it yet.
    void hold();
    /// Reading goes on (after hold() stopped it); readable() follows when input is there.
    void resume();
    /// What hold() kept and unread() put back, taken away (an upgrade's first frames).
    QByteArray takeKept() { return std::exchange(m_kept, {}); }

    /// Sends @p data after what waits; what the kernel does not take now is kept and sent
    /// when the socket is writable.
    void write(const char *data, qsizetype size);
    void write(const QByteArray &data) { write(data.constData(), data.size()); }
    /// Bytes accepted by write() that the kernel has not taken yet.
    qint64 bytesToWrite() const { return m_out.size() - m_outPos; }

    /// Half-closes towards the peer once what waits is written (after a refusal).
    void shutdownWriteWhenFlushed();
    /// Closes once what waits is written.
    void disconnectFromHost();
    /// Closes now; unsent bytes are dropped.
    void abort();
    /// Hands the descriptor over (a WebSocket upgrade): this object no longer touches it and
    /// goes as if closed, without closing it.
    int takeDescriptor();

Q_SIGNALS:
    /// Input is waiting to be read (kept or in the kernel).
    void readable();
    /// Bytes that had waited were written (activity for the idle timeout).
    void bytesWritten();
    /// The connection is closed; emitted once, queued.
    void disconnected();

private:
    void onReadable();
    void onWritable();
    /// The peer sent its last byte: closes now, or once what waits is written.
    void endOfInput();
    void setWriteWatch(bool on);
    /// Closes the descriptor (unless taken), emits disconnected() queued and deletes later.
    void finish(bool closeDescriptor);

    int m_fd = -1;
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_kept;          // input read but not consumed, parsed before the kernel's
    bool m_holding = false;     // the reader does not read: onReadable() keeps instead
    bool m_endOfInput = false;  // the peer half-closed: nothing more to read
    QByteArray m_out;           // bytes the kernel did not take yet, from m_outPos
    qsizetype m_outPos = 0;
    bool m_closeWhenFlushed = false;
    bool m_shutWhenFlushed = false;
    bool m_finished = false;
};

} // namespace Switchboard
