// RequestParser (issue 15) on its own: the same requests give the same results whatever way
// the bytes are split, pipelined requests come out one at a time, and each limit and framing
// error is found at the right moment (the head's check before any body byte).
#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

#include "http/requestparser.h"

using namespace Switchboard;

namespace {

struct Outcome
{
    QList<RequestData> requests;
    int errorStatus = 0;
    int heads = 0;
};

/// Feeds @p bytes in pieces of the sizes @p split gives, serving every request at once.
Outcome run(const QByteArray &bytes, const std::function<qsizetype()> &split, qint64 maxBody = 1024)
{
    Outcome out;
    RequestParser parser(HttpLimits{}, [&](const RequestData &) {
        ++out.heads;
        RequestParser::HeadVerdict verdict;
        verdict.maxBody = maxBody;
        return verdict;
    });
    QByteArray inbox;
    qsizetype at = 0;
    while (!parser.failed()) {
        if (inbox.isEmpty()) {
            if (at >= bytes.size())
                break;
            const qsizetype n = qMin(split(), bytes.size() - at);
            inbox = bytes.mid(at, n);
            at += n;
        }
        inbox.remove(0, parser.feed(inbox.constData(), inbox.size()));
        if (parser.hasRequest())
            out.requests.append(parser.takeRequest());
    }
    if (parser.failed())
        out.errorStatus = parser.error().status;
    return out;
}

const QByteArray kPipeline = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
                             "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                             "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipelineInAnySplit();
    void errors_data();
    void errors();
    void headCheckComesBeforeTheBody();
};

void TestRequestParser::pipelineInAnySplit()
{
    auto check = [](const Outcome &out) {
        QCOMPARE(out.errorStatus, 0);
        QCOMPARE(out.requests.size(), 3);
        QCOMPARE(out.requests.at(0).url().path(), QStringLiteral("/a"));
        QCOMPARE(out.requests.at(0).query().queryItemValue(QStringLiteral("x")), QStringLiteral("1"));
        QCOMPARE(out.requests.at(0).value("host"), QByteArray("h"));
        QCOMPARE(out.requests.at(1).method(), RequestData::Method::Post);
        QCOMPARE(out.requests.at(1).body(), QByteArray("hello"));
        QCOMPARE(out.requests.at(2).body(), QByteArray("abcde"));
    };
    check(run(kPipeline, [] { return qsizetype(1 << 20); }));
    check(run(kPipeline, [] { return qsizetype(1); }));
    QRandomGenerator random(42);
    for (int i = 0; i < 200; ++i)
        check(run(kPipeline, [&] { return qsizetype(random.bounded(1, 40)); }));
}

void TestRequestParser::errors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QByteArray fields;
    for (int i = 0; i < 101; ++i)
        fields += "h" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("long target") << "GET /" + QByteArray(8200, 'a') + " HTTP/1.1\r\n\r\n" << 414;
    QTest::newRow("101 fields") << "GET / HTTP/1.1\r\n" + fields + "\r\n" << 431;
    QTest::newRow("large field") << "GET / HTTP/1.1\r\nx: " + QByteArray(33 * 1024, 'v') + "\r\n\r\n" << 431;
    QTest::newRow("declared body over the limit") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n") << 413;
    QTest::newRow("chunked body over the limit")
        << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + QByteArray(1024, 'x') + "\r\n1\r\nx\r\n0\r\n\r\n" << 413;
    QTest::newRow("two lengths") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx") << 400;
    QTest::newRow("length and chunked") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
    QTest::newRow("bad chunk size") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n") << 400;
    QTest::newRow("bad length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n") << 400;
    QTest::newRow("not HTTP") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
    // Found by fuzz_httprequest: QUrl reads "//host/path" as an authority and routes saw "/path".
    QTest::newRow("target starting with //") << QByteArray("GET //evil.example/api/v1/internal/emit HTTP/1.1\r\n\r\n") << 400;
}

void TestRequestParser::errors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QCOMPARE(run(bytes, [] { return qsizetype(1 << 20); }).errorStatus, status);
    QCOMPARE(run(bytes, [] { return qsizetype(7); }).errorStatus, status);
}

void TestRequestParser::headCheckComesBeforeTheBody()
{
    // The head's check refuses with no body byte given: the parser stops there.
    RequestParser parser(HttpLimits{}, [](const RequestData &head) {
        RequestParser::HeadVerdict verdict;
        if (head.value("x-internal-key") != "k")
            verdict.refuse = HttpResponse::error(401, QStringLiteral("unauthorized"), QStringLiteral("no key"));
        verdict.maxBody = 1 << 30;
        return verdict;
    });
    const QByteArray head = "POST /e HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n";
    parser.feed(head.constData(), head.size());
    QVERIFY(parser.failed());
    QCOMPARE(parser.error().status, 401);
    QCOMPARE(parser.feed("xxxx", 4), qsizetype(0)); // nothing more is taken
}

QTEST_GUILESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
