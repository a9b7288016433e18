#include "admingate.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include "admin/adminauth.h"
#include "server.h"

namespace Switchboard::AdminGate {

namespace {

QJsonObject typed(const QString &result, const AdminRoles::Action *action, const QString &target)
{
    QJsonObject o{{QStringLiteral("ok"), result == QLatin1String("ok")}, {QStringLiteral("result"), result}};
    if (action)
        o.insert(QStringLiteral("action"), QLatin1String(action->name));
    if (!target.isEmpty())
        o.insert(QStringLiteral("target"), target);
    return o;
}

HttpResponse refusal(int status, const QString &code, const QString &reason, const QString &message,
                     const QString &result, const Decision &d)
{
    QJsonObject body = typed(result, d.action, d.target);
    body.insert(QStringLiteral("error"), message);
    body.insert(QStringLiteral("code"), code);
    body.insert(QStringLiteral("reason"), reason);
    return HttpResponse::json(body, status);
}

void audit(const Server &server, const Decision &d, const RequestData &request, const QString &result,
           const QString &detail, int status)
{
    AuditRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.who = d.caller;
    record.action = d.action ? QString::fromLatin1(d.action->name)
                             : QStringLiteral("unlisted ") + request.url().path(QUrl::FullyEncoded);
    record.target = d.target;
    record.result = result;
    record.detail = detail;
    record.status = status;
    record.remote = request.remoteAddress().toString();
    server.auditLog().record(std::move(record));
}

} // namespace

QString resultOf(int status)
{
    if (status >= 200 && status < 300)
        return QStringLiteral("ok");
    if (status == 401)
        return QStringLiteral("unauthenticated");
    if (status == 403)
        return QStringLiteral("forbidden");
    if (status == 404)
        return QStringLiteral("not_found");
    if (status >= 400 && status < 500)
        return QStringLiteral("invalid");
    return QStringLiteral("error");
}

Decision check(const AdminRoles::Action *action, const RequestData &request, const QStringList &params,
               const Server &server)
{
    Decision d;
    d.action = action;
    d.target = params.join(QLatin1Char('/'));
    const AdminAuth::Result auth = server.adminAuth().authenticate(request.value("x-internal-key"), request.value("authorization"));
    d.caller = auth.caller;
    using Status = AdminAuth::Result::Status;
    if (auth.status == Status::Missing || auth.status == Status::InvalidToken) {
        d.refusal = refusal(401, QStringLiteral("unauthorized"), auth.reason, auth.message, QStringLiteral("unauthenticated"), d);
        audit(server, d, request, QStringLiteral("unauthenticated"), auth.reason + QStringLiteral(": ") + auth.message, 401);
        return d;
    }
    if (auth.status == Status::BadCredentials) {
        // 403, as before roles existed: a wrong key is not a missing one.
        d.refusal = refusal(403, QStringLiteral("forbidden"), auth.reason, auth.message, QStringLiteral("unauthenticated"), d);
        audit(server, d, request, QStringLiteral("unauthenticated"), auth.reason + QStringLiteral(": ") + auth.message, 403);
        return d;
    }
    if (!action) {
        d.refusal = refusal(403, QStringLiteral("forbidden"), QStringLiteral("route_without_role"),
                            QStringLiteral("this route is not in the admin role table, so nobody may call it"),
                            QStringLiteral("forbidden"), d);
        audit(server, d, request, QStringLiteral("forbidden"), QStringLiteral("route_without_role"), 403);
        return d;
    }
    if (!AdminRoles::allows(auth.caller.role, action)) {
        const QString required = adminRoleName(action->role);
        const QString role = adminRoleName(auth.caller.role);
        HttpResponse answer = refusal(403, QStringLiteral("forbidden"), QStringLiteral("role"),
                                      QStringLiteral("%1 needs the %2 role; %3 has %4").arg(QLatin1String(action->name), required, auth.caller.name, role),
                                      QStringLiteral("forbidden"), d);
        QJsonObject body = QJsonDocument::fromJson(answer.body).object();
        body.insert(QStringLiteral("required"), required);
        body.insert(QStringLiteral("role"), role);
        d.refusal = HttpResponse::json(body, 403);
        audit(server, d, request, QStringLiteral("forbidden"), QStringLiteral("needs %1, has %2").arg(required, role), 403);
    }
    return d;
}

Responder observe(const Decision &decision, const RequestData &request, const Responder &responder,
                  const Server &server)
{
    if (!decision.action || !decision.action->auditAllowed) {
        // Reads and data-plane calls: audited only when they fail for want of a credential.
        return responder;
    }
    const Server *s = &server;
    // Only what the audit needs, copied: the request itself is gone when a deferred answer comes.
    const RequestData head(request.method(), request.url(), {}, {}, request.remoteAddress());
    return responder.filtered([s, decision, head](HttpResponse &response) {
        const QString result = resultOf(response.status);
        QJsonObject body = QJsonDocument::fromJson(response.body).object();
        Decision d = decision;
        // A handler that knows its target better (a room from the body, a jti) says so.
        if (body.value(QLatin1String("target")).isString())
            d.target = body.value(QLatin1String("target")).toString();
        QString detail;
        if (result != QLatin1String("ok"))
            detail = body.value(QLatin1String("code")).toString() + QStringLiteral(": ") + body.value(QLatin1String("error")).toString();
        audit(*s, d, head, result, detail, response.status);
        if (response.contentType.startsWith("application/json") && !body.isEmpty()) {
            const QJsonObject t = typed(result, d.action, d.target);
            for (auto it = t.begin(); it != t.end(); ++it)
                body.insert(it.key(), it.value());
            response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
    });
}

} // namespace Switchboard::AdminGate
