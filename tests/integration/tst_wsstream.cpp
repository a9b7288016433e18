// WsStream, the server's RFC 6455 framing, on real connected sockets (socketpair): the test
// plays the client byte by byte, so it can send what no well-behaved client library sends.

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QElapsedTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "transport/wsstream.h"

using Switchboard::WsStream;

namespace {

/// The client end of a socketpair: masked frames out, server frames in (blocking reads with a deadline).
class Peer
{
public:
    explicit Peer(int fd) : m_fd(fd) {}
    ~Peer() { if (m_fd >= 0) ::close(m_fd); }
    Q_DISABLE_COPY_MOVE(Peer)

    static QByteArray masked(int opcode, const QByteArray &payload, bool fin = true, quint8 flags = 0)
    {
        QByteArray out;
        out.append(char((fin ? 0x80 : 0) | flags | opcode));
        const qsizetype n = payload.size();
        if (n < 126) {
            out.append(char(0x80 | n));
        } else if (n <= 0xFFFF) {
            out.append(char(0x80 | 126));
            out.append(char(n >> 8));
            out.append(char(n));
        } else {
            out.append(char(0x80 | 127));
            for (int i = 7; i >= 0; --i)
                out.append(char(quint64(n) >> (8 * i)));
        }
        const char key[4] = {'\x12', '\x34', '\x56', '\x78'};
        out.append(key, 4);
        for (qsizetype i = 0; i < n; ++i)
            out.append(char(payload[i] ^ key[i % 4]));
        return out;
    }

    void write(const QByteArray &bytes)
    {
        QCOMPARE(::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL), ssize_t(bytes.size()));
    }
    void send(int opcode, const QByteArray &payload, bool fin = true) { write(masked(opcode, payload, fin)); }
    void closeSocket() { ::close(std::exchange(m_fd, -1)); }

    struct Frame { int opcode = -1; QByteArray payload; bool fin = false; };

    /// Reads the server's pongs (counted in @p pongs) up to the first other frame; returns it.
    Frame nextAfterPongs(int *pongs)
    {
        Frame f;
        do {
            f = next();
            *pongs += f.opcode == WsStream::Pong;
        } while (f.opcode == WsStream::Pong);
        return f;
    }

    /// The next frame from the server; opcode -1 on end of stream or timeout. Runs the
    /// server's event loop while it waits.
    Frame next(int timeoutMs = 5000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            if (Frame f; take(&f))
                return f;
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 0) > 0) {
                char chunk[65536];
                const ssize_t n = ::recv(m_fd, chunk, sizeof(chunk), MSG_DONTWAIT);
                if (n == 0) {
                    m_eof = true;
                    return {};
                }
                if (n > 0) {
                    m_buffer.append(chunk, n);
                    continue;
                }
            }
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        }
        return {};
    }
    /// True once the server closed the connection (end of stream), waiting up to @p timeoutMs.
    bool waitEof(int timeoutMs = 5000)
    {
        QElapsedTimer clock;
        clock.start();
        while (!m_eof && clock.elapsed() < timeoutMs) {
            Frame f = next(timeoutMs - int(clock.elapsed()));
            if (f.opcode < 0)
                break;
        }
        return m_eof;
    }
    static int closeCode(const Frame &f)
    {
        return f.payload.size() >= 2 ? (uchar(f.payload[0]) << 8 | uchar(f.payload[1])) : -1;
    }

private:
    bool take(Frame *f)
    {
        if (m_buffer.size() < 2)
            return false;
        const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData());
        if (p[1] & 0x80)
            qFatal("server frames must not be masked");
        quint64 n = p[1] & 0x7F;
        int header = 2;
        if (n == 126) {
            if (m_buffer.size() < 4)
                return false;
            n = quint64(p[2]) << 8 | p[3];
            header = 4;
        } else if (n == 127) {
            if (m_buffer.size() < 10)
                return false;
            n = 0;
            for (int i = 0; i < 8; ++i)
                n = n << 8 | p[2 + i];
            header = 10;
        }
        if (quint64(m_buffer.size() - header) < n)
            return false;
        f->opcode = p[0] & 0x0F;
        f->fin = p[0] & 0x80;
        f->payload = m_buffer.mid(header, qsizetype(n));
        m_buffer.remove(0, header + qsizetype(n));
        return true;
    }

    int m_fd;
    QByteArray m_buffer;
    bool m_eof = false;
};

