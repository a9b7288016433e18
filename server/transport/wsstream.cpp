#include "wsstream.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/logging.h"
#include "transport/tls.h"

namespace Switchboard {

namespace {

constexpr int SendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

// One read buffer per thread, shared by every socket of that thread: a socket keeps only
// the tail of a frame that has not fully arrived.
constexpr qsizetype ScratchSize = 64 * 1024;
thread_local char t_scratch[ScratchSize];

// The thread's open batch: collected frames, chained per stream, in arrival order. An entry
// points into `frames`, which holds each distinct frame once: a broadcast collected for 1,000
// streams is one reference, not 1,000 reference-count updates.
struct BatchState
{
    struct Entry { const char *data; qsizetype size; int next = -1; };
    int depth = 0;
    std::vector<Entry> entries;
    std::vector<QByteArray> frames;
    const char *lastFrame = nullptr; // the data of frames.back()
    qsizetype lastSize = -1;
    std::vector<WsStream *> streams; // in the order they first collected; null once deleted
};
thread_local BatchState t_batch;

constexpr int MaxParts = 64;

// TLS: small frames of one batch are sealed together, in records of at most this size.
constexpr qsizetype RecordSize = 16 * 1024;
thread_local char t_record[RecordSize];

int headerFor(char *out, quint8 opcode, quint64 length)
{
    out[0] = char(0x80 | opcode);
    if (length < 126) {
        out[1] = char(length);
        return 2;
    }
    if (length <= 0xFFFF) {
        out[1] = char(126);
        out[2] = char(length >> 8);
        out[3] = char(length);
        return 4;
    }
    out[1] = char(127);
    for (int i = 0; i < 8; ++i)
        out[2 + i] = char(length >> (56 - 8 * i));
    return 10;
}

void unmask(const uchar *source, char *target, qsizetype size, const uchar *mask)
{
    quint32 mask32;
    std::memcpy(&mask32, mask, 4);
    const quint64 mask64 = (quint64(mask32) << 32) | mask32;
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, source + i, 8);
        word ^= mask64;
        std::memcpy(target + i, &word, 8);
    }
    for (; i < size; ++i)
        target[i] = char(source[i] ^ mask[i & 3]);
}

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A slow consumer's close frame waits behind everything it did not read; a peer that reads
// nothing never answers it.
constexpr int OverBudgetGraceMs = 2000;

bool isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

} // namespace

WsStream::WsStream(qintptr descriptor, QObject *parent, QByteArray leftover)
    : QObject(parent), m_fd(int(descriptor)), m_controlLimiter(10, 20, steadyMs())
{
    m_in = std::move(leftover);
    TlsHandover tls = TlsPump::handOver(m_fd);
    if (tls.ssl) {
        // The pump's plain end is not needed any more: this stream speaks TLS on the TCP socket.
        ::close(m_fd);
        m_fd = tls.net;
        m_ssl = tls.ssl;
        m_out = std::move(tls.netOut);
        m_in += tls.plainIn; // behind what the HTTP front had read already
    }
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, m_ssl ? &WsStream::onReadableTls : &WsStream::onReadable);
    if (!m_out.isEmpty())
        setWriteWatch(true); // the 101 answer, encrypted
    // What was read before (and what the pump holds) is parsed once the owner listens.
    if (hasCarried())
        QMetaObject::invokeMethod(this, &WsStream::feedCarried, Qt::QueuedConnection);
}

WsStream::~WsStream()
{
    if (m_batchSlot >= 0)
        t_batch.streams[size_t(m_batchSlot)] = nullptr;
    if (m_fd >= 0) {
        // No disconnected() from a destructor: the owner is going away itself.
        m_disconnectEmitted = true;
        closeSocket();
    }
}

QByteArray WsStream::frame(Opcode opcode, QByteArrayView payload)
{
    char header[10];
    const int headerSize = headerFor(header, opcode, quint64(payload.size()));
    QByteArray out(headerSize + payload.size(), Qt::Uninitialized);
    std::memcpy(out.data(), header, size_t(headerSize));
    if (!payload.isEmpty())
        std::memcpy(out.data() + headerSize, payload.data(), size_t(payload.size()));
    return out;
}

QByteArray WsStream::acceptKey(QByteArrayView clientKey)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(clientKey);
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

