// The HTTP edge against the real binary over raw sockets (issue 15): request-line, header and
// body limits are enforced before anything is buffered; an authenticated route answers
// 401/403 from the head alone; ambiguous framing is refused with 400; a refused request gets
// exactly one answer and the connection closes; memory stays flat while 200 MB are offered.
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include "child.h"
#include "rawsockets.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

// What 200 MB offered to the server may leave behind, in KiB. Before the limits, the body was
// read whole: about 290 MB (580 MB with the internal key) that stayed.
constexpr qint64 kRssGrowthBoundKiB = 48 * 1024;
constexpr qint64 k200MB = 200LL * 1024 * 1024;

QStringList childArgs(const QString &dataDir)
{
    return {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
            QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--data-dir"), dataDir,
            QStringLiteral("--jwt-secret"), QString::fromLatin1(kSecret),
            QStringLiteral("--internal-key"), QString::fromLatin1(kInternalKey)};
}

/// Everything the server sends on @p fd until it closes the connection (or 5 s pass).
QByteArray readToEnd(int fd)
{
    QByteArray all;
    while (Raw::readMore(fd, &all, 5000)) {
    }
    return all;
}

struct Reply
{
    int status = 0;
    QByteArray all;   // every byte the server sent before it closed
    int answers = 0;  // HTTP responses in it
};

/// Sends @p request on a new connection and reads until the server closes it.
Reply exchange(quint16 port, const QByteArray &request)
{
    const int fd = Raw::connectTcp(port);
    Reply reply;
    if (fd < 0)
        return reply;
    Raw::sendAll(fd, request);
    reply.all = readToEnd(fd);
    ::close(fd);
    reply.status = reply.all.startsWith("HTTP/1.1 ") ? reply.all.mid(9, 3).toInt() : 0;
    reply.answers = int(reply.all.count("HTTP/1.1 "));
    return reply;
}

QByteArray head(const QByteArray &method, const QByteArray &target, const QByteArray &headers)
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
}

const QByteArray kKey = QByteArray("x-internal-key: ") + kInternalKey + "\r\n";

/// Pipelined GET /metrics (7 KiB each) whose answers outgrow what the kernel holds for a
/// client that does not read yet (a small receive window): here it took 2.8 MB of them, and
/// up to `tcp_wmem`'s 4 MiB, so more than a MiB waits in the server's own buffer (under
/// --max-pending-bytes, 4 MiB, past which the connection would be cut).
constexpr int kPipelined = 700;

/// switchboard_http_requests_total from GET /metrics (that request included).
qint64 httpRequestsServed(quint16 port)
{
    const Reply reply = exchange(port, head("GET", "/metrics", "Connection: close\r\n"));
    static const QRegularExpression re(QStringLiteral("\\nswitchboard_http_requests_total (\\d+)"));
    const auto m = re.match(QString::fromLatin1(reply.all));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

/// A connection whose receive buffer (and so its window) is small: a client that reads late.
int connectSmallWindow(quint16 port)
{
    return Raw::connectTcp(port, 4096);
}

/// The HTTP answers at the front of @p bytes, each whole (its Content-Length of body there);
/// what follows the last whole one is left in @p bytes.
int takeWholeAnswers(QByteArray *bytes, QList<int> *statuses)
{
    int count = 0;
    static const QRegularExpression lengthRe(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
    while (bytes->startsWith("HTTP/1.1 ") && !bytes->startsWith("HTTP/1.1 101")) {
        const qsizetype end = bytes->indexOf("\r\n\r\n");
        if (end < 0)
            break;
        const auto m = lengthRe.match(QString::fromLatin1(bytes->left(end)));
        const qsizetype total = end + 4 + (m.hasMatch() ? m.captured(1).toLongLong() : 0);
        if (bytes->size() < total)
            break;
        statuses->append(bytes->mid(9, 3).toInt());
        bytes->remove(0, total);
        ++count;
    }
    return count;
}
const QByteArray kEmitBody = R"({"event":"e","room":"nobody","payload":1})";

} // namespace

class TestHttpEdge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void refusals_data();
    void refusals();
    void theHundredAndFiftyHeaderRequestIsAnsweredOnce();
    void declaredBodyOverTheLimitIsRefusedFromTheHead();
    void authenticationComesBeforeTheBody();
    void offeringTwoHundredMegabytesKeepsMemoryFlat_data();
    void offeringTwoHundredMegabytesKeepsMemoryFlat();
    void expectContinue();
    void rawControlCharacterInJson();
    void keepAliveAndConnectionClose();
    void allowedOrigins_data();
    void allowedOrigins();
    void ratesPerClientAddress();
    void connectionsPerClientAddress();
    void aTrickledBodyIsCutOffByItsClock_data();
    void aTrickledBodyIsCutOffByItsClock();
    void framesSentBeforeThe101AreNotLost();
    void aHalfClosedClientGetsTheAnswersWrittenAlready();
    void anUpgradeBehindUnreadAnswersWaitsForThem();

private:
    /// A second server with the per-address options; 127.0.0.1 is a trusted proxy, so each
    /// request's X-Forwarded-For names its client.
    quint16 policedPort();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QTemporaryDir> m_policedDir;
    std::unique_ptr<Child> m_policed;
    quint16 m_policedPort = 0;
    std::unique_ptr<Child> m_child;
    quint16 m_port = 0;
};

