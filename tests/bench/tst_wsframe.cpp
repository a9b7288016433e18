// The load generator's own RFC 6455 code (bench/wskit): framing, masking, fragmentation,
// close frames, the upgrade handshake and HS256 tokens.
#include <string>
#include <vector>

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include "handshake.h"
#include "token.h"
#include "wsframe.h"

using namespace Switchboard::Bench;

namespace {

struct Event
{
    Opcode op;
    std::string payload;
    bool operator==(const Event &o) const { return op == o.op && payload == o.payload; }
};

using Events = std::vector<Event>;

std::string bytes(std::initializer_list<int> list)
{
    std::string s;
    for (int b : list)
        s += char(b);
    return s;
}

/// Feeds @p wire in pieces of @p chunk bytes (0 = all at once); returns false on a protocol error.
bool decode(FrameDecoder &decoder, std::string wire, std::size_t chunk, Events *events)
{
    if (chunk == 0)
        chunk = wire.size() ? wire.size() : 1;
    for (std::size_t at = 0; at < wire.size(); at += chunk) {
        std::string piece = wire.substr(at, chunk);
        const bool ok = decoder.feed(piece.data(), piece.size(), [&](Opcode op, std::string_view payload) {
            events->push_back({op, std::string(payload)});
        });
        if (!ok)
            return false;
    }
    return true;
}

const std::uint8_t kRfcMask[4] = {0x37, 0xfa, 0x21, 0x3d};

/// For QCOMPARE's failure message (found by argument-dependent lookup).
char *toString(const Events &events)
{
    QByteArray text;
    for (const Event &e : events)
        text += QByteArray::number(int(e.op)) + ':' + QByteArray::fromStdString(e.payload).left(40) + ' ';
    return qstrdup(text.constData());
}

} // namespace

Q_DECLARE_METATYPE(Events)
Q_DECLARE_METATYPE(FrameDecoder::From)



class TestWsFrame : public QObject
{
    Q_OBJECT

private slots:
    void rfcExamplesDecode_data();
    void rfcExamplesDecode();
    void encodeMatchesRfc();
    void lengthEncodings_data();
    void lengthEncodings();
    void maskMatchesBytewiseXor_data();
    void maskMatchesBytewiseXor();
    void clientFramesRoundTrip();
    void fragmentsWithControlFramesInBetween();
    void protocolErrors_data();
    void protocolErrors();
    void closeBody_data();
    void closeBody();
    void closeStopsParsing();
    void closeReasonIsTruncated();
    void handshakeAccept();
    void upgradeResponse_data();
    void upgradeResponse();
    void upgradeRequestCarriesTheKey();
    void tokens();
};

void TestWsFrame::rfcExamplesDecode_data()
{
    QTest::addColumn<FrameDecoder::From>("from");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<Events>("expected");

    // RFC 6455 section 5.7.
    const std::string hello = "Hello";
    QTest::addRow("unmasked text") << FrameDecoder::From::Server
                                   << QByteArray::fromStdString(bytes({0x81, 0x05}) + hello)
                                   << Events{{Opcode::Text, hello}};
    QTest::addRow("masked text") << FrameDecoder::From::Client
                                 << QByteArray::fromStdString(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}))
                                 << Events{{Opcode::Text, hello}};
    QTest::addRow("fragmented unmasked text") << FrameDecoder::From::Server
                                              << QByteArray::fromStdString(bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}))
                                              << Events{{Opcode::Text, hello}};
    QTest::addRow("unmasked ping") << FrameDecoder::From::Server
                                   << QByteArray::fromStdString(bytes({0x89, 0x05}) + hello)
                                   << Events{{Opcode::Ping, hello}};
    QTest::addRow("masked pong") << FrameDecoder::From::Client
                                 << QByteArray::fromStdString(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}))
                                 << Events{{Opcode::Pong, hello}};
    const std::string b256(256, 'a');
    QTest::addRow("256 bytes binary") << FrameDecoder::From::Server
                                      << QByteArray::fromStdString(bytes({0x82, 0x7e, 0x01, 0x00}) + b256)
                                      << Events{{Opcode::Binary, b256}};
    const std::string b64k(65536, 'b');
    QTest::addRow("64 KiB binary") << FrameDecoder::From::Server
                                   << QByteArray::fromStdString(bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0}) + b64k)
                                   << Events{{Opcode::Binary, b64k}};
}

