#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include "protocol/ratelimiter.h"

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

struct iovec;
typedef struct ssl_st SSL;

namespace Switchboard {

/// What HttpFront hands over once it has answered a WebSocket upgrade with 101.
struct WsUpgrade
{
    qintptr descriptor = -1;       // the connection's socket, now owned by whoever takes this
    QUrl url;                      // the request's URL (path and query)
    QByteArray authorization;      // the Authorization header, if any
    QString peer;                  // "address:port"
    QHostAddress client;           // the client's address (X-Forwarded-For behind a trusted proxy)
    QByteArray leftover;           // bytes read after the request (a client that did not wait for the 101)
    QList<QPair<QByteArray, QByteArray>> headers; // the connect proxy's allow-listed headers (docs/hooks.md)
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
 * One byte budget covers every frame this stream sends (data, shared broadcast frames, pongs,
 * pings, close): what the kernel has not taken plus what is collected for it in an open Batch
 * may not grow past maxBufferedBytes(). A frame that would take it past is not written; the
 * stream closes with 1008 "slow consumer" (that close frame is the only thing allowed past
 * the budget, by at most 127 bytes), aborts after two seconds if the peer does not finish
 * the handshake, and emits overBudget() once. A frame that starts on an empty buffer is
 * always taken, so one message larger than the budget is not a slow consumer by itself.
 * Pings and pongs from the peer are rate-limited by a token bucket (setControlFrameLimit());
 * over it the stream fails with 1008. pong() is emitted only for a pong that answers the
 * ping this stream sent last (same payload): an unsolicited pong proves nothing.
 *
 * Over TLS, the stream takes the session over from the connection's TlsPump when it is built
 * in the pump's thread (TlsPump::handOver): it then encrypts on its own socket, a batch in
 * records of up to 16 KiB, and bytesToWrite() and the budget count ciphertext. Otherwise
 * (an Engine.IO probe adopted by another thread) it reads and writes the pump's plain end.
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

    /// Takes ownership of @p descriptor (already past the HTTP handshake); @p leftover is what
    /// was read from it after the handshake request, parsed before anything else.
    explicit WsStream(qintptr descriptor, QObject *parent = nullptr, QByteArray leftover = {});
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
    /// The outbound byte budget (see the class description); 4 MiB unless set.
    void setMaxBufferedBytes(qint64 bytes) { m_maxBuffered = bytes; }
    qint64 maxBufferedBytes() const { return m_maxBuffered; }
    /// Pings and pongs the peer may send: @p perSecond on average, @p burst at once. Over it
    /// the stream fails with 1008 "too many control frames". 10 per second, burst 20, unless set.
    void setControlFrameLimit(double perSecond, double burst);
    /// Stops (or resumes) reading the socket: what the peer sends, its close included, waits
    /// in the kernel (and what the TLS pump carried over, in this stream) meanwhile. For a
    /// connection whose admission is still being decided.
    void setReadingPaused(bool paused);
    /// While reading is paused: whether the peer has left already, as far as can be told
    /// without reading: its end of stream or a reset, or (plain connections) a close frame as
    /// the first thing it sent. True once the stream is not open.
    bool peerLeft() const;
    /// True once the stream was dropped for going over its byte budget.
    bool isOverBudget() const { return m_overBudget; }

    /// Sends one text message (UTF-8) or binary message; returns false when no longer open.
    bool sendText(QByteArrayView utf8) { return sendData(Text, utf8); }
    bool sendBinary(QByteArrayView data) { return sendData(Binary, data); }
    /// Sends a frame made by frame() as is.
    bool sendFrame(const QByteArray &frame);
    /// Sends a ping with a fresh random payload; pong() follows when the peer answers it.
    void ping();

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
    /// The peer answered the last ping() (a pong with its payload).
    void pong();
    /// A frame would have taken the unsent bytes past maxBufferedBytes(): the stream is
    /// closing with 1008 "slow consumer". Emitted once; @p bytes is what it would have held.
    void overBudget(qint64 bytes);
    /// The socket is closed; emitted once.
    void disconnected();

private:
    friend struct WsStreamFuzzer; // tests/fuzz/fuzz_wsframe.cpp drives onReadable()
    bool sendData(Opcode opcode, QByteArrayView payload);
    bool write(const char *first, qsizetype firstSize, const char *second = nullptr, qsizetype secondSize = 0);
    /// Sends @p parts (@p total bytes) behind what waits: what the kernel does not take now
    /// is kept, in order; false when the peer is gone (an abort is queued).
    bool transmit(iovec *parts, int count, qsizetype total);
    /// transmit() on plain TCP (also how TLS records leave).
    bool transmitPlain(iovec *parts, int count, qsizetype total);
    /// One sendmsg; the bytes taken, or -1 when the peer is gone (an abort is queued).
    qsizetype sendParts(iovec *parts, int count);
    /// Keeps what the kernel did not take of @p parts, in order, and waits for writability.
    void keepUnsent(const iovec *parts, int count, qsizetype sent);
    /// TLS: encrypts @p parts into records and sends them (or keeps them) behind what waits.
    bool transmitTls(const iovec *parts, int count);
    /// TLS: sends what the session produced (records, alerts, handshake) behind what waits.
    bool flushTls();
    /// TLS: a close_notify, flushed like any record.
    bool sendCloseNotify();
    void onReadable();
    /// TLS: reads records, decrypts them and parses what comes out.
    void onReadableTls();
    /// Parses @p size bytes that follow what was carried over (m_in).
    void feed(const char *data, qsizetype size);
    /// Parses input read before this stream watched its socket (by the HTTP front, or by the
    /// TlsPump it took over from), then what the session holds.
    void feedCarried();
    /// Whether input may wait for feedCarried(): read before the socket was watched, or held
    /// by the TLS session.
    bool hasCarried() const;
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
    /// Half-closes towards the peer (after a close_notify over TLS).
    void shutWrite();
    void setWriteWatch(bool on);
    void collect(const QByteArray &frame);
    void flushCollected();
    /// Whether @p size more bytes fit the budget (always while closing, and on an empty buffer).
    bool fits(qint64 size) const;
    /// Writes out what this stream collected in the open batch now, leaving the batch.
    void leaveBatch();
    /// Closes with 1008 "slow consumer" and emits overBudget().
    void dropOverBudget(qint64 wanted);

    int m_fd = -1;
    SSL *m_ssl = nullptr;          // the TLS session this stream took over, or null
    QSocketNotifier *m_readNotifier = nullptr;
    bool m_readingPaused = false;
    QSocketNotifier *m_writeNotifier = nullptr;
    State m_state = State::Open;
    bool m_closeSent = false;
    bool m_closeAfterFlush = false;   // input is ignored; the socket closes once flushed
    bool m_linger = false;            // failed: shut the write side and drain until the peer closes
    bool m_writeShut = false;
    bool m_shutPending = false;       // half-close once the close_notify ahead of it is out
    bool m_disconnectEmitted = false;
    int m_closeCode = 1006;
    QString m_closeReason;
    qint64 m_maxMessage = 1 << 20;
    qint64 m_maxBuffered = 4 * 1024 * 1024;
    qint64 m_batchBytes = 0;       // bytes of the frames collected in the open batch
    bool m_overBudget = false;
    RateLimiter m_controlLimiter;  // pings and pongs from the peer
    QByteArray m_pingPayload;      // of the ping we sent last; empty once answered

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
