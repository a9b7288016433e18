// The admin routes of docs/http-api.md, "Admin tokens and audit": who am I, revoke a token,
// read the audit log. Their roles are in admin/adminroles.cpp like every admin route's.
#include <QtCore/QJsonArray>

#include "admin/adminauth.h"
#include "admin/auditlog.h"
#include "admin/nodedrain.h"
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