QByteArray closeBody(int code, const QByteArray &reason = {})
{
    QByteArray body;
    body.append(char(code >> 8));
    body.append(char(code & 0xFF));
    return body + reason;
}

} // namespace

class tst_WsStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void frameHeaders_data();
    void frameHeaders();
    void acceptKey();
    void utf8_data();
    void utf8();
    void textAndBinary();
    void frameSplitAcrossReads();
    void manyFramesInOneRead();
    void fragmentedWithInterleavedPing();
    void protocolErrors_data();
    void protocolErrors();
    void messageTooBig();
    void failedPeerThatNeverCloses();
    void clientStartsClose();
    void serverStartsClose();
    void peerVanishes();
    void backpressure();
    void sharedFrame();
    void sharedFramesInOneBatchKeepOrder();
    void pingFloodFromPeerThatNeverReads();
    void everyFrameKindCountsAgainstTheBudget_data();
    void everyFrameKindCountsAgainstTheBudget();
    void collectedFramesCountAgainstTheBudget();
    void oneLargeFrameOnAnEmptyBufferIsTaken();
    void onlyAnsweringPongsCount();
    void controlFramesAreRateLimited();

private:
    /// Bytes the peer sent that the stream has not read yet.
    int unreadByStream() const
    {
        int n = -1;
        return ::ioctl(m_streamFd, FIONREAD, &n) == 0 ? n : -1;
    }

    WsStream *m_stream = nullptr;
    Peer *m_peer = nullptr;
    int m_streamFd = -1;
};

void tst_WsStream::init()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    m_stream = new WsStream(fds[0]);
    m_streamFd = fds[0];
    m_peer = new Peer(fds[1]);
}

void tst_WsStream::cleanup()
{
    delete m_stream;
    delete m_peer;
    m_stream = nullptr;
    m_peer = nullptr;
}

void tst_WsStream::frameHeaders_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("headerSize");
    QTest::newRow("empty") << 0 << 2;
    QTest::newRow("125") << 125 << 2;
    QTest::newRow("126: 16-bit length") << 126 << 4;
    QTest::newRow("65535") << 65535 << 4;
    QTest::newRow("65536: 64-bit length") << 65536 << 10;
}

void tst_WsStream::frameHeaders()
{
    QFETCH(int, size);
    QFETCH(int, headerSize);
    const QByteArray payload(size, 'x');
    const QByteArray frame = WsStream::frame(WsStream::Text, payload);
    QCOMPARE(frame.size(), headerSize + size);
    QCOMPARE(uchar(frame[0]), uchar(0x81)); // FIN + text
    QCOMPARE(uchar(frame[1]) & 0x80, 0);    // never masked
    QCOMPARE(frame.mid(headerSize), payload);
    // And the peer reads it back whole.
    QVERIFY(m_stream->sendFrame(frame));
    const Peer::Frame got = m_peer->next();
    QCOMPARE(got.opcode, int(WsStream::Text));
    QCOMPARE(got.payload, payload);
}