bool WsStream::isValidUtf8(const char *data, qsizetype size)
{
    const auto *s = reinterpret_cast<const uchar *>(data);
    const uchar *const end = s + size;
    while (s < end) {
        if (end - s >= 8) {
            quint64 word;
            std::memcpy(&word, s, 8);
            if (!(word & 0x8080808080808080ULL)) {
                s += 8;
                continue;
            }
        }
        const uchar lead = *s;
        if (lead < 0x80) {
            ++s;
            continue;
        }
        int follow = 0;
        quint32 codePoint = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            follow = 1;
            codePoint = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            follow = 2;
            codePoint = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            follow = 3;
            codePoint = lead & 0x07;
        } else {
            return false; // continuation byte as lead, overlong 2-byte lead, or beyond U+10FFFF
        }
        if (end - s <= follow)
            return false;
        for (int i = 1; i <= follow; ++i) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (s[i] & 0x3F);
        }
        if (follow == 2 && (codePoint < 0x800 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)))
            return false;
        if (follow == 3 && (codePoint < 0x10000 || codePoint > 0x10FFFF))
            return false;
        s += follow + 1;
    }
    return true;
}

// --- sending -------------------------------------------------------------------------------

bool WsStream::sendData(Opcode opcode, QByteArrayView payload)
{
    if (m_state != State::Open)
        return false;
    char header[10];
    const int headerSize = headerFor(header, opcode, quint64(payload.size()));
    return write(header, headerSize, payload.data(), payload.size());
}

void WsStream::setControlFrameLimit(double perSecond, double burst)
{
    m_controlLimiter = RateLimiter(perSecond, burst, steadyMs());
}

void WsStream::ping()
{
    if (m_state != State::Open)
        return;
    // A payload the peer cannot guess without reading our ping: only its echo counts as a pong.
    const quint64 token = QRandomGenerator::global()->generate64();
    m_pingPayload = QByteArray(reinterpret_cast<const char *>(&token), sizeof(token));
    char header[2];
    const int headerSize = headerFor(header, Ping, quint64(m_pingPayload.size()));
    write(header, headerSize, m_pingPayload.constData(), m_pingPayload.size());
}

bool WsStream::sendFrame(const QByteArray &frame)
{
    if (m_state != State::Open)
        return false;
    if (t_batch.depth > 0 && bytesToWrite() == 0 && fits(frame.size())) {
        collect(frame); // shared, not copied
        return true;
    }
    return write(frame.constData(), frame.size());
}

bool WsStream::fits(qint64 size) const
{
    if (m_state != State::Open)
        return true; // our close frame, and what was collected before it (within budget then)
    const qint64 held = bytesToWrite() + m_batchBytes;
    return held == 0 || held + size <= m_maxBuffered;
}

void WsStream::leaveBatch()
{
    if (m_batchSlot < 0)
        return;
    t_batch.streams[size_t(m_batchSlot)] = nullptr; // Batch::flush must not visit it again
    flushCollected();
}

void WsStream::dropOverBudget(qint64 wanted)
{
    const qint64 held = bytesToWrite() + m_batchBytes + wanted;
    m_overBudget = true;
    m_closeCode = 1008;
    m_closeReason = QStringLiteral("slow consumer");
    sendCloseFrame(m_closeCode, m_closeReason);
    QTimer::singleShot(OverBudgetGraceMs, this, &WsStream::abort);
    Q_EMIT overBudget(held);
}

void WsStream::collect(const QByteArray &frame)
{
    BatchState &batch = t_batch;
    m_batchBytes += frame.size();
    const int index = int(batch.entries.size());
    // Consecutive collections of one shared frame (a fan-out) keep it once.
    const char *data = frame.constData();
    const qsizetype size = frame.size();
    if (data != batch.lastFrame || size != batch.lastSize) {
        batch.frames.push_back(frame);
        batch.lastFrame = data;
        batch.lastSize = size;
    }
    batch.entries.push_back({data, size, -1});
    if (m_batchSlot < 0) {
        m_batchSlot = int(batch.streams.size());
        batch.streams.push_back(this);
        m_batchHead = index;
    } else {
        batch.entries[size_t(m_batchTail)].next = index;
    }
    m_batchTail = index;
}

