// The Socket.IO Redis adapter's wire format against golden vectors captured at test time from
// the real npm packages (tests/interop/cluster-vectors.js: @socket.io/redis-emitter and two
// socket.io servers with @socket.io/redis-adapter on a real redis-server).
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtTest/QtTest>

#include "cluster/adaptercodec.h"

using namespace Switchboard;

namespace {

/// Placeholders back to the vectors' {"$bin": hex} form.
QJsonValue withBins(const QJsonValue &v, const QList<QByteArray> &attachments)
{
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &e : v.toArray())
            out.append(withBins(e, attachments));
        return out;
    }
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        if (o.size() == 2 && o.value(QLatin1String("_placeholder")).toBool()) {
            const int n = o.value(QLatin1String("num")).toInt();
            return QJsonObject{{QStringLiteral("$bin"), QString::fromLatin1(attachments.value(n).toHex())}};
        }
        QJsonObject out;
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), withBins(it.value(), attachments));
        return out;
    }
    return v;
}

QJsonArray loadVectors()
{
    const QString path = qEnvironmentVariable("SWITCHBOARD_CLUSTER_VECTORS");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).array();
}

} // namespace

class TestAdapterCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goldenVectors_data();
    void goldenVectors();
    void rejectsGarbage();
    void roundTripsBinary();
    void refusesHostileHeadersQuickly_data();
    void refusesHostileHeadersQuickly();
    void acceptsLargeHonestMessages();
};

void TestAdapterCodec::goldenVectors_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QJsonValue>("decoded");
    const QJsonArray vectors = loadVectors();
    QVERIFY2(vectors.size() >= 10, "run the cluster_vectors fixture first (SWITCHBOARD_CLUSTER_VECTORS)");
    for (const QJsonValue &v : vectors) {
        const QJsonObject o = v.toObject();
        QTest::newRow(qPrintable(o.value(QLatin1String("name")).toString()))
            << o.value(QLatin1String("channel")).toString()
            << QByteArray::fromHex(o.value(QLatin1String("hex")).toString().toLatin1())
            << o.value(QLatin1String("decoded"));
    }
}