void tst_WsStream::acceptKey()
{
    // The example of RFC 6455 section 1.3.
    QCOMPARE(WsStream::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_WsStream::utf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ascii") << QByteArray("hello, world: a longer ascii run") << true;
    QTest::newRow("two, three, four bytes") << QByteArray("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << true;
    QTest::newRow("overlong 2-byte") << QByteArray("\xC0\x80") << false;
    QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x80\x80") << false;
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << false;
    QTest::newRow("over U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << false;
    QTest::newRow("lone continuation") << QByteArray("abc\x80") << false;
    QTest::newRow("truncated") << QByteArray("abcdefgh\xE2\x82") << false;
    QTest::newRow("bad continuation") << QByteArray("\xE2\x28\xA1") << false;
}

void tst_WsStream::utf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(WsStream::isValidUtf8(bytes.constData(), bytes.size()), valid);
}

void tst_WsStream::textAndBinary()
{
    QSignalSpy text(m_stream, &WsStream::textReceived);
    QSignalSpy binary(m_stream, &WsStream::binaryReceived);
    m_peer->send(WsStream::Text, "{\"type\":\"ping\"}");
    m_peer->send(WsStream::Binary, QByteArray("\x00\x01\x02", 3));
    QTRY_COMPARE(text.size(), 1);
    QTRY_COMPARE(binary.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), QByteArray("{\"type\":\"ping\"}"));
    QCOMPARE(binary.at(0).at(0).toByteArray(), QByteArray("\x00\x01\x02", 3));

    QVERIFY(m_stream->sendText("\xC3\xA9t\xC3\xA9"));
    QVERIFY(m_stream->sendBinary(QByteArray(70000, 'b')));
    Peer::Frame f = m_peer->next();
    QCOMPARE(f.opcode, int(WsStream::Text));
    QVERIFY(f.fin);
    QCOMPARE(f.payload, QByteArray("\xC3\xA9t\xC3\xA9"));
    f = m_peer->next();
    QCOMPARE(f.opcode, int(WsStream::Binary));
    QCOMPARE(f.payload, QByteArray(70000, 'b'));
}

void tst_WsStream::frameSplitAcrossReads()
{
    QSignalSpy text(m_stream, &WsStream::textReceived);
    const QByteArray payload(300, 'z'); // 16-bit length: the header itself arrives in pieces
    const QByteArray frame = Peer::masked(WsStream::Text, payload);
    for (char byte : frame) {
        m_peer->write(QByteArray(1, byte));
        QCoreApplication::processEvents();
    }
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), payload);
}

void tst_WsStream::manyFramesInOneRead()
{
    QSignalSpy text(m_stream, &WsStream::textReceived);
    QByteArray burst;
    for (int i = 0; i < 500; ++i)
        burst += Peer::masked(WsStream::Text, QByteArray::number(i));
    m_peer->write(burst);
    QTRY_COMPARE(text.size(), 500);
    for (int i = 0; i < 500; ++i)
        QCOMPARE(text.at(i).at(0).toByteArray(), QByteArray::number(i));
}

void tst_WsStream::fragmentedWithInterleavedPing()
{
    QSignalSpy text(m_stream, &WsStream::textReceived);
    // "héllo" split inside the two-byte é: valid only as a whole.
    m_peer->send(WsStream::Text, "h\xC3", false);
    m_peer->send(WsStream::Ping, "are you there");
    m_peer->send(WsStream::Continuation, "\xA9ll", false);
    m_peer->send(WsStream::Continuation, "o", true);
    const Peer::Frame pong = m_peer->next();
    QCOMPARE(pong.opcode, int(WsStream::Pong));
    QCOMPARE(pong.payload, QByteArray("are you there"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), QByteArray("h\xC3\xA9llo"));
    QVERIFY(m_stream->isOpen());
}

void tst_WsStream::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QByteArray unmasked("\x81\x02hi", 4);
    QTest::newRow("unmasked client frame") << unmasked << 1002;
    QTest::newRow("reserved bit") << Peer::masked(WsStream::Text, "x", true, 0x40) << 1002;
    QTest::newRow("unknown opcode") << Peer::masked(0x3, "x") << 1002;
    QTest::newRow("unknown control opcode") << Peer::masked(0xB, "x") << 1002;
    QTest::newRow("fragmented ping") << Peer::masked(WsStream::Ping, "x", false) << 1002;
    QTest::newRow("control frame over 125 bytes") << Peer::masked(WsStream::Ping, QByteArray(126, 'p')) << 1002;
    QTest::newRow("continuation without a message") << Peer::masked(WsStream::Continuation, "x") << 1002;
    QTest::newRow("new message inside a fragmented one")
        << Peer::masked(WsStream::Text, "a", false) + Peer::masked(WsStream::Text, "b") << 1002;
    QTest::newRow("invalid UTF-8 text") << Peer::masked(WsStream::Text, "\xC0\x80") << 1007;
    QTest::newRow("close code 1005 on the wire") << Peer::masked(WsStream::Close, closeBody(1005)) << 1002;
    QTest::newRow("close with a one-byte body") << Peer::masked(WsStream::Close, "x") << 1002;
    QTest::newRow("close reason not UTF-8") << Peer::masked(WsStream::Close, closeBody(1000, "\xFF")) << 1007;
}