void WsStream::flushCollected()
{
    BatchState &batch = t_batch;
    int index = std::exchange(m_batchHead, -1);
    m_batchTail = -1;
    m_batchSlot = -1;
    m_batchBytes = 0;
    while (index >= 0 && m_fd >= 0) {
        iovec parts[MaxParts];
        int count = 0;
        qsizetype total = 0;
        for (; index >= 0 && count < MaxParts; index = batch.entries[size_t(index)].next) {
            const BatchState::Entry &entry = batch.entries[size_t(index)];
            parts[count++] = {const_cast<char *>(entry.data), size_t(entry.size)};
            total += entry.size;
        }
        if (!transmit(parts, count, total))
            return;
    }
    if (m_closeAfterFlush)
        finishWhenFlushed();
}

WsStream::Batch::Batch()
{
    ++t_batch.depth;
}

WsStream::Batch::~Batch()
{
    // Still open while flushing: what handlers send meanwhile is collected behind, in order.
    flush();
    --t_batch.depth;
}

void WsStream::Batch::flush()
{
    BatchState &batch = t_batch;
    for (size_t i = 0; i < batch.streams.size(); ++i) {
        // The next stream's fields are fetched while this one's system call runs: by the time
        // its turn comes, the kernel's send path has pushed it out of the cache again.
        if (i + 1 < batch.streams.size() && batch.streams[i + 1]) {
            const auto *next = reinterpret_cast<const char *>(batch.streams[i + 1]);
            for (size_t at = 0; at < sizeof(WsStream); at += 64)
                __builtin_prefetch(next + at);
        }
        if (WsStream *stream = batch.streams[i])
            stream->flushCollected();
    }
    batch.streams.clear();
    batch.entries.clear();
    batch.frames.clear();
    batch.lastFrame = nullptr;
    batch.lastSize = -1;
}

qsizetype WsStream::Batch::pending()
{
    return qsizetype(t_batch.entries.size());
}

bool WsStream::write(const char *first, qsizetype firstSize, const char *second, qsizetype secondSize)
{
    if (m_fd < 0)
        return false;
    if (m_batchSlot >= 0) {
        if (fits(firstSize + secondSize)) {
            // Behind what this stream collected in the open batch.
            QByteArray frame(first, firstSize);
            if (secondSize > 0)
                frame.append(second, secondSize);
            collect(frame);
            return true;
        }
        // Over budget with the collected frames counted: the kernel may take some of them.
        leaveBatch();
        if (m_fd < 0)
            return false;
    }
    iovec parts[2] = {{const_cast<char *>(first), size_t(firstSize)}, {const_cast<char *>(second), size_t(secondSize)}};
    const int count = secondSize > 0 ? 2 : 1;
    if (bytesToWrite() > 0 && !fits(firstSize + secondSize)) {
        dropOverBudget(firstSize + secondSize);
        return false;
    }
    return transmit(parts, count, firstSize + secondSize);
}

bool WsStream::transmit(iovec *parts, int count, qsizetype total)
{
    return m_ssl ? transmitTls(parts, count) : transmitPlain(parts, count, total);
}

bool WsStream::transmitPlain(iovec *parts, int count, qsizetype total)
{
    qsizetype sent = 0;
    if (bytesToWrite() == 0) {
        // The common case: the kernel takes the whole frame now, nothing is buffered here.
        sent = sendParts(parts, count);
        if (sent < 0)
            return false;
        if (sent == total)
            return true;
    } else if (m_outPos > 0 && m_outPos >= m_out.size() / 2) {
        m_out.remove(0, m_outPos);
        m_outPos = 0;
    }
    keepUnsent(parts, count, sent);
    return true;
}

