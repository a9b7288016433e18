// Strict RFC 8259 JSON (issue 15): raw control characters are refused where QJsonDocument
// 6.4 accepts them; everything else is QJsonDocument's own parse.
#include <QtTest/QtTest>

#include "protocol/strictjson.h"

using namespace Switchboard;

class TestStrictJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void qtAloneAcceptsARawNul();
};

void TestStrictJson::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qsizetype>("badAt"); // -1: valid
    QTest::newRow("plain") << QByteArray(R"({"a":"b"})") << qsizetype(-1);
    QTest::newRow("whitespace outside strings") << QByteArray("{\t\"a\" :\r\n 1 }") << qsizetype(-1);
    QTest::newRow("escaped control characters") << QByteArray(R"({"a":"\u0000\n\t\""})") << qsizetype(-1);
    QTest::newRow("an escaped quote does not end the string") << QByteArray("{\"a\":\"x\\\"\x01\"}") << qsizetype(9);
    QTest::newRow("raw NUL in a string") << QByteArray("{\"a\":\"x\0y\"}", 11) << qsizetype(7);
    QTest::newRow("raw tab in a string") << QByteArray("{\"a\":\"x\ty\"}") << qsizetype(7);
    QTest::newRow("raw line feed in a key") << QByteArray("{\"a\nb\":1}") << qsizetype(3);
    QTest::newRow("raw 0x1f outside a string") << QByteArray("{\"a\":1\x1f}") << qsizetype(6);
    QTest::newRow("backslash at the end of a string") << QByteArray(R"({"a":"\\","b":"c"})") << qsizetype(-1);
}

void TestStrictJson::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(qsizetype, badAt);
    QCOMPARE(Json::rawControlAt(text), badAt);
    QString error;
    const QJsonDocument doc = Json::parse(text, &error);
    QCOMPARE(error.isEmpty(), badAt < 0);
    QCOMPARE(doc.isNull(), badAt >= 0);
    if (badAt >= 0)
        QVERIFY2(error.startsWith(QStringLiteral("malformed JSON at offset %1: raw control character").arg(badAt)), qPrintable(error));
}

void TestStrictJson::qtAloneAcceptsARawNul()
{
    // Why the check exists: if Qt ever refuses these itself, this fails and the check can go.
    QJsonParseError pe;
    QJsonDocument::fromJson(QByteArray("{\"a\":\"x\0y\"}", 11), &pe);
    QCOMPARE(pe.error, QJsonParseError::NoError);
}

QTEST_GUILESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"