void TestWsFrame::rfcExamplesDecode()
{
    QFETCH(FrameDecoder::From, from);
    QFETCH(QByteArray, wire);
    QFETCH(Events, expected);
    // Whole, and split at every possible point: the result must not depend on how reads split.
    for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(7)}) {
        FrameDecoder decoder(from);
        Events events;
        QVERIFY2(decode(decoder, wire.toStdString(), chunk, &events), decoder.error());
        QCOMPARE(events, expected);
        QCOMPARE(decoder.buffered(), std::size_t(0));
        QVERIFY(!decoder.inFragmentedMessage());
    }
}

void TestWsFrame::encodeMatchesRfc()
{
    std::string out;
    appendFrame(out, Opcode::Text, "Hello", true, nullptr);
    QCOMPARE(out, bytes({0x81, 0x05}) + "Hello");
    out.clear();
    appendFrame(out, Opcode::Text, "Hello", true, kRfcMask);
    QCOMPARE(out, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    out.clear();
    appendFrame(out, Opcode::Text, "Hel", false, nullptr);
    appendFrame(out, Opcode::Continuation, "lo", true, nullptr);
    QCOMPARE(out, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}));
}

void TestWsFrame::lengthEncodings_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("headerSize");
    QTest::addRow("0") << 0 << 2;
    QTest::addRow("125") << 125 << 2;
    QTest::addRow("126") << 126 << 4;
    QTest::addRow("65535") << 65535 << 4;
    QTest::addRow("65536") << 65536 << 10;
    QTest::addRow("70000") << 70000 << 10;
}

void TestWsFrame::lengthEncodings()
{
    QFETCH(int, size);
    QFETCH(int, headerSize);
    std::string payload(std::size_t(size), '\0');
    for (int i = 0; i < size; ++i)
        payload[std::size_t(i)] = char(i * 7);
    std::string out;
    appendFrame(out, Opcode::Binary, payload, true, nullptr);
    QCOMPARE(int(out.size()), headerSize + size);
    FrameDecoder decoder(FrameDecoder::From::Server);
    Events events;
    QVERIFY(decode(decoder, out, 1000, &events));
    QCOMPARE(events, (Events{{Opcode::Binary, payload}}));
}

void TestWsFrame::maskMatchesBytewiseXor_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("phase");
    for (int size : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 1000}) {
        for (int phase = 0; phase < 4; ++phase)
            QTest::addRow("%d bytes, phase %d", size, phase) << size << phase;
    }
}

void TestWsFrame::maskMatchesBytewiseXor()
{
    QFETCH(int, size);
    QFETCH(int, phase);
    std::string data(std::size_t(size), '\0');
    for (int i = 0; i < size; ++i)
        data[std::size_t(i)] = char(i * 31 + 5);
    std::string masked = data;
    applyMask(masked.data(), masked.size(), kRfcMask, std::size_t(phase));
    for (int i = 0; i < size; ++i)
        QCOMPARE(std::uint8_t(masked[std::size_t(i)]), std::uint8_t(std::uint8_t(data[std::size_t(i)]) ^ kRfcMask[(i + phase) % 4]));
    applyMask(masked.data(), masked.size(), kRfcMask, std::size_t(phase));
    QCOMPARE(masked, data);
}

void TestWsFrame::clientFramesRoundTrip()
{
    // What the load generator sends (masked), read back as a server reads it.
    std::string wire;
    const std::uint8_t keys[3][4] = {{1, 2, 3, 4}, {0xff, 0, 0x80, 0x7f}, {9, 9, 9, 9}};
    const std::string big(300, 'z');
    appendFrame(wire, Opcode::Text, R"({"type":"subscribe","channel":"r1"})", true, keys[0]);
    appendFrame(wire, Opcode::Ping, "p", true, keys[1]);
    appendFrame(wire, Opcode::Text, big, true, keys[2]);
    QVERIFY(wire.find("subscribe") == std::string::npos); // masked on the wire
    FrameDecoder decoder(FrameDecoder::From::Client);
    Events events;
    QVERIFY2(decode(decoder, wire, 5, &events), decoder.error());
    QCOMPARE(events, (Events{{Opcode::Text, R"({"type":"subscribe","channel":"r1"})"}, {Opcode::Ping, "p"}, {Opcode::Text, big}}));
}

