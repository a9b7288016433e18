// The native event frame written directly (issue 19): byte for byte what QJsonDocument makes of
// the same QJsonObject, for every field combination and for strings and data that need Qt's
// escaping (quotes, backslashes, control characters, DEL, non-ASCII, surrogate pairs).
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

#include "protocol/eventtext.h"
#include "protocol/messages.h"

using namespace Switchboard;

Q_DECLARE_METATYPE(Protocol::EventFields)

class TestEventText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameAsQJsonDocument_data();
    void sameAsQJsonDocument();
    void parsesBack();
};

void TestEventText::sameAsQJsonDocument_data()
{
    QTest::addColumn<Protocol::EventFields>("event");
    const auto base = [] {
        Protocol::EventFields e;
        e.type = QStringLiteral("order.updated");
        e.data = QJsonObject{{QStringLiteral("id"), 123}, {QStringLiteral("p"), QStringLiteral("xxxx")}};
        e.id = QStringLiteral("5f0c2a");
        e.timestamp = 1795316827668;
        return e;
    };
    QTest::addRow("minimal") << base();
    auto room = base();
    room.room = QStringLiteral("order:123");
    room.hasRoom = true;
    QTest::addRow("room") << room;
    auto all = room;
    all.from = QStringLiteral("alice");
    all.ack = true;
    all.args = QJsonArray{all.data, 2, QStringLiteral("three"), QJsonValue()};
    QTest::addRow("room, from, ack, args") << all;
    const QJsonValue scalars[] = {QJsonValue(), QJsonValue(QJsonValue::Undefined), QJsonValue(true), QJsonValue(false),
                                  QJsonValue(0), QJsonValue(-42), QJsonValue(qint64(1) << 53), QJsonValue(1.5),
                                  QJsonValue(1e300), QJsonValue(-0.1), QJsonValue(QStringLiteral("text")),
                                  QJsonValue(QJsonArray{1, QJsonObject{{QStringLiteral("a"), QJsonArray{}}}}),
                                  QJsonValue(QJsonObject{})};
    int n = 0;
    for (const QJsonValue &data : scalars) {
        auto e = base();
        e.data = data;
        QTest::addRow("data %d", n++) << e;
    }
    const QString strings[] = {QStringLiteral(""), QStringLiteral("quote \" inside"), QStringLiteral("back\\slash"),
                               QStringLiteral("tab\tnew\nline\r"), QString(QChar(0x01)) + QChar(0x1F),
                               QString(QChar(0x7F)), QStringLiteral("caf\u00e9 \u65e5\u672c"),
                               QStringLiteral("emoji \U0001F600"), QString(QChar(0xD800)) + QStringLiteral("lone")};
    n = 0;
    for (const QString &s : strings) {
        auto e = room;
        e.type = s;
        e.id = s;
        e.room = s;
        e.from = s.isEmpty() ? QStringLiteral("x") : s;
        e.data = QJsonObject{{s, s}};
        QTest::addRow("strings %d", n++) << e;
    }
}

void TestEventText::sameAsQJsonDocument()
{
    QFETCH(Protocol::EventFields, event);
    QCOMPARE(Protocol::encodeEvent(event), Protocol::encode(Protocol::eventObject(event)));
}

void TestEventText::parsesBack()
{
    Protocol::EventFields e;
    e.type = QStringLiteral("chat");
    e.data = QJsonObject{{QStringLiteral("text"), QStringLiteral("hi \"you\"")}};
    e.id = QStringLiteral("i1");
    e.timestamp = 42;
    e.room = QStringLiteral("r");
    e.hasRoom = true;
    QJsonParseError error;
    const QJsonObject back = QJsonDocument::fromJson(Protocol::encodeEvent(e).toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(back.value(QLatin1String("type")).toString(), QStringLiteral("chat"));
    QCOMPARE(back.value(QLatin1String("data")).toObject().value(QLatin1String("text")).toString(), QStringLiteral("hi \"you\""));
    QCOMPARE(back.value(QLatin1String("timestamp")).toInteger(), 42);
    QCOMPARE(back.value(QLatin1String("room")).toString(), QStringLiteral("r"));
    QVERIFY(!back.contains(QLatin1String("from")));
    QVERIFY(!back.contains(QLatin1String("ack")));
    QVERIFY(!back.contains(QLatin1String("args")));
}

QTEST_GUILESS_MAIN(TestEventText)
#include "tst_eventtext.moc"
