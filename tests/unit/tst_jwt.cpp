// Unit tests for Switchboard::Jwt: HS256 verification, claim checks, minting.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QMessageAuthenticationCode>
#include <QtTest/QTest>

#include "auth/jwt.h"

using Switchboard::Jwt;

namespace {

const QByteArray kKey = QByteArrayLiteral("unit-secret");
// A fixed "now" so expiry checks do not depend on the wall clock.
const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
const qint64 kNowSecs = 1700000000;

QByteArray b64(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

/// Builds "header.payload.signature" from raw segment texts, signed with @p key (HS256)
/// unless @p signature is given.
QByteArray rawToken(const QByteArray &headerJson, const QByteArray &payloadJson,
                    const QByteArray &key = kKey, const QByteArray *signature = nullptr)
{
    const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
    const QByteArray sig = signature ? *signature
                                     : QMessageAuthenticationCode::hash(input, key, QCryptographicHash::Sha256);
    return input + '.' + b64(sig);
}

QByteArray claimsToken(const QJsonObject &claims, const QByteArray &key = kKey)
{
    return rawToken(R"({"alg":"HS256","typ":"JWT"})", QJsonDocument(claims).toJson(QJsonDocument::Compact), key);
}

} // namespace

class tst_Jwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verify_data();
    void verify();
    void algorithms_data();
    void algorithms();
    void malformed_data();
    void malformed();
    void subject_data();
    void subject();
    void claimsAreReturned();
    void signRoundTrip();
    void mintRoundTrip();
    void signatureTamperedPayload();
    void constantTimeEquals_data();
    void constantTimeEquals();
};

void tst_Jwt::verify_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("leeway");
    QTest::addColumn<int>("expected");

    const int none = int(Jwt::Error::None);
    const int expired = int(Jwt::Error::Expired);
    const int early = int(Jwt::Error::NotYetValid);
    const int badSig = int(Jwt::Error::BadSignature);

    QTest::addRow("good") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs + 3600}} << kKey << 30 << none;
    QTest::addRow("no exp at all") << QJsonObject{{"sub", "42"}} << kKey << 30 << none;
    QTest::addRow("expired long ago") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs - 3600}} << kKey << 30 << expired;
    QTest::addRow("expired within leeway") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs - 20}} << kKey << 30 << none;
    QTest::addRow("expired exactly at leeway") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs - 30}} << kKey << 30 << none;
    QTest::addRow("expired just past leeway") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs - 31}} << kKey << 30 << expired;
    QTest::addRow("expired, zero leeway") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs - 1}} << kKey << 0 << expired;
    QTest::addRow("nbf in future") << QJsonObject{{"sub", "42"}, {"nbf", kNowSecs + 3600}} << kKey << 30 << early;
    QTest::addRow("nbf within leeway") << QJsonObject{{"sub", "42"}, {"nbf", kNowSecs + 25}} << kKey << 30 << none;
    QTest::addRow("nbf just past leeway") << QJsonObject{{"sub", "42"}, {"nbf", kNowSecs + 31}} << kKey << 30 << early;
    QTest::addRow("nbf in past") << QJsonObject{{"sub", "42"}, {"nbf", kNowSecs - 10}, {"exp", kNowSecs + 10}} << kKey << 0 << none;
    QTest::addRow("wrong key") << QJsonObject{{"sub", "42"}, {"exp", kNowSecs + 3600}} << QByteArray("other-secret") << 30 << badSig;
    QTest::addRow("exp not a number") << QJsonObject{{"sub", "42"}, {"exp", "tomorrow"}} << kKey << 30 << int(Jwt::Error::Malformed);
    QTest::addRow("nbf not a number") << QJsonObject{{"sub", "42"}, {"nbf", "today"}} << kKey << 30 << int(Jwt::Error::Malformed);
}

void tst_Jwt::verify()
{
    QFETCH(QJsonObject, claims);
    QFETCH(QByteArray, key);
    QFETCH(int, leeway);
    QFETCH(int, expected);

    const Jwt::Result r = Jwt::verify(claimsToken(claims, key), kKey, leeway, kNow);
    QCOMPARE(int(r.error), expected);
    QCOMPARE(r.ok(), expected == int(Jwt::Error::None));
    if (r.ok())
        QCOMPARE(r.userId, QStringLiteral("42"));
    else
        QVERIFY2(!r.message.isEmpty(), "a failure carries a reason");
}

