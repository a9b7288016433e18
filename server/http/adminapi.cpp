// The admin routes of docs/http-api.md, "Admin tokens and audit": who am I, revoke a token,
// read the audit log. Their roles are in admin/adminroles.cpp like every admin route's.
#include <QtCore/QJsonArray>

#include "admin/adminauth.h"
#include "admin/auditlog.h"
#include "admin/nodedrain.h"
#include "core/logging.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

namespace {

using Method = QHttpServerRequest::Method;
using Access = Router::Access;

constexpr int kDefaultAuditLimit = 100;

/// The caller of a request the gate let through (it has been authenticated already).
AdminCaller callerOf(const Server &server, const HttpRequest &req)
{
    return server.adminAuth().authenticate(req.raw.value("x-internal-key"), req.raw.value("authorization")).caller;
}

} // namespace

void registerAdminRoutes(Router &router, Server &server)
{
    Server *s = &server;
    router.add(Method::Get, QStringLiteral("/api/admin/whoami"), Access::Admin, [s](const HttpRequest &req) {
        const AdminCaller who = callerOf(*s, req);
        return HttpResponse::json(QJsonObject{{QStringLiteral("name"), who.name},
                                              {QStringLiteral("role"), adminRoleName(who.role)},
                                              {QStringLiteral("jti"), who.jti}});
    });
    router.addDeferred(Method::Post, QStringLiteral("/api/admin/tokens/revoke"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return reply.send(error);
        const QString jti = body.value(QLatin1String("jti")).toString();
        if (jti.isEmpty() || jti.size() > AdminAuth::kMaxJtiLength)
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"),
                                                  QStringLiteral("\"jti\" must be the token id (1-%1 characters)").arg(AdminAuth::kMaxJtiLength)));
        // In a cluster the revocation is kept in Redis until the token's expiry ("exp", seconds
        // since the epoch, as in the token); without it, as long as any admin token can live.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QJsonValue expValue = body.value(QLatin1String("exp"));
        const qint64 exp = expValue.isUndefined() ? now + AdminToken::kMaxTtlSeconds : qint64(expValue.toDouble(-1));
        if (!expValue.isUndefined() && (!expValue.isDouble() || exp <= 0 || exp > now + AdminToken::kMaxTtlSeconds + 86400))
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"),
                                                  QStringLiteral("\"exp\" must be the token's expiry in seconds since the epoch")));
        s->adminAuth().revoke(jti, callerOf(*s, req).name, exp, [reply, jti](bool written, const QString &why) {
            if (!written)
                return reply.send(HttpResponse::error(500, QStringLiteral("not_persisted"),
                                                      QStringLiteral("revoked on this node until it restarts, but: %1").arg(why)));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("target"), jti}, {QStringLiteral("revoked"), true}}));
        });
    });
    // Drain and stop the node (docs/http-api.md): typed results; stop goes the SIGTERM way.
    router.add(Method::Post, QStringLiteral("/api/admin/drain"), Access::Admin, [s](const HttpRequest &) {
        QJsonObject body = s->drain().begin();
        body.insert(QStringLiteral("target"), s->nodeName());
        return HttpResponse::json(body, 202);
    });
    router.add(Method::Post, QStringLiteral("/api/admin/undrain"), Access::Admin, [s](const HttpRequest &) {
        QJsonObject body = s->drain().end();
        body.insert(QStringLiteral("target"), s->nodeName());
        return HttpResponse::json(body);
    });
    // Minting from a remote console: the token is in this answer only (the audit record gets
    // its jti as the target; nothing logs the body).
    router.add(Method::Post, QStringLiteral("/api/admin/tokens"), Access::Admin, [s](const HttpRequest &req) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return error;
        const auto invalid = [](const QString &message) {
            return HttpResponse::error(400, QStringLiteral("invalid_request"), message);
        };
        AdminRole role = AdminRole::None;
        if (!parseAdminRole(body.value(QLatin1String("role")).toString(), &role))
            return invalid(QStringLiteral("\"role\" must be viewer, operator or admin"));
        const QJsonValue nameValue = body.value(QLatin1String("name"));
        const QString name = nameValue.toString().trimmed();
        if (!nameValue.isString() || name.isEmpty() || name.size() > AdminToken::kMaxNameLength)
            return invalid(QStringLiteral("\"name\" must be who holds the token (1-%1 characters)").arg(AdminToken::kMaxNameLength));
        const QJsonValue ttlValue = body.value(QLatin1String("ttl"));
        qint64 ttl = 8 * 3600;
        QString why;
        if (ttlValue.isString()) {
            ttl = AdminToken::parseTtl(ttlValue.toString(), &why);
        } else if (ttlValue.isDouble()) {
            const double d = ttlValue.toDouble();
            ttl = d == double(qint64(d)) ? AdminToken::parseTtl(QString::number(qint64(d)), &why) : -1;
        } else if (!ttlValue.isUndefined() && !ttlValue.isNull()) {
            ttl = -1;
        }
        if (ttl < 0)
            return invalid(QStringLiteral("\"ttl\" must be a lifetime from 1 minute to 90 days (\"30m\", \"8h\", \"7d\" or seconds)%1")
                               .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        QString jti;
        qint64 expiresAt = 0;
        const QByteArray token = s->adminAuth().mint(role, name, ttl, &jti, &expiresAt);
        if (token.isEmpty())
            return HttpResponse::error(503, QStringLiteral("admin_tokens_disabled"),
                                       QStringLiteral("this server has no admin secret, so it cannot mint admin tokens"));
        qCInfo(lcHttp).noquote() << "admin token" << jti << "minted for" << name << "with role" << adminRoleName(role)
                                 << "by" << callerOf(*s, req).name;
        return HttpResponse::json(QJsonObject{{QStringLiteral("target"), jti},
                                              {QStringLiteral("token"), QString::fromLatin1(token)},
                                              {QStringLiteral("jti"), jti},
                                              {QStringLiteral("role"), adminRoleName(role)},
                                              {QStringLiteral("name"), name},
                                              {QStringLiteral("expiresAt"), expiresAt}},
                                  201);
    });
    router.add(Method::Post, QStringLiteral("/api/admin/stop"), Access::Admin, [s](const HttpRequest &) {
        s->requestStop();
        return HttpResponse::json(QJsonObject{{QStringLiteral("stopping"), true}, {QStringLiteral("target"), s->nodeName()}}, 202);
    });
    router.addDeferred(Method::Get, QStringLiteral("/api/admin/audit"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        bool ok = true;
        const QString sinceText = req.query(QStringLiteral("since"));
        const qint64 since = sinceText.isEmpty() ? 0 : sinceText.toLongLong(&ok);
        if (!ok || since < 0)
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"since\" must be a time in milliseconds since the epoch")));
        const QString limitText = req.query(QStringLiteral("limit"));
        const int limit = limitText.isEmpty() ? kDefaultAuditLimit : limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > AuditLog::kMaxReadLimit)
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"limit\" must be from 1 to %1").arg(AuditLog::kMaxReadLimit)));
        AuditLog &log = s->auditLog();
        log.read(since, limit, [reply, &log](const QJsonArray &records, bool read) {
            if (!read)
                return reply.send(HttpResponse::error(503, QStringLiteral("busy"), QStringLiteral("the audit writer is busy; retry")));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("records"), records},
                                                      {QStringLiteral("count"), records.size()},
                                                      {QStringLiteral("dropped"), qint64(log.dropped())}}));
        });
    });
}

} // namespace Switchboard