void TestHttpEdge::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_child = std::make_unique<Child>(childArgs(m_dir->path()));
    m_port = m_child->waitForPort();
    QVERIFY(m_port != 0);
}

void TestHttpEdge::cleanupTestCase()
{
    m_child.reset();
    m_policed.reset();
}

quint16 TestHttpEdge::policedPort()
{
    if (!m_policed) {
        m_policedDir = std::make_unique<QTemporaryDir>();
        m_policed = std::make_unique<Child>(childArgs(m_policedDir->path())
                                            << QStringLiteral("--allowed-origins") << QStringLiteral("https://app.example.com,https://*.example.org")
                                            << QStringLiteral("--trusted-proxies") << QStringLiteral("127.0.0.1")
                                            << QStringLiteral("--http-rate-limit") << QStringLiteral("5")
                                            << QStringLiteral("--handshake-rate-limit") << QStringLiteral("2"));
        m_policedPort = m_policed->waitForPort();
    }
    return m_policedPort;
}

void TestHttpEdge::refusals_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");
    const QByteArray emitPath = "/api/v1/internal/emit";
    QByteArray manyFields;
    for (int i = 0; i < 101; ++i)
        manyFields += "x-field-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("request target over 8 KiB → 414")
        << head("GET", "/health?" + QByteArray(9000, 'a'), {}) << 414 << QByteArray("uri_too_long");
    QTest::newRow("101 header fields → 431") << head("GET", "/health", manyFields) << 431 << QByteArray("headers_too_large");
    QTest::newRow("a 40 KiB header → 431")
        << head("GET", "/health", "x-big: " + QByteArray(40 * 1024, 'b') + "\r\n") << 431 << QByteArray("headers_too_large");
    QTest::newRow("two different Content-Length → 400")
        << head("POST", emitPath, kKey + "Content-Length: 5\r\nContent-Length: 6\r\n") + "123456" << 400 << QByteArray("bad_request");
    QTest::newRow("two equal Content-Length → 400")
        << head("POST", emitPath, kKey + "Content-Length: 6\r\nContent-Length: 6\r\n") + "123456" << 400 << QByteArray("bad_request");
    QTest::newRow("Content-Length with Transfer-Encoding → 400")
        << head("POST", emitPath, kKey + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n" << 400 << QByteArray("bad_request");
    QTest::newRow("negative Content-Length → 400")
        << head("POST", emitPath, kKey + "Content-Length: -5\r\n") << 400 << QByteArray("bad_request");
    QTest::newRow("overflowing Content-Length → 400")
        << head("POST", emitPath, kKey + "Content-Length: 99999999999999999999999\r\n") << 400 << QByteArray("bad_request");
    QTest::newRow("not a number as Content-Length → 400")
        << head("POST", emitPath, kKey + "Content-Length: 12abc\r\n") << 400 << QByteArray("bad_request");
    QTest::newRow("invalid chunk size → 400")
        << head("POST", emitPath, kKey + "Transfer-Encoding: chunked\r\n") + "zz\r\nhello\r\n0\r\n\r\n" << 400 << QByteArray("bad_request");
    QTest::newRow("Transfer-Encoding other than chunked → 400")
        << head("POST", emitPath, kKey + "Transfer-Encoding: gzip\r\n") + "abc" << 400 << QByteArray("bad_request");
    QTest::newRow("not HTTP → 400") << QByteArray("HELLO\r\n\r\n") << 400 << QByteArray("bad_request");
    QTest::newRow("absolute-form target → 400")
        << head("GET", "http://elsewhere.example/health", {}) << 400 << QByteArray("bad_request");
}