bool WsStream::transmitTls(const iovec *parts, int count)
{
    // Frames are sealed together into records of up to 16 KiB (one MAC and one header per
    // record, not per frame); a part of a record's size or more is sealed in place.
    qsizetype used = 0;
    bool ok = true;
    const auto seal = [this, &ok](const char *data, qsizetype size) {
        ERR_clear_error();
        ok = ok && SSL_write(m_ssl, data, int(size)) == int(size);
    };
    for (int i = 0; i < count && ok; ++i) {
        const char *data = static_cast<const char *>(parts[i].iov_base);
        qsizetype size = qsizetype(parts[i].iov_len);
        if (size >= RecordSize) {
            if (used > 0)
                seal(t_record, std::exchange(used, 0));
            seal(data, size);
            continue;
        }
        while (size > 0) {
            const qsizetype take = qMin(size, RecordSize - used);
            std::memcpy(t_record + used, data, size_t(take));
            used += take;
            data += take;
            size -= take;
            if (used == RecordSize)
                seal(t_record, std::exchange(used, 0));
        }
    }
    if (used > 0)
        seal(t_record, used);
    if (!ok) {
        qCDebug(lcWs) << "TLS write failed:" << ERR_reason_error_string(ERR_peek_error());
        ERR_clear_error();
        m_out = QByteArray();
        m_outPos = 0;
        QMetaObject::invokeMethod(this, &WsStream::abort, Qt::QueuedConnection);
        return false;
    }
    return flushTls();
}

bool WsStream::flushTls()
{
    // The records go out exactly as plain frames do: sent now, or kept behind what waits.
    BIO *out = SSL_get_wbio(m_ssl);
    char *data = nullptr;
    const long pending = BIO_get_mem_data(out, &data);
    if (pending <= 0)
        return true;
    iovec records{data, size_t(pending)};
    const bool ok = transmitPlain(&records, 1, qsizetype(pending));
    (void)BIO_reset(out);
    return ok;
}

bool WsStream::sendCloseNotify()
{
    ERR_clear_error();
    SSL_shutdown(m_ssl);
    return flushTls();
}

qsizetype WsStream::sendParts(iovec *parts, int count)
{
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = size_t(count);
    ssize_t n;
    // The system call itself, not glibc's sendmsg(): that one is a thread cancellation point and
    // switches asynchronous cancellation on and off around every call, about 6 % of the user-space
    // instructions of a delivery (issue 19). Nothing here is ever cancelled, and the socket never
    // blocks (MSG_DONTWAIT). One part (a fan-out's lone frame) goes by sendto(): the kernel's
    // sendmsg() copies and checks the message header and the iovec array first, 190 ns of the
    // 5.8 µs a delivery to a room of 1,000 costs (perf, issue 19).
    do {
        n = count == 1 ? ::syscall(SYS_sendto, m_fd, parts[0].iov_base, parts[0].iov_len, SendFlags, nullptr, 0)
                       : ::syscall(SYS_sendmsg, m_fd, &message, SendFlags);
    } while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 0;
    // The peer is gone; the read side reports it, or the queued abort does. Not
    // synchronously: callers are in the middle of a fan-out loop.
    m_out = QByteArray();
    m_outPos = 0;
    QMetaObject::invokeMethod(this, &WsStream::abort, Qt::QueuedConnection);
    return -1;
}

void WsStream::keepUnsent(const iovec *parts, int count, qsizetype sent)
{
    for (int i = 0; i < count; ++i) {
        const auto size = qsizetype(parts[i].iov_len);
        if (sent >= size) {
            sent -= size;
            continue;
        }
        m_out.append(static_cast<const char *>(parts[i].iov_base) + sent, size - sent);
        sent = 0;
    }
    setWriteWatch(true);
}

void WsStream::onWritable()
{
    while (bytesToWrite() > 0) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos, size_t(bytesToWrite()), SendFlags);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            abort();
            return;
        }
        m_outPos += n;
    }
    // Drained: give the memory back, so an idle socket costs no buffer at all.
    m_out = QByteArray();
    m_outPos = 0;
    setWriteWatch(false);
    if (std::exchange(m_shutPending, false))
        ::shutdown(m_fd, SHUT_WR);
    if (m_closeAfterFlush)
        finishWhenFlushed();
}

void WsStream::setWriteWatch(bool on)
{
    if (on) {
        if (!m_writeNotifier) {
            m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
            connect(m_writeNotifier, &QSocketNotifier::activated, this, &WsStream::onWritable);
        } else {
            m_writeNotifier->setEnabled(true);
        }
    } else if (m_writeNotifier) {
        m_writeNotifier->setEnabled(false);
    }
}

// --- receiving -----------------------------------------------------------------------------

