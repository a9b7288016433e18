// Unit tests for the Engine.IO v4 / Socket.IO v5 codecs (server/socketio/packets.h): the
// packet forms of the protocol documents, and the malformed ones a server must refuse.
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include "socketio/packets.h"

using namespace Switchboard;

class tst_SioPackets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pollingPayloadRoundTrip();
    void pollingPayloadRejectsMalformed_data();
    void pollingPayloadRejectsMalformed();
    void decodesPackets_data();
    void decodesPackets();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void encodes();
    void placeholders();
};

void tst_SioPackets::pollingPayloadRoundTrip()
{
    QList<EngineIo::Packet> packets;
    QVERIFY(EngineIo::decodePayload("4hello\x1e" "bAQIDBA==\x1e" "3", &packets));
    QCOMPARE(packets.size(), 3);
    QCOMPARE(packets.at(0).type, EngineIo::Message);
    QCOMPARE(packets.at(0).data, QByteArray("hello"));
    QVERIFY(packets.at(1).binary);
    QCOMPARE(packets.at(1).data, QByteArray("\x01\x02\x03\x04", 4));
    QCOMPARE(packets.at(2).type, EngineIo::Pong);
    QCOMPARE(EngineIo::encodePayload(packets), QByteArray("4hello\x1e" "bAQIDBA==\x1e" "3"));
}

void tst_SioPackets::pollingPayloadRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("unknown type") << QByteArray("abc");
    QTest::newRow("empty packet between separators") << QByteArray("4a\x1e\x1e" "4b");
    QTest::newRow("bad base64") << QByteArray("b!!!");
    QTest::newRow("type 9") << QByteArray("9");
}

void tst_SioPackets::pollingPayloadRejectsMalformed()
{
    QFETCH(QByteArray, body);
    QList<EngineIo::Packet> packets;
    QVERIFY(!EngineIo::decodePayload(body, &packets));
}

void tst_SioPackets::decodesPackets_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("ackId");
    QTest::addColumn<int>("attachments");
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("connect main") << QByteArray("0") << int('0') << "/" << qint64(-1) << 0 << QByteArray();
    QTest::newRow("connect with auth") << QByteArray(R"(0{"token":"123"})") << int('0') << "/" << qint64(-1) << 0 << QByteArray(R"({"token":"123"})");
    QTest::newRow("connect custom, no comma") << QByteArray("0/custom") << int('0') << "/custom" << qint64(-1) << 0 << QByteArray();
    QTest::newRow("connect custom with auth") << QByteArray(R"(0/custom,{"token":"abc"})") << int('0') << "/custom" << qint64(-1) << 0 << QByteArray(R"({"token":"abc"})");
    QTest::newRow("event") << QByteArray(R"(2["message",1,"2"])") << int('2') << "/" << qint64(-1) << 0 << QByteArray(R"(["message",1,"2"])");
    QTest::newRow("event with ack") << QByteArray(R"(2456["m"])") << int('2') << "/" << qint64(456) << 0 << QByteArray(R"(["m"])");
    QTest::newRow("event in namespace with ack") << QByteArray(R"(2/admin,7["m"])") << int('2') << "/admin" << qint64(7) << 0 << QByteArray(R"(["m"])");
    QTest::newRow("binary event") << QByteArray(R"(52-["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])") << int('5') << "/" << qint64(-1) << 2
                                 << QByteArray(R"(["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    QTest::newRow("binary ack") << QByteArray(R"(61-789[{"_placeholder":true,"num":0}])") << int('6') << "/" << qint64(789) << 1 << QByteArray(R"([{"_placeholder":true,"num":0}])");
    QTest::newRow("ack") << QByteArray(R"(312[1])") << int('3') << "/" << qint64(12) << 0 << QByteArray("[1]");
    QTest::newRow("disconnect custom") << QByteArray("1/custom,") << int('1') << "/custom" << qint64(-1) << 0 << QByteArray();
}

void tst_SioPackets::decodesPackets()
{
    QFETCH(QByteArray, text);
    SocketIo::Packet packet;
    QString error;
    QVERIFY2(SocketIo::decode(text, &packet, &error), qPrintable(error));
    QTEST(int(packet.type), "type");
    QTEST(packet.nsp, "nsp");
    QTEST(packet.ackId, "ackId");
    QTEST(packet.attachments, "attachments");
    QTEST(packet.data, "data");
}

void tst_SioPackets::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("unknown type") << QByteArray("abc");
    QTest::newRow("event payload not an array") << QByteArray("2{}");
    QTest::newRow("bad ack id") << QByteArray(R"(2abc["m"])");
    QTest::newRow("event without name") << QByteArray("2[]");
    QTest::newRow("event name not a string") << QByteArray("2[1]");
    QTest::newRow("connect payload not an object") << QByteArray("0[1]");
    QTest::newRow("ack without id") << QByteArray("3[1]");
    QTest::newRow("binary without dash") << QByteArray(R"(52["m"])");
    QTest::newRow("connect_error from a client") << QByteArray(R"(4{"message":"x"})");
    QTest::newRow("truncated JSON") << QByteArray(R"(2["m",)");
    QTest::newRow("empty") << QByteArray();
}

void tst_SioPackets::rejectsMalformed()
{
    QFETCH(QByteArray, text);
    SocketIo::Packet packet;
    QString error;
    QVERIFY(!SocketIo::decode(text, &packet, &error));
    QVERIFY(!error.isEmpty());
}

void tst_SioPackets::encodes()
{
    QCOMPARE(SocketIo::encode(SocketIo::Event, QStringLiteral("/"), -1, SocketIo::eventArray(QStringLiteral("auth"), {QJsonObject()})),
             QByteArray(R"(2["auth",{}])"));
    QCOMPARE(SocketIo::encode(SocketIo::Ack, QStringLiteral("/"), 456, R"([1,"2"])"), QByteArray(R"(3456[1,"2"])"));
    QCOMPARE(SocketIo::encode(SocketIo::ConnectError, QStringLiteral("/random"), -1, R"({"message":"Invalid namespace"})"),
             QByteArray(R"(4/random,{"message":"Invalid namespace"})"));
    QCOMPARE(SocketIo::encode(SocketIo::BinaryAck, QStringLiteral("/"), 789, "[]", 2), QByteArray("62-789[]"));
}

void tst_SioPackets::placeholders()
{
    const QJsonValue two = QJsonDocument::fromJson(R"([{"a":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":0}])").array();
    QCOMPARE(SocketIo::countPlaceholders(two), 2);
    const QJsonValue gap = QJsonDocument::fromJson(R"([{"_placeholder":true,"num":1}])").array();
    QCOMPARE(SocketIo::countPlaceholders(gap), -1);
    const QJsonValue inlined = SocketIo::inlineAttachments(two, {QByteArray("\x01", 1), QByteArray("\x02\x03", 2)});
    QCOMPARE(QJsonDocument(inlined.toArray()).toJson(QJsonDocument::Compact), QByteArray(R"([{"a":"AgM="},"AQ=="])"));
}

QTEST_GUILESS_MAIN(tst_SioPackets)
#include "tst_siopackets.moc"
