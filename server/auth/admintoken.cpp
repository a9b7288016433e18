#include "admintoken.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>

#include "jwt.h"

namespace Switchboard {

QString adminRoleName(AdminRole role)
{
    switch (role) {
    case AdminRole::Viewer: return QStringLiteral("viewer");
    case AdminRole::Operator: return QStringLiteral("operator");
    case AdminRole::Admin: return QStringLiteral("admin");
    case AdminRole::None: break;
    }
    return QStringLiteral("none");
}

bool parseAdminRole(const QString &text, AdminRole *role)
{
    for (const AdminRole r : {AdminRole::Viewer, AdminRole::Operator, AdminRole::Admin}) {
        if (text == adminRoleName(r)) {
            *role = r;
            return true;
        }
    }
    return false;
}

namespace AdminToken {

qint64 parseTtl(const QString &text, QString *why)
{
    QString number = text.trimmed();
    qint64 unit = 1;
    if (!number.isEmpty()) {
        switch (number.back().toLatin1()) {
        case 's': unit = 1; number.chop(1); break;
        case 'm': unit = 60; number.chop(1); break;
        case 'h': unit = 3600; number.chop(1); break;
        case 'd': unit = 86400; number.chop(1); break;
        default: break;
        }
    }
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    // Bounded before multiplying, so "9999999999999d" cannot overflow into a valid value.
    if (!ok || n <= 0 || n > kMaxTtlSeconds || n * unit < kMinTtlSeconds || n * unit > kMaxTtlSeconds) {
        *why = QStringLiteral("--ttl must be a duration like 30m, 8h or 7d, from 1m to 90d (got \"%1\")").arg(text);
        return -1;
    }
    return n * unit;
}

QByteArray mint(AdminRole role, const QString &name, qint64 ttlSeconds, const QByteArray &secret, QString *jti,
                const QDateTime &now)
{
    QByteArray random(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), random.size() / 4);
    const QString id = QString::fromLatin1(random.toHex());
    if (jti)
        *jti = id;
    const qint64 iat = now.toSecsSinceEpoch();
    return Jwt::sign(QJsonObject{{QStringLiteral("aud"), QLatin1String(kAudience)},
                                 {QStringLiteral("sub"), name},
                                 {QStringLiteral("role"), adminRoleName(role)},
                                 {QStringLiteral("jti"), id},
                                 {QStringLiteral("iat"), iat},
                                 {QStringLiteral("exp"), iat + ttlSeconds}},
                     secret);
}

bool looksLikeJwt(const QByteArray &token)
{
    return token.count('.') == 2 && !token.startsWith('.');
}

QString failureCode(Verified::Failure failure)
{
    using F = Verified::Failure;
    switch (failure) {
    case F::None: return QStringLiteral("ok");
    case F::Malformed: return QStringLiteral("malformed_token");
    case F::WrongAudience: return QStringLiteral("wrong_audience");
    case F::BadSignature: return QStringLiteral("bad_signature");
    case F::Expired: return QStringLiteral("token_expired");
    case F::BadClaims: return QStringLiteral("bad_claims");
    }
    return QStringLiteral("invalid_token");
}

namespace {

Verified fail(Verified::Failure failure, const QString &message)
{
    Verified v;
    v.failure = failure;
    v.message = message;
    return v;
}

} // namespace

Verified verify(const QByteArray &token, const QByteArray &secret, const QDateTime &now)
{
    using F = Verified::Failure;
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return fail(F::Malformed, QStringLiteral("an admin token has three segments"));
    // The audience is read before the signature so that a client token sent here by mistake
    // is named as such; nothing from an unverified payload is trusted beyond that message.
    const auto payload = QByteArray::fromBase64Encoding(parts[1], QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    const QJsonObject unverified = payload ? QJsonDocument::fromJson(*payload).object() : QJsonObject();
    if (unverified.isEmpty())
        return fail(F::Malformed, QStringLiteral("the token's payload is not a base64url JSON object"));
    if (unverified.value(QLatin1String("aud")).toString() != QLatin1String(kAudience))
        return fail(F::WrongAudience, QStringLiteral("not an admin token (\"aud\" is not \"%1\"): client tokens are not admin credentials; mint one with switchboard admin-token").arg(QLatin1String(kAudience)));
    const Jwt::Result checked = Jwt::verify(token, secret, 0, now, {QStringLiteral("sub")});
    switch (checked.error) {
    case Jwt::Error::None: break;
    case Jwt::Error::BadSignature: return fail(F::BadSignature, QStringLiteral("the admin token's signature does not match this server's admin secret"));
    case Jwt::Error::Expired: return fail(F::Expired, QStringLiteral("the admin token has expired"));
    case Jwt::Error::NoSubject: return fail(F::BadClaims, QStringLiteral("the admin token has no \"sub\" (name)"));
    default: return fail(F::Malformed, checked.message);
    }
    Verified v;
    v.name = checked.userId.left(kMaxNameLength);
    v.jti = checked.claims.value(QLatin1String("jti")).toString();
    v.expiresAt = qint64(checked.claims.value(QLatin1String("exp")).toDouble());
    if (!parseAdminRole(checked.claims.value(QLatin1String("role")).toString(), &v.role))
        return fail(F::BadClaims, QStringLiteral("the admin token's \"role\" must be viewer, operator or admin"));
    if (v.jti.isEmpty() || v.jti.size() > 64)
        return fail(F::BadClaims, QStringLiteral("the admin token has no usable \"jti\""));
    if (v.expiresAt <= 0)
        return fail(F::BadClaims, QStringLiteral("the admin token has no \"exp\""));
    return v;
}

} // namespace AdminToken

} // namespace Switchboard