void WsStream::onReadable()
{
    // A bounded number of reads per wake-up, so one flooding peer cannot starve the others.
    for (int round = 0; round < 4 && m_fd >= 0; ++round) {
        const ssize_t n = ::read(m_fd, t_scratch, size_t(ScratchSize));
        if (n == 0) {
            closeSocket(); // end of stream: closed by the peer (1006 unless a close frame came)
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeSocket();
            return;
        }
        feed(t_scratch, n);
        if (n < ScratchSize)
            return;
    }
}

void WsStream::feed(const char *data, qsizetype size)
{
    // After a protocol failure, or once the peer's close frame is in, input is drained and
    // dropped until the peer closes.
    if (m_closeAfterFlush || m_fd < 0)
        return;
    if (m_in.isEmpty()) {
        const qsizetype used = parse(data, size);
        if (m_fd >= 0 && !m_closeAfterFlush && used < size)
            m_in = QByteArray(data + used, size - used);
    } else {
        // Parsed from a local: handlers may close the stream, which drops m_in.
        QByteArray buffer = std::exchange(m_in, QByteArray());
        buffer.append(data, size);
        const qsizetype used = parse(buffer.constData(), buffer.size());
        if (m_fd >= 0 && !m_closeAfterFlush && used < buffer.size())
            m_in = used == 0 ? std::move(buffer) : buffer.mid(used);
    }
}

bool WsStream::hasCarried() const
{
    return m_fd >= 0 && (!m_in.isEmpty() || m_ssl);
}

void WsStream::feedCarried()
{
    if (m_readingPaused)
        return; // setReadingPaused(false) comes back here
    const QByteArray carried = std::exchange(m_in, QByteArray());
    if (!carried.isEmpty())
        feed(carried.constData(), carried.size());
    if (m_ssl)
        onReadableTls(); // records the pump had read and not yet decrypted
}

void WsStream::onReadableTls()
{
    for (int round = 0; round < 4 && m_fd >= 0 && m_ssl; ++round) {
        const ssize_t n = ::read(m_fd, t_scratch, size_t(ScratchSize));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            closeSocket();
            return;
        }
        if (n > 0)
            BIO_write(SSL_get_rbio(m_ssl), t_scratch, int(n));
        // Records already read are decrypted even at the end of the stream: a close frame
        // may be among them.
        for (;;) {
            ERR_clear_error();
            const int got = SSL_read(m_ssl, t_scratch, int(ScratchSize));
            if (got > 0) {
                feed(t_scratch, got);
                if (m_fd < 0)
                    return;
                continue;
            }
            const int error = SSL_get_error(m_ssl, got);
            if (error == SSL_ERROR_WANT_READ)
                break;
            if (error != SSL_ERROR_ZERO_RETURN)
                qCDebug(lcWs) << "TLS read failed:" << ERR_reason_error_string(ERR_peek_error());
            ERR_clear_error();
            flushTls(); // an alert, if any
            closeSocket(); // the peer's close_notify, or a broken record: nothing more comes
            return;
        }
        // Answers the session produced (a KeyUpdate's): a peer that asks for them without
        // reading is a slow consumer like any other.
        if (!flushTls())
            return;
        if (bytesToWrite() > m_maxBuffered) {
            if (m_state == State::Open && !m_overBudget)
                dropOverBudget(0);
            else
                abort();
            return;
        }
        if (n == 0) {
            closeSocket(); // end of stream
            return;
        }
        if (n < ScratchSize)
            return;
    }
}

