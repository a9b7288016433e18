#include "jwt.h"

#include "protocol/strictjson.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QMessageAuthenticationCode>

namespace Switchboard {

namespace {

constexpr auto kB64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

bool decodeSegment(const QByteArray &segment, QByteArray *out)
{
    auto result = QByteArray::fromBase64Encoding(segment, QByteArray::Base64UrlEncoding
                                                              | QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return false;
    *out = std::move(*result);
    return true;
}

QByteArray hmac(const QByteArray &data, const QByteArray &secret)
{
    return QMessageAuthenticationCode::hash(data, secret, QCryptographicHash::Sha256);
}

Jwt::Result fail(Jwt::Error e, const QString &message)
{
    Jwt::Result r;
    r.error = e;
    r.message = message;
    return r;
}

} // namespace

bool Jwt::constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    // Length is not secret; the content is compared without early exit.
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

Jwt::Result Jwt::verify(const QByteArray &token, const QByteArray &secret, int leewaySeconds,
                        const QDateTime &now, const QStringList &userIdClaims)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return fail(Error::Malformed, QStringLiteral("token must have three segments"));

    QByteArray headerJson, payloadJson, signature;
    if (!decodeSegment(parts[0], &headerJson) || !decodeSegment(parts[1], &payloadJson)
        || !decodeSegment(parts[2], &signature))
        return fail(Error::Malformed, QStringLiteral("token segment is not base64url"));

    QJsonParseError pe;
    const QJsonDocument header = QJsonDocument::fromJson(headerJson, &pe);
    if (pe.error != QJsonParseError::NoError || !header.isObject())
        return fail(Error::Malformed, QStringLiteral("token header is not a JSON object"));
    if (header.object().value(QLatin1String("alg")).toString() != QLatin1String("HS256"))
        return fail(Error::BadAlgorithm, QStringLiteral("token algorithm must be HS256"));

    const QByteArray expected = hmac(parts[0] + '.' + parts[1], secret);
    if (!constantTimeEquals(expected, signature))
        return fail(Error::BadSignature, QStringLiteral("invalid token signature"));

    const QJsonDocument payload = QJsonDocument::fromJson(payloadJson, &pe);
    if (pe.error != QJsonParseError::NoError || !payload.isObject())
        return fail(Error::Malformed, QStringLiteral("token payload is not a JSON object"));

    Result r;
    r.claims = payload.object();
    const qint64 nowSecs = now.toSecsSinceEpoch();
    const QJsonValue exp = r.claims.value(QLatin1String("exp"));
    if (!exp.isUndefined()) {
        if (!exp.isDouble())
            return fail(Error::Malformed, QStringLiteral("exp claim must be a number"));
        if (double(nowSecs) > exp.toDouble() + leewaySeconds) // compared as doubles: any number is valid JSON
            return fail(Error::Expired, QStringLiteral("token expired"));
    }
    const QJsonValue nbf = r.claims.value(QLatin1String("nbf"));
    if (!nbf.isUndefined()) {
        if (!nbf.isDouble())
            return fail(Error::Malformed, QStringLiteral("nbf claim must be a number"));
        if (double(nowSecs + leewaySeconds) < nbf.toDouble())
            return fail(Error::NotYetValid, QStringLiteral("token not valid yet"));
    }

    static const QStringList defaultIdClaims{QStringLiteral("sub"), QStringLiteral("userId")};
    const QStringList &idClaims = userIdClaims.isEmpty() ? defaultIdClaims : userIdClaims;
    for (const QString &claim : idClaims) {
        r.userId = Json::idText(r.claims.value(claim));
        if (!r.userId.isEmpty())
            break;
    }
    if (r.userId.isEmpty())
        return fail(Error::NoSubject, QStringLiteral("token has no %1 claim").arg(idClaims.join(QStringLiteral(" or "))));
    return r;
}

QByteArray Jwt::sign(const QJsonObject &claims, const QByteArray &secret)
{
    const QByteArray header = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})").toBase64(kB64);
    const QByteArray payload = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(kB64);
    const QByteArray signingInput = header + '.' + payload;
    return signingInput + '.' + hmac(signingInput, secret).toBase64(kB64);
}

QByteArray Jwt::mint(const QString &userId, const QString &role, const QStringList &rooms,
                     qint64 ttlSeconds, const QByteArray &secret)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{{QStringLiteral("sub"), userId},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + ttlSeconds}};
    if (!role.isEmpty())
        claims.insert(QStringLiteral("role"), role);
    if (!rooms.isEmpty())
        claims.insert(QStringLiteral("rooms"), QJsonArray::fromStringList(rooms));
    return sign(claims, secret);
}

} // namespace Switchboard