void tst_Jwt::algorithms_data()
{
    QTest::addColumn<QByteArray>("token");

    const QByteArray payload = R"({"sub":"42"})";
    const QByteArray empty;
    // "alg":"none": an unsigned token with an empty signature segment.
    QTest::addRow("alg none, empty signature") << rawToken(R"({"alg":"none","typ":"JWT"})", payload, kKey, &empty);
    // ... and one that carries a valid HS256 signature anyway: still refused.
    QTest::addRow("alg none, signed") << rawToken(R"({"alg":"none","typ":"JWT"})", payload);
    QTest::addRow("alg None") << rawToken(R"({"alg":"None"})", payload, kKey, &empty);
    QTest::addRow("alg missing") << rawToken(R"({"typ":"JWT"})", payload);
    const QByteArray input512 = b64(R"({"alg":"HS512","typ":"JWT"})") + '.' + b64(payload);
    QTest::addRow("HS512 correctly signed")
        << input512 + '.' + b64(QMessageAuthenticationCode::hash(input512, kKey, QCryptographicHash::Sha512));
    QTest::addRow("HS512 header, HS256 signature") << rawToken(R"({"alg":"HS512","typ":"JWT"})", payload);
    QTest::addRow("RS256") << rawToken(R"({"alg":"RS256","typ":"JWT"})", payload);
    QTest::addRow("alg lowercase hs256") << rawToken(R"({"alg":"hs256","typ":"JWT"})", payload);
}

void tst_Jwt::algorithms()
{
    QFETCH(QByteArray, token);
    const Jwt::Result r = Jwt::verify(token, kKey, 30, kNow);
    QVERIFY(!r.ok());
    QCOMPARE(int(r.error), int(Jwt::Error::BadAlgorithm));
    QVERIFY(r.userId.isEmpty());
}

void tst_Jwt::malformed_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("expected");

    const int malformed = int(Jwt::Error::Malformed);
    const QByteArray good = claimsToken({{"sub", "42"}});
    const QList<QByteArray> parts = good.split('.');

    QTest::addRow("empty") << QByteArray() << malformed;
    QTest::addRow("garbage") << QByteArray("not a token") << malformed;
    QTest::addRow("two segments") << QByteArray(parts[0] + '.' + parts[1]) << malformed;
    QTest::addRow("four segments") << QByteArray(good + ".extra") << malformed;
    QTest::addRow("empty header") << QByteArray('.' + parts[1] + '.' + parts[2]) << malformed;
    QTest::addRow("empty payload") << QByteArray(parts[0] + ".." + parts[2]) << malformed;
    QTest::addRow("bad base64 header") << QByteArray("e$$$." + parts[1] + '.' + parts[2]) << malformed;
    QTest::addRow("bad base64 payload") << QByteArray(parts[0] + ".!!!." + parts[2]) << malformed;
    QTest::addRow("bad base64 signature") << QByteArray(parts[0] + '.' + parts[1] + ".*&^") << malformed;
    QTest::addRow("header not JSON") << rawToken("this is not json", R"({"sub":"42"})") << malformed;
    QTest::addRow("header JSON array") << rawToken(R"(["HS256"])", R"({"sub":"42"})") << malformed;
    // The payload is checked after the signature, so these are correctly signed.
    QTest::addRow("payload not JSON") << rawToken(R"({"alg":"HS256"})", "sub=42") << malformed;
    QTest::addRow("payload JSON array") << rawToken(R"({"alg":"HS256"})", R"(["42"])") << malformed;
    QTest::addRow("payload JSON string") << rawToken(R"({"alg":"HS256"})", R"("42")") << malformed;
    QTest::addRow("missing signature") << QByteArray(parts[0] + '.' + parts[1] + '.') << int(Jwt::Error::BadSignature);
    QTest::addRow("truncated signature") << QByteArray(good.left(good.size() - 4)) << int(Jwt::Error::BadSignature);
}

void tst_Jwt::malformed()
{
    QFETCH(QByteArray, token);
    QFETCH(int, expected);
    const Jwt::Result r = Jwt::verify(token, kKey, 30, kNow);
    QCOMPARE(int(r.error), expected);
    QVERIFY(!r.message.isEmpty());
}

void tst_Jwt::subject_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QString>("userId"); // empty = NoSubject
    QTest::addColumn<QStringList>("idClaims"); // --user-id-claim; empty = sub, then userId

    QTest::addRow("sub string") << QJsonObject{{"sub", "alice"}} << "alice" << QStringList{};
    QTest::addRow("sub numeric") << QJsonObject{{"sub", 42}} << "42" << QStringList{};
    QTest::addRow("sub large numeric") << QJsonObject{{"sub", 9007199254740991LL}} << "9007199254740991" << QStringList{};
    QTest::addRow("userId string") << QJsonObject{{"userId", "bob"}} << "bob" << QStringList{};
    QTest::addRow("userId numeric") << QJsonObject{{"userId", 7}} << "7" << QStringList{};
    QTest::addRow("sub wins over userId") << QJsonObject{{"sub", "alice"}, {"userId", "bob"}} << "alice" << QStringList{};
    QTest::addRow("empty sub falls back to userId") << QJsonObject{{"sub", ""}, {"userId", "bob"}} << "bob" << QStringList{};
    QTest::addRow("no subject") << QJsonObject{{"role", "admin"}} << QString() << QStringList{};
    QTest::addRow("empty sub only") << QJsonObject{{"sub", ""}} << QString() << QStringList{};
    QTest::addRow("sub object") << QJsonObject{{"sub", QJsonObject{{"id", 1}}}} << QString() << QStringList{};
    QTest::addRow("sub null") << QJsonObject{{"sub", QJsonValue::Null}} << QString() << QStringList{};
    QTest::addRow("_id claim") << QJsonObject{{"_id", "64f0c2"}, {"sub", "ignored"}} << "64f0c2" << QStringList{"_id"};
    QTest::addRow("_id missing, no fallback") << QJsonObject{{"sub", "alice"}} << QString() << QStringList{"_id"};
    QTest::addRow("first present wins") << QJsonObject{{"uid", 5}} << "5" << QStringList{"_id", "uid"};
}