void tst_WsStream::protocolErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QSignalSpy text(m_stream, &WsStream::textReceived);
    QSignalSpy disconnected(m_stream, &WsStream::disconnected);
    m_peer->write(bytes);
    const Peer::Frame close = m_peer->next();
    QCOMPARE(close.opcode, int(WsStream::Close));
    QCOMPARE(Peer::closeCode(close), code);
    QVERIFY(!close.payload.mid(2).isEmpty()); // the reason says what was wrong
    // The server shuts its side and waits for ours: no reset that could eat the close frame.
    QVERIFY(m_peer->waitEof());
    QCOMPARE(disconnected.size(), 0);
    m_peer->closeSocket();
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(m_stream->closeCode(), code);
    QCOMPARE(text.size(), 0);
    QVERIFY(!m_stream->sendText("too late"));
}

void tst_WsStream::messageTooBig()
{
    m_stream->setMaxMessageSize(10);
    QSignalSpy text(m_stream, &WsStream::textReceived);
    m_peer->send(WsStream::Text, "0123456789"); // at the limit: fine
    QTRY_COMPARE(text.size(), 1);
    // Fragments are counted together, and refused on the header of the one that crosses.
    m_peer->send(WsStream::Text, "01234", false);
    m_peer->send(WsStream::Continuation, "567890", true);
    const Peer::Frame close = m_peer->next();
    QCOMPARE(Peer::closeCode(close), 1009);
    QCOMPARE(text.size(), 1);
    QCOMPARE(m_stream->closeCode(), 1009);
}

void tst_WsStream::failedPeerThatNeverCloses()
{
    QSignalSpy disconnected(m_stream, &WsStream::disconnected);
    m_peer->write(QByteArray("\x81\x02hi", 4)); // unmasked
    QCOMPARE(Peer::closeCode(m_peer->next()), 1002);
    // The peer keeps its end open and says nothing: cut off after the 2 s grace.
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 5000);
    QCOMPARE(m_stream->closeCode(), 1002);
    QVERIFY(m_peer->waitEof());
}

void tst_WsStream::clientStartsClose()
{
    QSignalSpy disconnected(m_stream, &WsStream::disconnected);
    m_peer->send(WsStream::Close, closeBody(4321, "bye"));
    const Peer::Frame echo = m_peer->next();
    QCOMPARE(echo.opcode, int(WsStream::Close));
    QCOMPARE(Peer::closeCode(echo), 4321);
    QVERIFY(m_peer->waitEof()); // the server closes the TCP connection first
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(m_stream->closeCode(), 4321);
    QCOMPARE(m_stream->closeReason(), QStringLiteral("bye"));
    QCOMPARE(m_stream->state(), WsStream::State::Closed);
}

void tst_WsStream::serverStartsClose()
{
    QSignalSpy text(m_stream, &WsStream::textReceived);
    QSignalSpy disconnected(m_stream, &WsStream::disconnected);
    const QString reason = QString(200, QChar(0x00E9)); // 400 bytes of UTF-8: cut to at most 123
    m_stream->close(4001, reason);
    QVERIFY(!m_stream->sendText("after close"));
    const Peer::Frame close = m_peer->next();
    QCOMPARE(close.opcode, int(WsStream::Close));
    QCOMPARE(Peer::closeCode(close), 4001);
    QVERIFY(close.payload.size() <= 125);
    QVERIFY(WsStream::isValidUtf8(close.payload.constData() + 2, close.payload.size() - 2));
    // Data still in flight from the client is read and dropped; its close reply ends it.
    m_peer->send(WsStream::Text, "late message");
    m_peer->send(WsStream::Close, closeBody(4001));
    QVERIFY(m_peer->waitEof());
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(text.size(), 0);
    QCOMPARE(m_stream->closeCode(), 4001);
}