void TestAdapterCodec::goldenVectors()
{
    QFETCH(QString, channel);
    QFETCH(QByteArray, bytes);
    QFETCH(QJsonValue, decoded);
    QString error;
    static const QRegularExpression broadcastChannel(QStringLiteral("^[^#]+#/[^#]*#"));
    const bool isBroadcast = broadcastChannel.match(channel).hasMatch() && !channel.contains(QLatin1String("-request#"))
        && !channel.contains(QLatin1String("-response#"));
    if (isBroadcast) {
        const auto b = Cluster::decodeBroadcast(bytes, &error);
        QVERIFY2(b, qPrintable(error));
        const QJsonArray expected = decoded.toArray();
        QCOMPARE(b->uid, expected.at(0).toString());
        const QJsonObject packet = expected.at(1).toObject();
        QCOMPARE(QJsonValue(withBins(b->packet.data, b->packet.attachments)), packet.value(QLatin1String("data")));
        QCOMPARE(b->packet.nsp, packet.value(QLatin1String("nsp")).toString(QStringLiteral("/")));
        const QJsonObject opts = expected.at(2).toObject();
        QCOMPARE(QJsonValue(QJsonArray::fromStringList(b->rooms)), opts.value(QLatin1String("rooms")).isArray() ? opts.value(QLatin1String("rooms")) : QJsonValue(QJsonArray{}));
        QCOMPARE(QJsonValue(QJsonArray::fromStringList(b->except)), opts.value(QLatin1String("except")).isArray() ? opts.value(QLatin1String("except")) : QJsonValue(QJsonArray{}));
        // Our encoding of it reads back the same.
        const auto again = Cluster::decodeBroadcast(Cluster::encodeBroadcast(*b), &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(again->uid, b->uid);
        QCOMPARE(QJsonValue(again->packet.data), QJsonValue(b->packet.data));
        QCOMPARE(again->packet.attachments, b->packet.attachments);
        QCOMPARE(again->rooms, b->rooms);
        QCOMPARE(again->except, b->except);
        return;
    }
    QList<QByteArray> attachments;
    const auto object = Cluster::decodeObject(bytes, &attachments, &error);
    QVERIFY2(object, qPrintable(error));
    QCOMPARE(QJsonValue(withBins(*object, attachments)), decoded);
    if (!bytes.startsWith('{')) {
        QList<QByteArray> again;
        const auto reread = Cluster::decodeObject(Cluster::encodeMsgpack(*object, attachments), &again, &error);
        QVERIFY2(reread, qPrintable(error));
        QCOMPARE(QJsonValue(*reread), QJsonValue(*object));
        QCOMPARE(again, attachments);
    }
}

void TestAdapterCodec::rejectsGarbage()
{
    QString error;
    QVERIFY(!Cluster::decodeBroadcast(QByteArray(), &error));
    QVERIFY(!Cluster::decodeBroadcast(QByteArray("\xc1", 1), &error)); // never used
    QVERIFY(!Cluster::decodeBroadcast(QByteArray::fromHex("93a3616263"), &error)); // truncated array
    QVERIFY(!Cluster::decodeBroadcast(QByteArray::fromHex("92a161a162"), &error)); // [str, str]
    // 40 nested arrays: refused, not recursed into without bound.
    QByteArray deep(40, '\x91');
    deep.append('\xc0');
    QList<QByteArray> attachments;
    QVERIFY(!Cluster::decodeObject(QByteArray(deep).prepend("\x81\xa1x"), &attachments, &error));
    QVERIFY(error.contains(QLatin1String("nested")));
    QVERIFY(!Cluster::decodeObject("{\"a\":", &attachments, &error));
}

void TestAdapterCodec::roundTripsBinary()
{
    Cluster::Broadcast b;
    b.uid = QStringLiteral("u");
    b.packet.nsp = QStringLiteral("/admin");
    b.packet.data = QJsonArray{QStringLiteral("ev"), QJsonObject{{QStringLiteral("file"), QJsonObject{{QStringLiteral("_placeholder"), true}, {QStringLiteral("num"), 0}}}}, 2.5, -3};
    b.packet.attachments = {QByteArray("\x00\x01\xff", 3)};
    b.rooms = {QStringLiteral("a"), QStringLiteral("b")};
    b.except = {QStringLiteral("user:1")};
    b.sb = QJsonObject{{QStringLiteral("id"), QStringLiteral("e1")}};
    QString error;
    const auto back = Cluster::decodeBroadcast(Cluster::encodeBroadcast(b), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(QJsonValue(back->packet.data), QJsonValue(b.packet.data));
    QCOMPARE(back->packet.attachments, b.packet.attachments);
    QCOMPARE(back->packet.nsp, b.packet.nsp);
    QCOMPARE(back->sb, b.sb);
}

void TestAdapterCodec::refusesHostileHeadersQuickly_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("why");
    // Review A2: nested array32 headers, each claiming 10^6 elements. msgpack-c's default
    // limits allocated 24 MB per level before looking for the elements (a 1 MB message held
    // the Redis thread for ~40 s and grew the heap to terabytes of address space).
    const QByteArray level = QByteArray::fromHex("dd000f4240");
    QTest::newRow("250 KB of nested array32") << level.repeated(50000) << QStringLiteral("claims");
    QTest::newRow("1 MB of nested array32") << level.repeated(200000) << QStringLiteral("claims");
    // One level claiming as many elements as there are bytes after it (each needs one at least).
    QTest::newRow("array claims one more than fits") << QByteArray::fromHex("dc0004") + QByteArray(3, '\xc0') << QStringLiteral("claims");
    QTest::newRow("map32 of 2^32-1 pairs") << QByteArray::fromHex("dfffffffff") + QByteArray(1000, '\xc0') << QStringLiteral("claims");
    // Nested containers that each claim little, but together more than the bytes left.
    QTest::newRow("claims add up") << QByteArray::fromHex("9f9f9f9f9f9f9f9f") + QByteArray(40, '\xc0') << QStringLiteral("claims");
    QTest::newRow("str32 longer than the message") << QByteArray::fromHex("dbffffffff") + QByteArray(100, 'a') << QStringLiteral("truncated");
    QTest::newRow("bin32 longer than the message") << QByteArray::fromHex("c67fffffff") + QByteArray(100, 'a') << QStringLiteral("truncated");
    QTest::newRow("ext32") << QByteArray::fromHex("c90000000401") + QByteArray(4, 'a') << QStringLiteral("unsupported");
    QByteArray deep(100000, '\x91');
    deep.append('\xc0');
    QTest::newRow("100000 nested fixarrays") << deep << QStringLiteral("nested");
}

void TestAdapterCodec::refusesHostileHeadersQuickly()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, why);
    QElapsedTimer timer;
    timer.start();
    QString error;
    QVERIFY(!Cluster::decodeBroadcast(bytes, &error));
    QVERIFY2(error.contains(why), qPrintable(error));
    QList<QByteArray> attachments;
    QVERIFY(!Cluster::decodeObject(QByteArray::fromHex("81a178") + bytes, &attachments, &error)); // {"x": …}
    QVERIFY2(error.contains(why), qPrintable(error));
    // A linear scan: well under what one such message cost before (seconds), even under ASan.
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
}

void TestAdapterCodec::acceptsLargeHonestMessages()
{
    // The limits are sized from the input: a 2 MB broadcast with 100,000 rooms still decodes.
    Cluster::Broadcast b;
    b.uid = QStringLiteral("u");
    b.packet.nsp = QStringLiteral("/");
    b.packet.data = QJsonArray{QStringLiteral("ev"), QString(1 << 20, QLatin1Char('x'))};
    for (int i = 0; i < 100000; ++i)
        b.rooms.append(QString::number(i));
    QString error;
    const auto back = Cluster::decodeBroadcast(Cluster::encodeBroadcast(b), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->rooms.size(), 100000);
    QCOMPARE(back->packet.data.at(1).toString().size(), 1 << 20);
}

QTEST_GUILESS_MAIN(TestAdapterCodec)
#include "tst_adaptercodec.moc"
