// The emit's native message written directly (protocol/eventjson.h) must be the bytes
// QJsonDocument writes for the same object, or fall back to it.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

#include "protocol/eventjson.h"

using namespace Switchboard;

class TestEventJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameBytesAsQJsonDocument_data();
    void sameBytesAsQJsonDocument();
    void fallsBack_data();
    void fallsBack();
};

void TestEventJson::sameBytesAsQJsonDocument_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("data"); // JSON text; empty: absent
    QTest::addColumn<QString>("room");    // null: no room
    QTest::newRow("object in a room") << QStringLiteral("tick") << QByteArray(R"({"n":1,"text":"hello"})") << QStringLiteral("user:member");
    QTest::newRow("no room") << QStringLiteral("tick") << QByteArray(R"({"b":[1,2.5,true,null],"a":{}})") << QString();
    QTest::newRow("array") << QStringLiteral("t") << QByteArray(R"([1,"x",{"k":"v"}])") << QStringLiteral("r");
    QTest::newRow("absent payload") << QStringLiteral("ping") << QByteArray() << QStringLiteral("room:1");
    QTest::newRow("escapes and UTF-8 inside the payload")
        << QStringLiteral("e") << QByteArray("{\"s\":\"a\\\"b\\\\c\\n\\u0001 \xc3\xa9 \xf0\x9f\x98\x80\"}") << QStringLiteral("r");
    QTest::newRow("large and negative numbers") << QStringLiteral("e") << QByteArray(R"({"big":9007199254740993,"neg":-0.5,"e":1e300})") << QString();
}

void TestEventJson::sameBytesAsQJsonDocument()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, data);
    QFETCH(QString, room);
    const QJsonDocument doc = QJsonDocument::fromJson(data);
    const QJsonValue payload = data.isEmpty() ? QJsonValue() : (doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
    const QString id = QStringLiteral("0b5d3a4e-7c1f-4e8a-9d2b-1f3e5a7c9b0d");
    const qint64 timestamp = 1733456789012;
    QJsonObject message{{QStringLiteral("type"), type}, {QStringLiteral("data"), payload},
                        {QStringLiteral("id"), id}, {QStringLiteral("timestamp"), timestamp}};
    if (!room.isNull())
        message.insert(QStringLiteral("room"), room);
    const std::optional<QString> direct = Protocol::encodeEvent(type, payload, id, room.isNull() ? nullptr : &room, timestamp);
    QVERIFY(direct);
    QCOMPARE(direct->toUtf8(), QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void TestEventJson::fallsBack_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonValue>("data");
    QTest::addColumn<QString>("room");
    QTest::newRow("a quote in the event name") << QStringLiteral("a\"b") << QJsonValue(QJsonObject()) << QStringLiteral("r");
    QTest::newRow("non-ASCII room") << QStringLiteral("e") << QJsonValue(QJsonObject()) << QStringLiteral("caf\u00e9");
    QTest::newRow("a backslash in the room") << QStringLiteral("e") << QJsonValue(QJsonObject()) << QStringLiteral("a\\b");
    QTest::newRow("string payload") << QStringLiteral("e") << QJsonValue(QStringLiteral("s")) << QStringLiteral("r");
    QTest::newRow("number payload") << QStringLiteral("e") << QJsonValue(1.5) << QStringLiteral("r");
}

void TestEventJson::fallsBack()
{
    QFETCH(QString, type);
    QFETCH(QJsonValue, data);
    QFETCH(QString, room);
    QVERIFY(!Protocol::encodeEvent(type, data, QStringLiteral("id"), &room, 1));
}

QTEST_GUILESS_MAIN(TestEventJson)
#include "tst_eventjson.moc"