qsizetype WsStream::parse(const char *data, qsizetype size)
{
    qsizetype pos = 0;
    while (m_fd >= 0 && !m_closeAfterFlush) {
        const qsizetype available = size - pos;
        if (available < 2)
            break;
        const auto *p = reinterpret_cast<const uchar *>(data + pos);
        const bool fin = p[0] & 0x80;
        const quint8 opcode = p[0] & 0x0F;
        if (p[0] & 0x70) {
            fail(1002, QStringLiteral("reserved bits set without a negotiated extension"));
            break;
        }
        if (!(p[1] & 0x80)) {
            fail(1002, QStringLiteral("client frames must be masked"));
            break;
        }
        quint64 length = p[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            header = 10;
        }
        if (opcode & 0x8) {
            if (opcode != Close && opcode != Ping && opcode != Pong) {
                fail(1002, QStringLiteral("unknown opcode %1").arg(opcode));
                break;
            }
            if (!fin || length > 125) {
                fail(1002, QStringLiteral("control frames must be final and at most 125 bytes"));
                break;
            }
        } else {
            if (opcode > Binary) {
                fail(1002, QStringLiteral("unknown opcode %1").arg(opcode));
                break;
            }
            if (opcode == Continuation && !m_messageOpcode) {
                fail(1002, QStringLiteral("continuation frame without a message"));
                break;
            }
            if (opcode != Continuation && m_messageOpcode) {
                fail(1002, QStringLiteral("new message before the fragmented one ended"));
                break;
            }
            // Refused on the header, before anything of it is buffered.
            if (length > quint64(m_maxMessage - m_message.size())) {
                fail(1009, QStringLiteral("message too big (limit %1 bytes)").arg(m_maxMessage));
                break;
            }
        }
        header += 4; // the masking key
        if (available < header || quint64(available - header) < length)
            break; // the rest of this frame has not arrived yet
        QByteArray payload(qsizetype(length), Qt::Uninitialized);
        unmask(p + header, payload.data(), qsizetype(length), p + header - 4);
        pos += header + qsizetype(length);
        if (!handleFrame(opcode, fin, std::move(payload)))
            break;
    }
    return pos;
}

bool WsStream::handleFrame(quint8 opcode, bool fin, QByteArray payload)
{
    if ((opcode == Ping || opcode == Pong) && m_state == State::Open && !m_controlLimiter.tryAcquire(steadyMs())) {
        fail(1008, QStringLiteral("too many control frames"));
        return false;
    }
    switch (opcode) {
    case Ping:
        if (m_state == State::Open) {
            char header[2];
            const int headerSize = headerFor(header, Pong, quint64(payload.size()));
            write(header, headerSize, payload.constData(), payload.size());
        }
        return true;
    case Pong:
        // Only the answer to our last ping shows the peer reads; an unsolicited pong is dropped.
        if (!m_pingPayload.isEmpty() && payload == m_pingPayload) {
            m_pingPayload.clear();
            Q_EMIT pong();
        }
        return m_fd >= 0;
    case Close:
        handleClose(payload);
        return false;
    default:
        break;
    }
    if (m_state != State::Open)
        return true; // after our close frame, data is read and ignored until the peer's
    if (opcode != Continuation)
        m_messageOpcode = opcode;
    if (!fin) {
        m_message.append(payload);
        return true;
    }
    const QByteArray message = m_message.isEmpty() ? std::move(payload) : std::exchange(m_message, {}) + payload;
    const quint8 messageOpcode = std::exchange(m_messageOpcode, 0);
    if (messageOpcode == Text) {
        if (!isValidUtf8(message.constData(), message.size())) {
            fail(1007, QStringLiteral("text message is not valid UTF-8"));
            return false;
        }
        Q_EMIT textReceived(message);
    } else {
        Q_EMIT binaryReceived(message);
    }
    return m_fd >= 0 && !m_closeAfterFlush;
}

void WsStream::handleClose(const QByteArray &payload)
{
    int code = 1005;
    QString reason;
    if (payload.size() == 1) {
        fail(1002, QStringLiteral("close frame with a one-byte body"));
        return;
    }
    if (payload.size() >= 2) {
        code = (uchar(payload[0]) << 8) | uchar(payload[1]);
        if (!isValidCloseCode(code)) {
            fail(1002, QStringLiteral("invalid close code %1").arg(code));
            return;
        }
        if (!isValidUtf8(payload.constData() + 2, payload.size() - 2)) {
            fail(1007, QStringLiteral("close reason is not valid UTF-8"));
            return;
        }
        reason = QString::fromUtf8(payload.constData() + 2, payload.size() - 2);
    }
    if (!m_closeSent) {
        // The peer started the closing handshake: its code is the close code; echo it.
        m_closeCode = code;
        m_closeReason = reason;
        sendCloseFrame(code == 1005 ? 0 : code, QString());
    }
    m_closeAfterFlush = true;
    finishWhenFlushed();
}

// --- closing -------------------------------------------------------------------------------