void TestWsFrame::fragmentsWithControlFramesInBetween()
{
    std::string wire;
    appendFrame(wire, Opcode::Text, "one ", false, nullptr);
    appendFrame(wire, Opcode::Ping, "in between", true, nullptr);
    appendFrame(wire, Opcode::Continuation, "two ", false, nullptr);
    appendFrame(wire, Opcode::Pong, "", true, nullptr);
    appendFrame(wire, Opcode::Continuation, "three", true, nullptr);
    appendFrame(wire, Opcode::Binary, "next", true, nullptr);
    for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(4)}) {
        FrameDecoder decoder(FrameDecoder::From::Server);
        Events events;
        QVERIFY2(decode(decoder, wire, chunk, &events), decoder.error());
        QCOMPARE(events, (Events{{Opcode::Ping, "in between"}, {Opcode::Pong, ""},
                                 {Opcode::Text, "one two three"}, {Opcode::Binary, "next"}}));
    }
    // Half a message is held, not reported.
    FrameDecoder decoder(FrameDecoder::From::Server);
    Events events;
    std::string first;
    appendFrame(first, Opcode::Text, "one ", false, nullptr);
    QVERIFY(decode(decoder, first, 0, &events));
    QVERIFY(events.empty());
    QVERIFY(decoder.inFragmentedMessage());
    QCOMPARE(decoder.buffered(), std::size_t(4));
}

void TestWsFrame::protocolErrors_data()
{
    QTest::addColumn<FrameDecoder::From>("from");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("eventsBefore");
    const auto server = FrameDecoder::From::Server;
    auto frames = [](std::initializer_list<std::pair<Opcode, bool>> list, int rsv = 0) {
        std::string out;
        for (const auto &[op, fin] : list)
            appendFrame(out, op, "x", fin, nullptr);
        if (rsv)
            out[0] = char(out[0] | rsv);
        return QByteArray::fromStdString(out);
    };
    QTest::addRow("continuation without a start") << server << frames({{Opcode::Continuation, true}}) << 1002 << 0;
    QTest::addRow("new message inside a fragmented one")
        << server << frames({{Opcode::Text, false}, {Opcode::Text, true}}) << 1002 << 0;
    QTest::addRow("fragmented control frame") << server << frames({{Opcode::Ping, false}}) << 1002 << 0;
    QTest::addRow("reserved bit") << server << frames({{Opcode::Text, true}}, 0x40) << 1002 << 0;
    QTest::addRow("reserved opcode") << server << QByteArray::fromStdString(bytes({0x83, 0x01, 'x'})) << 1002 << 0;
    QTest::addRow("error after a good frame")
        << server << QByteArray::fromStdString(bytes({0x81, 0x01, 'a', 0x8b, 0x00})) << 1002 << 1;
    std::string longPing;
    appendFrame(longPing, Opcode::Ping, std::string(126, 'p'), true, nullptr);
    QTest::addRow("control frame over 125 bytes") << server << QByteArray::fromStdString(longPing) << 1002 << 0;
    QTest::addRow("masked frame from a server")
        << server << QByteArray::fromStdString(bytes({0x81, 0x81, 1, 2, 3, 4, 'x'})) << 1002 << 0;
    QTest::addRow("unmasked frame from a client")
        << FrameDecoder::From::Client << QByteArray::fromStdString(bytes({0x81, 0x01, 'x'})) << 1002 << 0;
    QTest::addRow("16-bit length below 126")
        << server << QByteArray::fromStdString(bytes({0x81, 0x7e, 0x00, 0x05}) + "hello") << 1002 << 0;
    QTest::addRow("64-bit length below 65536")
        << server << QByteArray::fromStdString(bytes({0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x05}) + "hello") << 1002 << 0;
    QTest::addRow("64-bit length with the top bit")
        << server << QByteArray::fromStdString(bytes({0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0x05})) << 1002 << 0;
    QTest::addRow("one-byte close body") << server << QByteArray::fromStdString(bytes({0x88, 0x01, 0x03})) << 1002 << 0;
    QTest::addRow("close with reserved code 1005")
        << server << QByteArray::fromStdString(bytes({0x88, 0x02, 0x03, 0xed})) << 1002 << 0;
}

