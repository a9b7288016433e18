#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QString>

namespace Switchboard {

/// What an admin credential may do; each role includes the ones below it.
enum class AdminRole { None = 0, Viewer = 1, Operator = 2, Admin = 3 };

QString adminRoleName(AdminRole role);
/// "viewer", "operator" or "admin"; false for anything else.
bool parseAdminRole(const QString &text, AdminRole *role);

/**
 * @brief Admin tokens (docs/operations.md, "Roles and audit"): HS256 JWTs signed with the
 * admin secret, never with the client JWT secret, and marked "aud": "switchboard-admin" so
 * that neither kind of token passes as the other even when an operator reuses a secret.
 *
 * Claims: sub (the operator's name), role, jti (for revocation), iat, exp.
 */
namespace AdminToken {

inline constexpr char kAudience[] = "switchboard-admin";
inline constexpr qint64 kMinTtlSeconds = 60;
inline constexpr qint64 kMaxTtlSeconds = 90LL * 24 * 3600;
inline constexpr int kMaxNameLength = 128;

/// "90s", "30m", "8h", "7d" (or bare seconds) into seconds, from 1 minute to 90 days;
/// -1 with @p why otherwise.
qint64 parseTtl(const QString &text, QString *why);

/// A signed token; @p jti receives its random id.
QByteArray mint(AdminRole role, const QString &name, qint64 ttlSeconds, const QByteArray &secret,
                QString *jti = nullptr, const QDateTime &now = QDateTime::currentDateTimeUtc());

/// True when @p token looks like a JWT (three dot-separated segments), admin or not.
bool looksLikeJwt(const QByteArray &token);

struct Verified
{
    /// Stable reason codes for answers and the audit log.
    enum class Failure { None, Malformed, WrongAudience, BadSignature, Expired, BadClaims };
    Failure failure = Failure::None;
    QString message;
    AdminRole role = AdminRole::None;
    QString name;
    QString jti;
    qint64 expiresAt = 0; // seconds since the epoch
    bool ok() const { return failure == Failure::None; }
};

QString failureCode(Verified::Failure failure);

/// Checks audience, signature, expiry (no leeway) and claims. Revocation is the caller's
/// (AdminAuth).
Verified verify(const QByteArray &token, const QByteArray &secret,
                const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace AdminToken

} // namespace Switchboard