void WsStream::sendCloseFrame(int code, const QString &reason)
{
    QByteArray body;
    if (code != 0) {
        body.append(char(code >> 8));
        body.append(char(code & 0xFF));
        QByteArray text = reason.toUtf8();
        if (text.size() > 123) {
            // Cut at a character boundary: the reason must stay valid UTF-8.
            qsizetype cut = 123;
            while (cut > 0 && (uchar(text.at(cut)) & 0xC0) == 0x80)
                --cut;
            text.truncate(cut);
        }
        body += text;
    }
    char header[2];
    const int headerSize = headerFor(header, Close, quint64(body.size()));
    m_closeSent = true;
    m_state = State::Closing;
    write(header, headerSize, body.constData(), body.size());
}

void WsStream::close(int code, const QString &reason)
{
    if (m_state != State::Open)
        return;
    m_closeCode = code;
    m_closeReason = reason;
    sendCloseFrame(code, reason);
}

void WsStream::fail(int code, const QString &reason)
{
    if (m_state == State::Open) {
        m_closeCode = code;
        m_closeReason = reason;
        sendCloseFrame(code, reason);
    }
    // The rest of the input cannot be trusted: no waiting for a close frame in it. Once the
    // close frame is out, the write side is shut and input drained until the peer closes.
    m_linger = true;
    m_message = QByteArray();
    finishWhenFlushed();
}

void WsStream::finishWhenFlushed()
{
    m_closeAfterFlush = true;
    if (m_fd < 0 || bytesToWrite() > 0 || m_batchSlot >= 0)
        return;
    if (!m_linger) {
        // Both close frames are through: the server closes the TCP connection first (RFC 6455 7.1.1).
        if (m_ssl)
            sendCloseNotify(); // if the kernel takes it now
        closeSocket();
        return;
    }
    // After a failure: a FIN after our close frame, then close once the peer has closed too
    // (onReadable sees the end of stream). Closing with unread input would send a reset,
    // which can destroy the close frame before the peer reads it. A peer that never closes
    // is cut off after two seconds.
    if (!std::exchange(m_writeShut, true)) {
        shutWrite();
        QTimer::singleShot(2000, this, &WsStream::abort);
    }
}

void WsStream::setReadingPaused(bool paused)
{
    if (m_fd < 0 || m_readingPaused == paused)
        return;
    m_readingPaused = paused;
    m_readNotifier->setEnabled(!paused);
    // What was carried over (read by the HTTP front or the TLS pump) waits too.
    if (!paused && hasCarried())
        QMetaObject::invokeMethod(this, &WsStream::feedCarried, Qt::QueuedConnection);
}

bool WsStream::peerLeft() const
{
    if (m_fd < 0 || m_state != State::Open)
        return true;
    // Nothing was parsed since the pause: the first byte waiting starts the peer's next frame.
    if (!m_in.isEmpty())
        return (quint8(m_in.at(0)) & 0x0f) == Close;
    char first = 0;
    const ssize_t n = ::recv(m_fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return true; // end of stream
    if (n < 0)
        return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR; // a reset
    return !m_ssl && (quint8(first) & 0x0f) == Close; // TLS: ciphertext, only its end counts
}

void WsStream::shutWrite()
{
    if (m_ssl) {
        if (!sendCloseNotify())
            return;
        if (bytesToWrite() > 0) {
            m_shutPending = true; // half-closed once the close_notify is out (onWritable)
            return;
        }
    }
    ::shutdown(m_fd, SHUT_WR);
}

void WsStream::abort()
{
    closeSocket();
}

void WsStream::closeSocket()
{
    if (m_fd < 0)
        return;
    // Notifiers off before the descriptor closes, so the dispatcher drops the right watch.
    m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    ::close(m_fd);
    m_fd = -1;
    if (m_ssl) {
        SSL_free(m_ssl); // and its memory BIOs
        m_ssl = nullptr;
    }
    m_state = State::Closed;
    m_out = QByteArray();
    m_outPos = 0;
    m_in = QByteArray();
    m_message = QByteArray();
    if (!std::exchange(m_disconnectEmitted, true))
        Q_EMIT disconnected();
}

void WsStream::closeAndDispose(int code, const QString &reason, int graceMs)
{
    if (m_state == State::Closed) {
        deleteLater();
        return;
    }
    connect(this, &WsStream::disconnected, this, &QObject::deleteLater);
    // A peer that never finishes the closing handshake is cut off; the timer dies with us.
    QTimer::singleShot(graceMs, this, &WsStream::abort);
    close(code, reason);
}

} // namespace Switchboard
