#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/**
 * @brief HS256 JSON Web Tokens: verification of client tokens and minting of dev tokens.
 *
 * Only HS256 is accepted; "alg":"none" and every other algorithm are rejected before the
 * signature is looked at. Signatures are compared in constant time.
 */
class Jwt final
{
public:
    enum class Error { None, Malformed, BadAlgorithm, BadSignature, Expired, NotYetValid, NoSubject };

    struct Result
    {
        Error error = Error::None;
        QString message;     // why it failed, for logs and close reasons
        QJsonObject claims;
        QString userId;      // the first of the id claims present: "sub", then "userId" unless configured
        bool ok() const { return error == Error::None; }
    };

    /// @p userIdClaims name the claims holding the user id, first present wins (--user-id-claim);
    /// empty means "sub", then "userId".
    static Result verify(const QByteArray &token, const QByteArray &secret,
                         int leewaySeconds = 30,
                         const QDateTime &now = QDateTime::currentDateTimeUtc(),
                         const QStringList &userIdClaims = {});

    static QByteArray sign(const QJsonObject &claims, const QByteArray &secret);

    /// A dev token: sub, optional role and rooms, iat and exp = now + ttl.
    static QByteArray mint(const QString &userId, const QString &role, const QStringList &rooms,
                           qint64 ttlSeconds, const QByteArray &secret);

    static bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
};

} // namespace Switchboard
