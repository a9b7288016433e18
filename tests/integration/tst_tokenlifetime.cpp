// Token lifetime (issue 15): a native session closes with 4002 "token expired" when its token's
// exp passes, after a token_expiring warning; {"type":"refresh"} with a new token for the same
// user keeps it open; a token for someone else, or an invalid one, is refused.
#include <QtCore/QDateTime>
#include <QtTest/QtTest>

#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

ServerConfig shortLived()
{
    ServerConfig config = testConfig();
    config.jwtLeewaySeconds = 0;
    config.tokenExpiryWarningSeconds = 1;
    return config;
}

QByteArray expiringIn(const QString &user, int seconds)
{
    return token(user, {}, {}, QJsonObject{{QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + seconds}});
}

} // namespace

class TestTokenLifetime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiryWarnsThenCloses();
    void refreshKeepsTheSessionOpen();
    void refreshRefusals();
    void farFromExpiryNothingHappens();
};

void TestTokenLifetime::expiryWarnsThenCloses()
{
    TestServer ts(shortLived());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(expiringIn(QStringLiteral("short"), 2))).isEmpty());
    const QJsonObject warning = client.waitFor(QStringLiteral("token_expiring"), 5000);
    QCOMPARE(warning.value("type").toString(), QStringLiteral("token_expiring"));
    QVERIFY2(warning.value("in").toInt() >= 1 && warning.value("in").toInt() <= 2, qPrintable(QString::number(warning.value("in").toInt())));
    QVERIFY(client.waitClosed(5000));
    QCOMPARE(client.closeCode(), 4002);
    QCOMPARE(client.closeReason(), QStringLiteral("token expired"));
}

void TestTokenLifetime::refreshKeepsTheSessionOpen()
{
    TestServer ts(shortLived());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(expiringIn(QStringLiteral("renewer"), 2))).isEmpty());
    client.waitFor(QStringLiteral("token_expiring"), 5000);
    const qint64 newExp = QDateTime::currentSecsSinceEpoch() + 3600;
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("refresh")}, {QStringLiteral("id"), QStringLiteral("r1")},
                                {QStringLiteral("token"), QString::fromLatin1(token(QStringLiteral("renewer"), {}, {},
                                                                                    QJsonObject{{QStringLiteral("exp"), newExp}}))}});
    const QJsonObject refreshed = client.waitFor(QStringLiteral("refreshed"));
    QCOMPARE(refreshed.value("id").toString(), QStringLiteral("r1"));
    QCOMPARE(qint64(refreshed.value("expiresAt").toDouble()), newExp);
    // The old token's time runs out (waiting for it is what is tested) and the session stays.
    QTest::qWait(3000);
    QVERIFY(!client.isClosed());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
    QVERIFY(!client.waitFor(QStringLiteral("pong")).isEmpty());
}

void TestTokenLifetime::refreshRefusals()
{
    TestServer ts(shortLived());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(expiringIn(QStringLiteral("owner"), 3600))).isEmpty());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("refresh")}, {QStringLiteral("id"), 1},
                                {QStringLiteral("token"), QString::fromLatin1(expiringIn(QStringLiteral("someone-else"), 3600))}});
    QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("user_mismatch"));
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("refresh")}, {QStringLiteral("id"), 2},
                                {QStringLiteral("token"), QString::fromLatin1(expiringIn(QStringLiteral("owner"), -10))}});
    error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_token"));
    QCOMPARE(error.value("message").toString(), QStringLiteral("token expired"));
    QVERIFY(!client.isClosed());
}

void TestTokenLifetime::farFromExpiryNothingHappens()
{
    // An hour from its exp: no warning, no close.
    TestServer ts(shortLived());
    QVERIFY(ts.start());
    WsClient client;
    QVERIFY(!client.connectAndWelcome(ts.wsUrl(token(QStringLiteral("forever")))).isEmpty());
    client.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
    QVERIFY(!client.waitFor(QStringLiteral("pong")).isEmpty());
    QCOMPARE(client.count(QStringLiteral("token_expiring")), 0);
    QVERIFY(!client.isClosed());
}

QTEST_MAIN(TestTokenLifetime)
#include "tst_tokenlifetime.moc"