void tst_Jwt::subject()
{
    QFETCH(QJsonObject, claims);
    QFETCH(QString, userId);
    QFETCH(QStringList, idClaims);
    const Jwt::Result r = Jwt::verify(claimsToken(claims), kKey, 30, kNow, idClaims);
    if (userId.isEmpty()) {
        QCOMPARE(int(r.error), int(Jwt::Error::NoSubject));
    } else {
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.userId, userId);
    }
}

void tst_Jwt::claimsAreReturned()
{
    const QJsonObject claims{{"sub", "42"}, {"role", "admin"}, {"rooms", QJsonArray{"a", "b"}},
                             {"companyId", 7}, {"exp", kNowSecs + 60}};
    const Jwt::Result r = Jwt::verify(claimsToken(claims), kKey, 30, kNow);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.claims, claims);
}

void tst_Jwt::signRoundTrip()
{
    const QJsonObject claims{{"sub", "7"}, {"role", "user"}, {"nbf", kNowSecs - 5}, {"exp", kNowSecs + 5}};
    const QByteArray token = Jwt::sign(claims, kKey);
    QCOMPARE(token.count('.'), 2);
    QVERIFY2(!token.contains('='), "base64url without padding");
    QVERIFY(!token.contains('+') && !token.contains('/'));

    const Jwt::Result r = Jwt::verify(token, kKey, 0, kNow);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.claims, claims);
    QCOMPARE(r.userId, QStringLiteral("7"));

    const QJsonObject header = QJsonDocument::fromJson(
        QByteArray::fromBase64(token.split('.').first(), QByteArray::Base64UrlEncoding)).object();
    QCOMPARE(header.value("alg").toString(), QStringLiteral("HS256"));

    QCOMPARE(int(Jwt::verify(token, "another key", 0, kNow).error), int(Jwt::Error::BadSignature));
}

void tst_Jwt::mintRoundTrip()
{
    const QByteArray token = Jwt::mint(QStringLiteral("42"), QStringLiteral("admin"),
                                       {QStringLiteral("lobby"), QStringLiteral("order:1")}, 600, kKey);
    const Jwt::Result r = Jwt::verify(token, kKey); // real clock: mint uses it too
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.userId, QStringLiteral("42"));
    QCOMPARE(r.claims.value("role").toString(), QStringLiteral("admin"));
    QCOMPARE(r.claims.value("rooms").toArray(), (QJsonArray{"lobby", "order:1"}));
    const qint64 iat = qint64(r.claims.value("iat").toDouble());
    const qint64 exp = qint64(r.claims.value("exp").toDouble());
    QCOMPARE(exp - iat, 600);
    QVERIFY(qAbs(iat - QDateTime::currentSecsSinceEpoch()) <= 5);

    // No role, no rooms: the claims are left out rather than sent empty.
    const Jwt::Result bare = Jwt::verify(Jwt::mint(QStringLiteral("9"), {}, {}, 60, kKey), kKey);
    QVERIFY(bare.ok());
    QVERIFY(!bare.claims.contains("role"));
    QVERIFY(!bare.claims.contains("rooms"));

    // A minted token outlives its ttl only by the leeway.
    const QByteArray shortLived = Jwt::mint(QStringLiteral("9"), {}, {}, 60, kKey);
    const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(60 + 30 + 5);
    QCOMPARE(int(Jwt::verify(shortLived, kKey, 30, later).error), int(Jwt::Error::Expired));
}

void tst_Jwt::signatureTamperedPayload()
{
    // Swapping in another payload under the original signature must fail.
    const QList<QByteArray> a = claimsToken({{"sub", "alice"}}).split('.');
    const QList<QByteArray> b = claimsToken({{"sub", "mallory"}, {"role", "admin"}}).split('.');
    const QByteArray forged = a[0] + '.' + b[1] + '.' + a[2];
    QCOMPARE(int(Jwt::verify(forged, kKey, 30, kNow).error), int(Jwt::Error::BadSignature));
}

void tst_Jwt::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::addRow("same") << QByteArray("secret") << QByteArray("secret") << true;
    QTest::addRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::addRow("last byte") << QByteArray("secret") << QByteArray("secreT") << false;
    QTest::addRow("first byte") << QByteArray("secret") << QByteArray("Secret") << false;
    QTest::addRow("prefix") << QByteArray("secret") << QByteArray("secre") << false;
    QTest::addRow("empty vs not") << QByteArray() << QByteArray("x") << false;
}

void tst_Jwt::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(Jwt::constantTimeEquals(a, b), equal);
    QCOMPARE(Jwt::constantTimeEquals(b, a), equal);
}

QTEST_GUILESS_MAIN(tst_Jwt)
#include "tst_jwt.moc"