void tst_WsStream::peerVanishes()
{
    QSignalSpy disconnected(m_stream, &WsStream::disconnected);
    m_peer->send(WsStream::Text, "half a messa", false);
    m_peer->closeSocket();
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(m_stream->closeCode(), 1006);
    m_stream->abort(); // idempotent: no second signal
    QCOMPARE(disconnected.size(), 1);
}

void tst_WsStream::backpressure()
{
    // The peer does not read: the kernel's buffers fill and the rest waits in the stream.
    const QByteArray chunk(16 * 1024, 'q');
    int sent = 0;
    while (m_stream->bytesToWrite() == 0 && sent < 10000) {
        QVERIFY(m_stream->sendBinary(chunk));
        ++sent;
    }
    QVERIFY(m_stream->bytesToWrite() > 0);
    for (int i = 0; i < 5; ++i, ++sent)
        QVERIFY(m_stream->sendBinary(chunk));
    // Reading drains it, in order and complete, and the buffer goes back to zero.
    for (int i = 0; i < sent; ++i) {
        const Peer::Frame f = m_peer->next();
        QCOMPARE(f.opcode, int(WsStream::Binary));
        QCOMPARE(f.payload.size(), chunk.size());
    }
    QTRY_COMPARE(m_stream->bytesToWrite(), qint64(0));
}

void tst_WsStream::sharedFrame()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    WsStream second(fds[0]);
    Peer secondPeer(fds[1]);
    const QByteArray frame = WsStream::frame(WsStream::Text, "{\"type\":\"news\"}");
    QVERIFY(m_stream->sendFrame(frame));
    QVERIFY(second.sendFrame(frame));
    QCOMPARE(m_peer->next().payload, QByteArray("{\"type\":\"news\"}"));
    QCOMPARE(secondPeer.next().payload, QByteArray("{\"type\":\"news\"}"));
}

void tst_WsStream::sharedFramesInOneBatchKeepOrder()
{
    // A batch keeps a frame shared by many streams once (not one reference per stream); each
    // stream still gets what it was given in that order, its own frames and its close frame
    // included, and the shared bytes outlive the senders' copies.
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    WsStream second(fds[0]);
    Peer secondPeer(fds[1]);
    {
        WsStream::Batch batch;
        {
            const QByteArray a = WsStream::frame(WsStream::Text, "A");
            const QByteArray b = WsStream::frame(WsStream::Text, "B");
            QVERIFY(m_stream->sendFrame(a));
            QVERIFY(second.sendFrame(a));
            QVERIFY(m_stream->sendFrame(b));
            QVERIFY(m_stream->sendText("own"));
            QVERIFY(second.sendFrame(b));
            QVERIFY(m_stream->sendFrame(a));
            QCOMPARE(WsStream::Batch::pending(), 6);
        }
        second.close(1000, QStringLiteral("bye"));
    }
    for (const char *expected : {"A", "B", "own", "A"}) {
        const Peer::Frame f = m_peer->next();
        QCOMPARE(f.opcode, int(WsStream::Text));
        QCOMPARE(f.payload, QByteArray(expected));
    }
    QCOMPARE(secondPeer.next().payload, QByteArray("A"));
    QCOMPARE(secondPeer.next().payload, QByteArray("B"));
    const Peer::Frame close = secondPeer.next();
    QCOMPARE(close.opcode, int(WsStream::Close));
    QCOMPARE(close.payload, closeBody(1000, "bye"));
}

namespace {

/// Fills the kernel's buffers (the peer does not read) and then the stream's own, up to
/// less than @p room bytes below its budget.
void fillUpTo(WsStream *stream, qint64 room)
{
    const QByteArray chunk(1000, 'f');
    int guard = 0;
    while (stream->bytesToWrite() == 0 && ++guard < 100000)
        QVERIFY(stream->sendBinary(chunk));
    while (stream->bytesToWrite() + 1004 + room <= stream->maxBufferedBytes())
        QVERIFY(stream->sendBinary(chunk));
    QVERIFY(stream->bytesToWrite() > 0);
}

} // namespace