void TestHttpEdge::refusals()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    // A request for /health behind it must not be served: the connection closes.
    const Reply reply = exchange(m_port, request + head("GET", "/health", {}));
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.answers, 1);
    QVERIFY2(reply.all.contains("\"code\":\"" + code + '"'), reply.all.constData());
    QVERIFY2(reply.all.contains("Connection: close"), reply.all.constData());
    // The server goes on serving.
    QCOMPARE(exchange(m_port, head("GET", "/health", "Connection: close\r\n")).status, 200);
}

void TestHttpEdge::theHundredAndFiftyHeaderRequestIsAnsweredOnce()
{
    // Qt 6.4's parser dropped every header past 100, so the Content-Length was lost and the
    // body ran as a second request: two answers. The body here is a request of its own.
    const QByteArray smuggled = head("POST", "/api/v1/internal/emit", kKey + "Content-Type: application/json\r\nContent-Length: "
                                                                         + QByteArray::number(kEmitBody.size()) + "\r\n")
        + kEmitBody;
    QByteArray fields;
    for (int i = 0; i < 150; ++i)
        fields += "x-h" + QByteArray::number(i) + ": 1\r\n";
    const Reply reply = exchange(m_port, head("POST", "/api/v1/internal/emit",
                                              kKey + fields + "Content-Length: " + QByteArray::number(smuggled.size()) + "\r\n")
                                             + smuggled);
    QCOMPARE(reply.status, 431);
    QCOMPARE(reply.answers, 1);
}