void TestWsFrame::protocolErrors()
{
    QFETCH(FrameDecoder::From, from);
    QFETCH(QByteArray, wire);
    QFETCH(int, code);
    QFETCH(int, eventsBefore);
    FrameDecoder decoder(from);
    Events events;
    QVERIFY(!decode(decoder, wire.toStdString(), 0, &events));
    QCOMPARE(int(decoder.errorCode()), code);
    QVERIFY(std::string(decoder.error()).size() > 0);
    QCOMPARE(int(events.size()), eventsBefore);
    // Broken stays broken.
    std::string more;
    appendFrame(more, Opcode::Text, "after", true, from == FrameDecoder::From::Client ? kRfcMask : nullptr);
    QVERIFY(!decoder.feed(more.data(), more.size(), [&](Opcode, std::string_view) { events.push_back({Opcode::Text, "x"}); }));
    QCOMPARE(int(events.size()), eventsBefore);
}

void TestWsFrame::closeBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("reason");
    auto body = [](int code, const char *reason) {
        return QByteArray::fromStdString(bytes({code >> 8, code & 0xff}) + reason);
    };
    QTest::addRow("empty: no status") << QByteArray() << true << 1005 << QByteArray();
    QTest::addRow("one byte") << QByteArray("\x03", 1) << false << 1005 << QByteArray();
    QTest::addRow("1000 with a reason") << body(1000, "bye") << true << 1000 << QByteArray("bye");
    QTest::addRow("1001 going away") << body(1001, "") << true << 1001 << QByteArray();
    QTest::addRow("4002 application") << body(4002, "invalid token") << true << 4002 << QByteArray("invalid token");
    QTest::addRow("999") << body(999, "") << false << 999 << QByteArray();
    QTest::addRow("1004 reserved") << body(1004, "") << false << 1004 << QByteArray();
    QTest::addRow("1006 never on the wire") << body(1006, "") << false << 1006 << QByteArray();
    QTest::addRow("2999") << body(2999, "") << false << 2999 << QByteArray();
    QTest::addRow("5000") << body(5000, "") << false << 5000 << QByteArray();
}

void TestWsFrame::closeBody()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, valid);
    QFETCH(int, code);
    QFETCH(QByteArray, reason);
    const CloseBody parsed = parseCloseBody(std::string_view(body.constData(), std::size_t(body.size())));
    QCOMPARE(parsed.valid, valid);
    if (body.size() != 1) {
        QCOMPARE(int(parsed.code), code);
        QCOMPARE(QByteArray(parsed.reason.data(), qsizetype(parsed.reason.size())), reason);
    }
}

void TestWsFrame::closeStopsParsing()
{
    std::string wire;
    appendFrame(wire, Opcode::Text, "before", true, nullptr);
    appendClose(wire, 1001, "going away", nullptr);
    appendFrame(wire, Opcode::Text, "after the close", true, nullptr);
    FrameDecoder decoder(FrameDecoder::From::Server);
    Events events;
    QVERIFY(decode(decoder, wire, 0, &events));
    QCOMPARE(int(events.size()), 2);
    QCOMPARE(events[0], (Event{Opcode::Text, "before"}));
    QCOMPARE(events[1].op, Opcode::Close);
    const CloseBody body = parseCloseBody(events[1].payload);
    QCOMPARE(int(body.code), 1001);
    QCOMPARE(std::string(body.reason), std::string("going away"));
    QVERIFY(decoder.closeReceived());
    QCOMPARE(decoder.buffered(), std::size_t(0));
    std::string later;
    appendFrame(later, Opcode::Text, "later", true, nullptr);
    QVERIFY(decode(decoder, later, 0, &events));
    QCOMPARE(int(events.size()), 2);
}