void tst_WsStream::pingFloodFromPeerThatNeverReads()
{
    // The review's trigger: 125-byte pings as fast as possible, nothing read, and a pong of
    // the client's own every so often. Every pong we owe it counts against the one budget.
    const qint64 budget = 256 * 1024;
    m_stream->setMaxBufferedBytes(budget);
    m_stream->setControlFrameLimit(1e9, 1e9); // the byte budget, not the rate limit, is under test
    QSignalSpy overBudget(m_stream, &WsStream::overBudget);
    QSignalSpy pong(m_stream, &WsStream::pong);
    const QByteArray ping = Peer::masked(WsStream::Ping, QByteArray(125, 'p'));
    QByteArray burst;
    for (int i = 0; i < 100; ++i)
        burst += ping;
    qint64 peak = 0;
    for (int round = 0; round < 2000 && overBudget.isEmpty(); ++round) {
        m_peer->write(burst);
        if (round % 50 == 0)
            m_peer->send(WsStream::Pong, "unsolicited");
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
        peak = qMax(peak, m_stream->bytesToWrite());
        // Within the budget; once dropped, plus our close frame.
        QVERIFY2(m_stream->bytesToWrite() <= budget + (overBudget.isEmpty() ? 0 : 127),
                 qPrintable(QString::number(m_stream->bytesToWrite())));
    }
    QCOMPARE(overBudget.size(), 1);
    QVERIFY(overBudget.at(0).at(0).toLongLong() > budget);
    QVERIFY(peak > budget - 1000); // it did fill up to the budget
    QCOMPARE(m_stream->state(), WsStream::State::Closing);
    QCOMPARE(m_stream->closeCode(), 1008);
    QCOMPARE(m_stream->closeReason(), QStringLiteral("slow consumer"));
    // Only the close frame may go past the budget.
    QVERIFY(m_stream->bytesToWrite() <= budget + 127);
    QCOMPARE(pong.size(), 0); // the client's own pongs proved nothing
    // More pings are read and dropped: nothing more is buffered for them.
    const qint64 held = m_stream->bytesToWrite();
    m_peer->write(burst);
    // Once the stream has read all of it (nothing left unread on its end), nothing was added.
    QTRY_COMPARE(unreadByStream(), 0);
    QCOMPARE(m_stream->bytesToWrite(), held);
    // The peer finally reads: pongs, then our close frame 1008, and nothing after it.
    int pongs = 0;
    const Peer::Frame f = m_peer->nextAfterPongs(&pongs);
    QCOMPARE(f.opcode, int(WsStream::Close));
    QCOMPARE(Peer::closeCode(f), 1008);
    QVERIFY(pongs > 0);
}

void tst_WsStream::everyFrameKindCountsAgainstTheBudget_data()
{
    QTest::addColumn<QString>("kind");
    for (const char *kind : {"text", "binary", "shared", "shared in batch", "ping", "pong"})
        QTest::addRow("%s", kind) << QString::fromLatin1(kind);
}

void tst_WsStream::everyFrameKindCountsAgainstTheBudget()
{
    QFETCH(QString, kind);
    m_stream->setMaxBufferedBytes(64 * 1024);
    m_stream->setControlFrameLimit(1e9, 1e9);
    QSignalSpy overBudget(m_stream, &WsStream::overBudget);
    fillUpTo(m_stream, 0);
    const qint64 before = m_stream->bytesToWrite();
    const QByteArray shared = WsStream::frame(WsStream::Text, QByteArray(60, 's'));
    // Less than 1004 bytes of room are left: at most ~100 small frames of any kind fit.
    for (int i = 0; i < 200 && overBudget.isEmpty(); ++i) {
        if (kind == QLatin1String("text")) {
            m_stream->sendText(QByteArray(60, 't'));
        } else if (kind == QLatin1String("binary")) {
            m_stream->sendBinary(QByteArray(60, 'b'));
        } else if (kind == QLatin1String("shared")) {
            m_stream->sendFrame(shared);
        } else if (kind == QLatin1String("shared in batch")) {
            WsStream::Batch batch;
            m_stream->sendFrame(shared);
            m_stream->sendFrame(shared);
        } else if (kind == QLatin1String("ping")) {
            m_stream->ping();
        } else {
            m_peer->send(WsStream::Ping, QByteArray(60, 'q'));
            QTRY_VERIFY(m_stream->bytesToWrite() > before + 62 * i || !overBudget.isEmpty());
        }
        QVERIFY(m_stream->bytesToWrite() <= m_stream->maxBufferedBytes() + (overBudget.isEmpty() ? 0 : 127));
    }
    QCOMPARE(overBudget.size(), 1);
    QCOMPARE(m_stream->closeCode(), 1008);
    QVERIFY(!m_stream->isOpen());
    QVERIFY(m_stream->bytesToWrite() <= m_stream->maxBufferedBytes() + 127);
    // Nothing more goes out; sends say so.
    QVERIFY(!m_stream->sendText("late"));
    QVERIFY(!m_stream->sendFrame(shared));
}