void TestHttpEdge::declaredBodyOverTheLimitIsRefusedFromTheHead()
{
    // Only the head is sent: the 413 comes without the server waiting for the body.
    const int fd = Raw::connectTcp(m_port);
    QVERIFY(fd >= 0);
    QVERIFY(Raw::sendAll(fd, head("POST", "/api/v1/internal/emit", kKey + "Content-Length: " + QByteArray::number(k200MB) + "\r\n")));
    const Raw::HttpResponse r = Raw::readResponse(fd);
    ::close(fd);
    QCOMPARE(r.status, 413);
    QVERIFY2(r.body.contains("payload_too_large"), r.body.constData());
    // An Engine.IO POST over its maxPayload too (1,000,000 bytes by default).
    const int eio = Raw::connectTcp(m_port);
    const QByteArray sid = Raw::openEngineIo(eio, m_port);
    QVERIFY(!sid.isEmpty());
    QVERIFY(Raw::sendAll(eio, head("POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid, "Content-Length: 1000001\r\n")));
    QCOMPARE(Raw::readResponse(eio).status, 413);
    ::close(eio);
}

void TestHttpEdge::authenticationComesBeforeTheBody()
{
    const QByteArray bigHead = "Content-Length: " + QByteArray::number(k200MB) + "\r\n";
    for (const auto &[auth, status] : {std::pair<QByteArray, int>{QByteArray(), 401},
                                       std::pair<QByteArray, int>{"x-internal-key: wrong\r\n", 403}}) {
        const int fd = Raw::connectTcp(m_port);
        QVERIFY(fd >= 0);
        QVERIFY(Raw::sendAll(fd, head("POST", "/api/v1/internal/emit", auth + bigHead)));
        const Raw::HttpResponse r = Raw::readResponse(fd);
        ::close(fd);
        QCOMPARE(r.status, status);
    }
}

void TestHttpEdge::offeringTwoHundredMegabytesKeepsMemoryFlat_data()
{
    QTest::addColumn<QByteArray>("requestHead");
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<int>("status");
    const QByteArray declared = "Content-Length: " + QByteArray::number(k200MB) + "\r\n";
    QTest::newRow("declared, no key") << head("POST", "/api/v1/internal/emit", declared) << false << 401;
    QTest::newRow("declared, with the key") << head("POST", "/api/v1/internal/emit", kKey + declared) << false << 413;
    QTest::newRow("chunked, with the key")
        << head("POST", "/api/v1/internal/emit", kKey + "Transfer-Encoding: chunked\r\n") << true << 413;
    QTest::newRow("chunked queue batch")
        << head("POST", "/api/queues/big/messages", kKey + "Transfer-Encoding: chunked\r\n") << true << 413;
}

void TestHttpEdge::offeringTwoHundredMegabytesKeepsMemoryFlat()
{
    QFETCH(QByteArray, requestHead);
    QFETCH(bool, chunked);
    QFETCH(int, status);
    const qint64 before = m_child->rssKiB();
    QVERIFY(before > 0);
    const int fd = Raw::connectTcp(m_port);
    QVERIFY(fd >= 0);
    QVERIFY(Raw::sendAll(fd, requestHead));
    // The client streams without reading, as a flood would; the server answers and closes.
    const QByteArray block(256 * 1024, 'x');
    const QByteArray chunk = QByteArray::number(block.size(), 16) + "\r\n" + block + "\r\n";
    const QByteArray &piece = chunked ? chunk : block;
    qint64 sent = 0;
    while (sent < k200MB && Raw::sendAll(fd, piece))
        sent += block.size();
    QVERIFY2(sent < k200MB, "the server read a 200 MB body over the limit to its end");
    // The answer came before the close, and only one.
    QByteArray all;
    while (Raw::readMore(fd, &all, 2000)) {
    }
    ::close(fd);
    if (!all.isEmpty()) // a reset may take the unread answer with it; when it arrived, it is this one
        QCOMPARE(all.mid(9, 3).toInt(), status);
    // Memory returns to its baseline once the connection is gone (after the linger).
    qint64 growth = 0;
    QTRY_VERIFY2_WITH_TIMEOUT((growth = m_child->rssKiB() - before) < kRssGrowthBoundKiB,
                              qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)), 10000);
}

void TestHttpEdge::expectContinue()
{
    // curl sends "Expect: 100-continue" before bodies over 1 KiB: the 100 comes, then the answer.
    const int fd = Raw::connectTcp(m_port);
    QVERIFY(fd >= 0);
    QVERIFY(Raw::sendAll(fd, head("POST", "/api/v1/internal/emit", kKey + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                                                                    + QByteArray::number(kEmitBody.size()) + "\r\n")));
    QByteArray got;
    while (!got.contains("\r\n\r\n") && Raw::readMore(fd, &got, 5000)) {
    }
    QVERIFY2(got.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), got.constData());
    QVERIFY(Raw::sendAll(fd, kEmitBody));
    const Raw::HttpResponse r = Raw::readResponse(fd);
    QCOMPARE(r.status, 200);
    ::close(fd);
}

void TestHttpEdge::rawControlCharacterInJson()
{
    // RFC 8259: control characters in strings must be escaped. QJsonDocument takes them raw.
    const QByteArray body("{\"event\":\"e\",\"room\":\"r\",\"payload\":\"a\0b\"}", 39);
    const Reply reply = exchange(m_port, head("POST", "/api/v1/internal/emit", kKey + "Connection: close\r\nContent-Length: "
                                                                               + QByteArray::number(body.size()) + "\r\n")
                                             + body);
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.all.contains("invalid_json") && reply.all.contains("raw control character 0x00"), reply.all.constData());
}

