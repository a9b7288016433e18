// Strict RFC 8259 JSON (issue 15): raw control characters are refused where QJsonDocument
// 6.4 accepts them; everything else is QJsonDocument's own parse.
#include <QtCore/QJsonArray>
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
    void numbersAsIntegers_data();
    void numbersAsIntegers();
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

void TestStrictJson::numbersAsIntegers_data()
{
    // JSON numbers are doubles; a plain cast of one outside qint64 is undefined behaviour
    // (fuzz_jwt found it with "exp":7777…7). These are what ids and claims become.
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("integer");
    QTest::addColumn<QString>("id");
    QTest::newRow("small") << QByteArray("[42]") << qint64(42) << QStringLiteral("42");
    QTest::newRow("negative") << QByteArray("[-7]") << qint64(-7) << QStringLiteral("-7");
    QTest::newRow("fraction cut toward zero") << QByteArray("[2.9]") << qint64(2) << QStringLiteral("2");
    QTest::newRow("2^53") << QByteArray("[9007199254740992]") << qint64(9007199254740992) << QStringLiteral("9007199254740992");
    QTest::newRow("huge") << QByteArray("[1e300]") << qint64(-1) << QStringLiteral("0");
    QTest::newRow("huge negative") << QByteArray("[-1e300]") << qint64(-1) << QStringLiteral("0");
    QTest::newRow("2^63") << QByteArray("[9223372036854775808]") << qint64(-1) << QStringLiteral("0");
    QTest::newRow("string id") << QByteArray("[\"abc\"]") << qint64(-1) << QStringLiteral("abc");
    QTest::newRow("not an id") << QByteArray("[true]") << qint64(-1) << QString();
}

void TestStrictJson::numbersAsIntegers()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, integer);
    QFETCH(QString, id);
    QString error;
    const QJsonValue value = Json::parse(json, &error).array().at(0);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(Json::toInt64(value.toDouble(-1e300), -1), integer);
    QCOMPARE(Json::idText(value), id);
}

QTEST_GUILESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"