void tst_WsStream::collectedFramesCountAgainstTheBudget()
{
    // In a batch, frames are collected (not written) until the batch ends; past the budget
    // they leave at once, so the peer can read them while the batch is still open.
    m_stream->setMaxBufferedBytes(16 * 1024);
    const QByteArray shared = WsStream::frame(WsStream::Binary, QByteArray(1000, 'c'));
    {
        WsStream::Batch batch;
        for (int i = 0; i < 40; ++i)
            QVERIFY(m_stream->sendFrame(shared));
        // Positive control first: the frames are readable before the batch closes.
        for (int i = 0; i < 10; ++i)
            QCOMPARE(m_peer->next(1000).payload.size(), 1000);
    }
    for (int i = 10; i < 40; ++i)
        QCOMPARE(m_peer->next().payload.size(), 1000);
    QVERIFY(m_stream->isOpen());
}

void tst_WsStream::oneLargeFrameOnAnEmptyBufferIsTaken()
{
    // One message larger than the budget is not a slow consumer by itself.
    m_stream->setMaxBufferedBytes(8 * 1024);
    QSignalSpy overBudget(m_stream, &WsStream::overBudget);
    QVERIFY(m_stream->sendBinary(QByteArray(1024 * 1024, 'L')));
    QCOMPARE(m_peer->next().payload.size(), 1024 * 1024);
    QVERIFY(m_stream->isOpen());
    QCOMPARE(overBudget.size(), 0);
}

void tst_WsStream::onlyAnsweringPongsCount()
{
    QSignalSpy pong(m_stream, &WsStream::pong);
    m_peer->send(WsStream::Pong, {});
    m_peer->send(WsStream::Pong, "guess");
    m_stream->ping();
    const Peer::Frame ping = m_peer->next();
    QCOMPARE(ping.opcode, int(WsStream::Ping));
    QCOMPARE(ping.payload.size(), 8);
    m_peer->send(WsStream::Pong, "wrong payload");
    m_peer->send(WsStream::Pong, ping.payload);
    QTRY_COMPARE(pong.size(), 1); // the echo of our ping, and only that
    m_peer->send(WsStream::Pong, ping.payload); // answered already
    m_peer->send(WsStream::Text, "marker");
    QSignalSpy text(m_stream, &WsStream::textReceived);
    QTRY_COMPARE(text.size(), 1); // positive control: everything before it was handled
    QCOMPARE(pong.size(), 1);
}

void tst_WsStream::controlFramesAreRateLimited()
{
    m_stream->setControlFrameLimit(5, 10);
    QByteArray flood;
    for (int i = 0; i < 30; ++i)
        flood += Peer::masked(WsStream::Ping, "x");
    m_peer->write(flood);
    int pongs = 0;
    const Peer::Frame f = m_peer->nextAfterPongs(&pongs);
    QCOMPARE(f.opcode, int(WsStream::Close));
    QCOMPARE(Peer::closeCode(f), 1008);
    QCOMPARE(f.payload.mid(2), QByteArray("too many control frames"));
    QVERIFY(pongs >= 10 && pongs <= 11);
    QCOMPARE(m_stream->closeCode(), 1008);
}

QTEST_GUILESS_MAIN(tst_WsStream)
#include "tst_wsstream.moc"