void TestHttpEdge::keepAliveAndConnectionClose()
{
    // Pipelined keep-alive requests are answered in order on one connection ...
    const Reply pipelined = exchange(m_port, Raw::get(m_port, "/health") + Raw::get(m_port, "/nope")
                                                 + head("GET", "/health", "Connection: close\r\n"));
    QCOMPARE(pipelined.answers, 3);
    QList<int> statuses;
    for (qsizetype at = pipelined.all.indexOf("HTTP/1.1 "); at >= 0; at = pipelined.all.indexOf("HTTP/1.1 ", at + 1))
        statuses << pipelined.all.mid(at + 9, 3).toInt();
    QCOMPARE(statuses, (QList<int>{200, 404, 200}));
    // ... and "Connection: close" (or HTTP/1.0) ends the connection after its answer.
    const Reply closed = exchange(m_port, head("GET", "/health", "Connection: close\r\n") + head("GET", "/health", {}));
    QCOMPARE(closed.answers, 1);
    QCOMPARE(closed.status, 200);
    const Reply old = exchange(m_port, "GET /health HTTP/1.0\r\n\r\n");
    QCOMPARE(old.answers, 1);
}

void TestHttpEdge::allowedOrigins_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("exact") << QByteArray("https://app.example.com") << true;
    QTest::newRow("no Origin (not a browser)") << QByteArray() << true;
    QTest::newRow("a subdomain of the wildcard") << QByteArray("https://a.b.example.org") << true;
    QTest::newRow("the wildcard's apex") << QByteArray("https://example.org") << false;
    QTest::newRow("another scheme") << QByteArray("http://app.example.com") << false;
    QTest::newRow("a look-alike suffix") << QByteArray("https://evilexample.org") << false;
    QTest::newRow("another site") << QByteArray("https://evil.example") << false;
}