void TestWsFrame::closeReasonIsTruncated()
{
    std::string wire;
    appendClose(wire, 1000, std::string(300, 'r'), kRfcMask);
    FrameDecoder decoder(FrameDecoder::From::Client);
    Events events;
    QVERIFY2(decode(decoder, wire, 0, &events), decoder.error());
    QCOMPARE(int(events.size()), 1);
    QCOMPARE(events[0].payload.size(), std::size_t(125));
    QCOMPARE(int(parseCloseBody(events[0].payload).code), 1000);
}

void TestWsFrame::handshakeAccept()
{
    // RFC 6455 section 1.3.
    QCOMPARE(webSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    const std::uint8_t nonce[16] = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p', 'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};
    QCOMPARE(makeWebSocketKey(nonce), std::string("dGhlIHNhbXBsZSBub25jZQ=="));
}

void TestWsFrame::upgradeResponse_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("headerBytes");
    const QByteArray ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    const auto accepted = int(UpgradeResponse::State::Accepted);
    const auto refused = int(UpgradeResponse::State::Refused);
    const auto incomplete = int(UpgradeResponse::State::Incomplete);
    QTest::addRow("accepted") << ok << accepted << 101 << int(ok.size());
    QTest::addRow("accepted, first frame behind it") << ok + "\x81\x02hi" << accepted << 101 << int(ok.size());
    QTest::addRow("header names in any case")
        << QByteArray("HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
                      "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        << accepted << 101 << 124;
    QTest::addRow("incomplete") << ok.left(40) << incomplete << 0 << 0;
    QTest::addRow("401") << QByteArray("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n") << refused << 401 << 48;
    QTest::addRow("wrong accept") << QByteArray(ok).replace("s3pP", "AAAA") << refused << 101 << int(ok.size());
    QTest::addRow("no upgrade header") << QByteArray(ok).replace("Upgrade: websocket\r\n", "") << refused << 101 << int(ok.size()) - 20;
    QTest::addRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n") << refused << 0 << 19;
}

void TestWsFrame::upgradeResponse()
{
    QFETCH(QByteArray, response);
    QFETCH(int, state);
    QFETCH(int, status);
    QFETCH(int, headerBytes);
    const UpgradeResponse r = parseUpgradeResponse(std::string_view(response.constData(), std::size_t(response.size())),
                                                   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QCOMPARE(int(r.state), state);
    QCOMPARE(r.status, status);
    QCOMPARE(int(r.headerBytes), headerBytes);
}

void TestWsFrame::upgradeRequestCarriesTheKey()
{
    const std::string request = upgradeRequest("127.0.0.1:8080", "/ws?token=abc", "dGhlIHNhbXBsZSBub25jZQ==");
    QVERIFY(request.rfind("GET /ws?token=abc HTTP/1.1\r\n", 0) == 0);
    QCOMPARE(std::string(headerValue(request, "host")), std::string("127.0.0.1:8080"));
    QCOMPARE(std::string(headerValue(request, "Sec-WebSocket-Key")), std::string("dGhlIHNhbXBsZSBub25jZQ=="));
    QCOMPARE(std::string(headerValue(request, "Sec-WebSocket-Version")), std::string("13"));
    QVERIFY(request.size() > 4 && request.compare(request.size() - 4, 4, "\r\n\r\n") == 0);
}

void TestWsFrame::tokens()
{
    const std::string token = mintToken("bench-1", "secret", 60);
    QVERIFY(verifyTokenSignature(token, "secret"));
    QVERIFY(!verifyTokenSignature(token, "other secret"));
    std::string tampered = token;
    tampered[tampered.find('.') + 3] ^= 1;
    QVERIFY(!verifyTokenSignature(tampered, "secret"));
    QVERIFY(!verifyTokenSignature("no-dots", "secret"));
    const QByteArray claims = QByteArray::fromBase64(QByteArray::fromStdString(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1)),
                                                     QByteArray::Base64UrlEncoding);
    const QJsonObject object = QJsonDocument::fromJson(claims).object();
    QCOMPARE(object.value("sub").toString(), QStringLiteral("bench-1"));
    QCOMPARE(object.value("exp").toInteger() - object.value("iat").toInteger(), 60);
}

QTEST_APPLESS_MAIN(TestWsFrame)
#include "tst_wsframe.moc"
