#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QUrl>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

struct iovec;

namespace Switchboard {

/// What HttpFront hands over once it has answered a WebSocket upgrade with 101.
struct WsUpgrade
{
    qintptr descriptor = -1;       // the connection's socket, now owned by whoever takes this
    QUrl url;                      // the request's URL (path and query)
    QByteArray authorization;      // the Authorization header, if any
    QString peer;                  // "address:port"
};

/**
 * @brief The server side of one RFC 6455 connection, straight on its socket descriptor.
 *
 * Replaces QWebSocket on the server's hot path. Frames go out with one send() each while the
 * socket keeps up (header and payload in one sendmsg), a broadcast is framed once and the
 * same bytes go to every recipient (sendFrame), and nothing is buffered per socket unless the
 * kernel refuses bytes: then the rest waits in one buffer that is released as soon as it is
 * written. Incoming data is read into a per-thread scratch buffer; only a partial frame is
 * kept. Client frames must be masked; text must be UTF-8; violations close with the RFC's
 * codes (1002, 1007, 1009). One read notifier per socket, a write notifier only while bytes
 * wait.
 *
 * Lives in (and is only touched from) the thread that created it.
 */
class WsStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WsStream)

public:
    enum Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };
    enum class State { Open, Closing, Closed };

    /**
     * While a Batch is open on a thread, what that thread's streams send is collected
     * instead of written (only references to shared frames, no copies) and leaves when the
     * outermost Batch closes: one sendmsg per socket for everything it got in the batch.
     * IoWorker opens one around each run of queued deliveries, so a burst of broadcasts
     * costs one system call per recipient instead of one per delivery.
     */
    class Batch
    {
    public:
        Batch();
        ~Batch();
        Q_DISABLE_COPY_MOVE(Batch)
        /// Writes out what was collected so far (bounds memory in a long batch).
        static void flush();
        /// Frames collected and not yet written on this thread.
        static qsizetype pending();
    };

    /// Takes ownership of @p descriptor (already past the HTTP handshake).
    explicit WsStream(qintptr descriptor, QObject *parent = nullptr);
    ~WsStream() override;

    /// A complete unmasked frame with FIN set: what the server sends. Build a broadcast once.
    static QByteArray frame(Opcode opcode, QByteArrayView payload);
    /// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 section 4.2.2).
    static QByteArray acceptKey(QByteArrayView clientKey);
    /// Whether @p data is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
    static bool isValidUtf8(const char *data, qsizetype size);

    State state() const { return m_state; }
    bool isOpen() const { return m_state == State::Open; }
    /// Bytes accepted by send calls that the kernel has not taken yet.
    qint64 bytesToWrite() const { return m_out.size() - m_outPos; }
    /// Messages (or fragmented messages) larger than this close the connection with 1009.
    void setMaxMessageSize(qint64 bytes) { m_maxMessage = bytes; }

    /// Sends one text message (UTF-8) or binary message; returns false when no longer open.
    bool sendText(QByteArrayView utf8) { return sendData(Text, utf8); }
    bool sendBinary(QByteArrayView data) { return sendData(Binary, data); }
    /// Sends a frame made by frame() as is.
    bool sendFrame(const QByteArray &frame);
    void ping(QByteArrayView payload = {});

    /// Starts the closing handshake; disconnected() follows when the peer answers (or on abort()).
    void close(int code = 1000, const QString &reason = QString());
    /// Closes the socket now. Emits disconnected() if it had not been emitted yet.
    void abort();
    /// close(), then deletes itself once disconnected, or aborts after @p graceMs.
    void closeAndDispose(int code, const QString &reason, int graceMs = 2000);

    /// The code of the close: the peer's, ours, 1005 (none given) or 1006 (no close frame).
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived(const QByteArray &data);
    void pong();
    /// The socket is closed; emitted once.
    void disconnected();

private:
    bool sendData(Opcode opcode, QByteArrayView payload);
    bool write(const char *first, qsizetype firstSize, const char *second = nullptr, qsizetype secondSize = 0);
    /// One sendmsg; the bytes taken, or -1 when the peer is gone (an abort is queued).
    qsizetype sendParts(iovec *parts, int count);
    /// Keeps what the kernel did not take of @p parts, in order, and waits for writability.
    void keepUnsent(const iovec *parts, int count, qsizetype sent);
    void onReadable();
    void onWritable();
    /// Parses complete frames from [data, data + size); returns the bytes consumed.
    qsizetype parse(const char *data, qsizetype size);
    /// Handles one complete frame; false when the stream stopped (closed or failed).
    bool handleFrame(quint8 opcode, bool fin, QByteArray payload);
    void handleClose(const QByteArray &payload);
    /// Closes with @p code because the peer broke the protocol.
    void fail(int code, const QString &reason);
    void sendCloseFrame(int code, const QString &reason);
    void finishWhenFlushed();
    void closeSocket();
    void setWriteWatch(bool on);
    void collect(QByteArray frame);
    void flushCollected();

    int m_fd = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    State m_state = State::Open;
    bool m_closeSent = false;
    bool m_closeAfterFlush = false;   // input is ignored; the socket closes once flushed
    bool m_linger = false;            // failed: shut the write side and drain until the peer closes
    bool m_writeShut = false;
    bool m_disconnectEmitted = false;
    int m_closeCode = 1006;
    QString m_closeReason;
    qint64 m_maxMessage = 1 << 20;

    QByteArray m_out;              // bytes the kernel did not take yet, from m_outPos
    qsizetype m_outPos = 0;
    QByteArray m_in;               // an incomplete frame carried over to the next read
    QByteArray m_message;          // a fragmented message being assembled
    quint8 m_messageOpcode = 0;    // its opcode; 0 when none is in progress
    int m_batchSlot = -1;          // this stream's place in the thread's open batch, or -1
    int m_batchHead = -1;          // its first and last collected frame there
    int m_batchTail = -1;
};

} // namespace Switchboard