void TestHttpEdge::allowedOrigins()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const quint16 port = policedPort();
    QVERIFY(port != 0);
    // Each row comes from its own address, so the handshake rate does not interfere.
    static int client = 0;
    const QByteArray from = "X-Forwarded-For: 10.1.0." + QByteArray::number(++client) + "\r\n";
    const QByteArray originHeader = origin.isEmpty() ? QByteArray() : "Origin: " + origin + "\r\n";
    // A WebSocket upgrade on /ws ...
    const Reply ws = exchange(port, head("GET", "/ws", from + originHeader + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    QCOMPARE(ws.status, allowed ? 101 : 403);
    if (!allowed)
        QVERIFY2(ws.all.contains("origin_not_allowed"), ws.all.constData());
    // ... and an Engine.IO polling handshake.
    const Reply eio = exchange(port, head("GET", "/socket.io/?EIO=4&transport=polling", from + originHeader + "Connection: close\r\n"));
    QCOMPARE(eio.status, allowed ? 200 : 403);
}

void TestHttpEdge::ratesPerClientAddress()
{
    const quint16 port = policedPort();
    QVERIFY(port != 0);
    // --http-rate-limit 5: a burst of 10, then 5 a second, per client address.
    auto burst = [port](const QByteArray &address, const QByteArray &target, int n) {
        const int fd = Raw::connectTcp(port);
        QByteArray requests;
        for (int i = 0; i < n; ++i)
            requests += head("GET", target, "X-Forwarded-For: 192.0.2.7, " + address + "\r\n" + (i == n - 1 ? "Connection: close\r\n" : ""));
        QElapsedTimer clock;
        clock.start();
        Raw::sendAll(fd, requests);
        const QByteArray all = readToEnd(fd);
        ::close(fd);
        QList<int> statuses;
        for (qsizetype at = all.indexOf("HTTP/1.1 "); at >= 0; at = all.indexOf("HTTP/1.1 ", at + 1))
            statuses << all.mid(at + 9, 3).toInt();
        return std::make_tuple(statuses, all, clock.elapsed());
    };
    const auto [statuses, all, elapsedMs] = burst("10.2.0.1", "/health", 40);
    QCOMPARE(statuses.size(), 40);
    const qsizetype ok = statuses.count(200);
    QVERIFY2(ok >= 10 && ok <= 10 + 5 * (elapsedMs / 1000 + 1), qPrintable(QStringLiteral("%1 answered in %2 ms").arg(ok).arg(elapsedMs)));
    QCOMPARE(ok + statuses.count(429), qsizetype(40));
    QVERIFY(all.contains("Retry-After: 1\r\n"));
    // Another client address is not affected; the X-Forwarded-For hop left of it is the
    // client's own claim and is not the address used (the last untrusted hop is).
    const auto [others, unused, unusedMs] = burst("10.2.0.2", "/health", 5);
    QCOMPARE(others, (QList<int>{200, 200, 200, 200, 200}));
    // --handshake-rate-limit 2: a burst of 4 Engine.IO handshakes, then 429.
    const auto [handshakes, hsAll, hsMs] = burst("10.2.0.3", "/socket.io/?EIO=4&transport=polling", 8);
    QVERIFY2(handshakes.count(200) >= 4 && handshakes.count(200) <= 4 + 2 * (hsMs / 1000 + 1) && handshakes.count(429) >= 1,
             hsAll.constData());
}

void TestHttpEdge::connectionsPerClientAddress()
{
    QTemporaryDir dir;
    Child child(childArgs(dir.path()) << QStringLiteral("--max-connections-per-ip") << QStringLiteral("2")
                                      << QStringLiteral("--trusted-proxies") << QStringLiteral("127.0.0.1"));
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    // A handshake from @p client (behind the trusted proxy): the status, and the socket when 101.
    QByteArray refusals; // every refused answer's bytes
    auto open = [port, &refusals](const QByteArray &client, const QByteArray &target) -> std::pair<int, int> {
        const int fd = Raw::connectTcp(port);
        const bool webSocket = !target.contains("transport=polling");
        QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: " + client + "\r\n";
        if (webSocket)
            request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        Raw::sendAll(fd, request + "\r\n");
        QByteArray buffer;
        while (buffer.indexOf("\r\n\r\n") < 0 && Raw::readMore(fd, &buffer, 5000)) {
        }
        const int status = buffer.startsWith("HTTP/1.1 ") ? buffer.mid(9, 3).toInt() : 0;
        if (status == 101) {
            // Accepted for good once the welcome arrives (not closed after the 101): the native
            // "connected", Engine.IO's open packet.
            const QByteArray welcome = target.startsWith("/ws") ? "\"connected\"" : "\"sid\"";
            while (!buffer.contains(welcome) && Raw::readMore(fd, &buffer, 5000)) {
            }
            if (!buffer.contains(welcome)) {
                ::close(fd);
                return {-1, -1};
            }
        }
        if (status != 101 && status != 200) {
            while (Raw::readMore(fd, &buffer, 2000)) {
            }
            refusals += buffer;
            ::close(fd);
            return {status, -1};
        }
        return {status, fd};
    };
    const QByteArray ws = "/ws?token=" + token(QStringLiteral("cap-user"));
    const auto [first, firstFd] = open("10.3.0.1", ws);
    const auto [second, secondFd] = open("10.3.0.1", ws);
    QCOMPARE(first, 101);
    QCOMPARE(second, 101);
    // The third from that address is refused before the upgrade, as is an Engine.IO handshake.
    QCOMPARE(open("10.3.0.1", ws).first, 429);
    QCOMPARE(open("10.3.0.1", "/socket.io/?EIO=4&transport=polling").first, 429);
    QCOMPARE(open("10.3.0.1", "/socket.io/?EIO=4&transport=websocket").first, 429);
    QCOMPARE(refusals.count("too_many_connections"), 3);
    QVERIFY(refusals.contains("(--max-connections-per-ip)"));
    // Another address is not affected; Engine.IO sessions count too (polling and WebSocket).
    const auto [poll, pollFd] = open("10.3.0.2", "/socket.io/?EIO=4&transport=polling");
    const auto [eioWs, eioWsFd] = open("10.3.0.2", "/socket.io/?EIO=4&transport=websocket");
    QCOMPARE(poll, 200);
    QCOMPARE(eioWs, 101);
    QCOMPARE(open("10.3.0.2", ws).first, 429);
    // A connection that ends gives its place back.
    ::close(firstFd);
    int again = 0;
    int againFd = -1;
    QElapsedTimer waited;
    waited.start();
    while ((std::tie(again, againFd) = open("10.3.0.1", ws), again != 101) && waited.elapsed() < 5000)
        QTest::qWait(20);
    QCOMPARE(again, 101);
    for (const int fd : {secondFd, pollFd, eioWsFd, againFd}) {
        if (fd >= 0)
            ::close(fd);
    }
}

void TestHttpEdge::aTrickledBodyIsCutOffByItsClock_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<bool>("afterAnAnswer");
    // The first request is on --handshake-timeout from the accept; a later one on a kept-alive
    // connection on --http-idle-timeout from the last answer.
    QTest::newRow("first request: --handshake-timeout") << QStringLiteral("--handshake-timeout") << false;
    QTest::newRow("kept-alive second request: --http-idle-timeout") << QStringLiteral("--http-idle-timeout") << true;
}

void TestHttpEdge::aTrickledBodyIsCutOffByItsClock()
{
    // A body is on the same clock as its head; body bytes arriving one by one do not reset it.
    QFETCH(QString, option);
    QFETCH(bool, afterAnAnswer);
    QTemporaryDir dir;
    Child child(childArgs(dir.path()) << option << QStringLiteral("600"));
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    const int fd = Raw::connectTcp(port);
    QVERIFY(fd >= 0);
    if (afterAnAnswer) {
        QVERIFY(Raw::sendAll(fd, Raw::get(port, "/health")));
        QCOMPARE(Raw::readResponse(fd).status, 200);
    }
    QVERIFY(Raw::sendAll(fd, head("POST", "/api/v1/internal/emit", kKey + "Content-Type: application/json\r\nContent-Length: 200\r\n")));
    // One byte every 50 ms would take 10 s; the connection must be gone long before. An
    // answer before the body is complete would end it too (there should be none).
    QElapsedTimer clock;
    clock.start();
    bool closed = false;
    for (int i = 0; i < 200 && !closed; ++i) {
        if (::send(fd, "x", 1, MSG_NOSIGNAL) != 1) {
            closed = true;
            break;
        }
        QByteArray got;
        if (!Raw::readMore(fd, &got, 50) && got.isEmpty()) {
            // readMore is false on timeout and on close: tell them apart without blocking.
            char probe;
            const ssize_t n = ::recv(fd, &probe, 1, MSG_DONTWAIT);
            closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        } else if (!got.isEmpty()) {
            closed = true;
        }
    }
    ::close(fd);
    QVERIFY2(closed, "the trickled body kept the connection open");
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QStringLiteral("closed after %1 ms").arg(clock.elapsed())));
}

void TestHttpEdge::framesSentBeforeThe101AreNotLost()
{
    // RFC 6455 says a client waits for the 101; one that does not must not lose what it sent
    // in the same packet as the request (the HTTP front read it already).
    const int fd = Raw::connectTcp(m_port);
    QVERIFY(fd >= 0);
    QByteArray bytes = head("GET", "/ws?token=" + token(QStringLiteral("early")),
                            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    for (int i = 0; i < 3; ++i) {
        const QByteArray payload = R"({"type":"ping","id":"early-)" + QByteArray::number(i) + R"("})";
        const char mask[4] = {0x11, 0x22, 0x33, 0x44};
        bytes += char(0x81);
        bytes += char(0x80 | payload.size()); // masked, under 126 bytes
        bytes.append(mask, 4);
        for (qsizetype k = 0; k < payload.size(); ++k)
            bytes += char(payload[k] ^ mask[k % 4]);
    }
    QVERIFY(Raw::sendAll(fd, bytes));
    QByteArray got;
    QElapsedTimer clock;
    clock.start();
    while (!got.contains("early-2") && clock.elapsed() < 5000)
        Raw::readMore(fd, &got, 200);
    ::close(fd);
    QVERIFY2(got.startsWith("HTTP/1.1 101"), got.left(80).constData());
    const qsizetype first = got.indexOf("early-0");
    const qsizetype second = got.indexOf("early-1");
    const qsizetype third = got.indexOf("early-2");
    QVERIFY2(first > 0 && second > first && third > second, got.constData()); // every pong, in order
}

void TestHttpEdge::aHalfClosedClientGetsTheAnswersWrittenAlready()
{
    // The client pipelines requests, half-closes (FIN) and only then reads: every answer the
    // server wrote arrives whole before it closes. Before, the end of stream closed the
    // connection at once and dropped the answers still waiting to be written.
    const qint64 before = httpRequestsServed(m_port);
    const int fd = connectSmallWindow(m_port);
    QVERIFY(fd >= 0);
    QByteArray requests;
    for (int i = 0; i < kPipelined; ++i)
        requests += Raw::get(m_port, "/metrics");
    QVERIFY(Raw::sendAll(fd, requests));
    // The end of stream only once all of them are served, so that it arrives while most of the
    // answers wait in the server (the client has not read any).
    qint64 polls = 0;
    QTRY_VERIFY_WITH_TIMEOUT(httpRequestsServed(m_port) - before - ++polls >= kPipelined, 10000);
    QCOMPARE(::shutdown(fd, SHUT_WR), 0);
    QByteArray all = readToEnd(fd);
    ::close(fd);
    const qsizetype received = all.size();
    QList<int> statuses;
    const int answers = takeWholeAnswers(&all, &statuses);
    QVERIFY2(answers == kPipelined, qPrintable(QStringLiteral("%1 whole answers of %2 (%3 bytes), %4 bytes left over")
                                                   .arg(answers).arg(kPipelined).arg(received).arg(all.size())));
    QVERIFY(all.isEmpty());
    QVERIFY(std::all_of(statuses.cbegin(), statuses.cend(), [](int s) { return s == 200; }));
}

void TestHttpEdge::anUpgradeBehindUnreadAnswersWaitsForThem()
{
    // A WebSocket upgrade pipelined behind requests whose answers the client has not read:
    // the 101 follows the last of them, and the socket is a WebSocket after it. Before, the
    // upgrade handed the descriptor on at once, dropping the answers that waited.
    const int fd = connectSmallWindow(m_port);
    QVERIFY(fd >= 0);
    QByteArray requests;
    for (int i = 0; i < kPipelined; ++i)
        requests += Raw::get(m_port, "/metrics");
    requests += head("GET", "/ws?token=" + token(QStringLiteral("behind")),
                     "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    QVERIFY(Raw::sendAll(fd, requests));
    QByteArray all;
    QElapsedTimer clock;
    clock.start();
    while (!all.contains("\"type\":\"connected\"") && clock.elapsed() < 10000)
        Raw::readMore(fd, &all, 200);
    ::close(fd);
    const qsizetype received = all.size();
    QList<int> statuses;
    const int answers = takeWholeAnswers(&all, &statuses);
    QVERIFY2(answers == kPipelined, qPrintable(QStringLiteral("%1 whole answers of %2 (%3 bytes)")
                                                   .arg(answers).arg(kPipelined).arg(received)));
    QVERIFY2(all.startsWith("HTTP/1.1 101"), all.left(80).constData());
    QVERIFY2(all.contains("\"type\":\"connected\""), all.left(300).constData()); // the WebSocket's welcome
}

QTEST_GUILESS_MAIN(TestHttpEdge)
#include "tst_httpedge.moc"
