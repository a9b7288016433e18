#include "adminactions.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QUrl>

#include "admin/adminauth.h"
#include "admin/adminroles.h"
#include "admin/auditlog.h"
#include "cluster/nodepage.h"
#include "cluster/nodepages.h"
#include "cluster/presence.h"
#include "http/admingate.h"
#include "http/router.h"
#include "protocol/strictjson.h"
#include "server.h"

namespace Switchboard::AdminActions {

namespace {

using Method = QHttpServerRequest::Method;

struct Mapping
{
    const char *channel;
    const char *table;
};

// The channel's names for the actions of AdminRoles' table.
const Mapping kMappings[] = {
    {"connection", "connections.list"},
    {"disconnect", "disconnect"},
    {"join", "join"},
    {"leave", "leave"},
    {"retry_dead", "dlq.retry"},
    {"emit", "internal.emit"},
    {"enqueue", "queue.enqueue"},
    {"purge_dead", "dlq.purge"},
    {"drain", "server.drain"},
    {"undrain", "server.undrain"},
    {"mint_token", "token.mint"},
    {"stop", "server.stop"},
};

Outcome invalid(const QString &message)
{
    return {false, QStringLiteral("invalid"), message, {}};
}

QString encoded(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

/// A connection id from a string or a number; 0 when it is neither.
quint64 idOf(const QJsonValue &value)
{
    if (value.isDouble())
        return quint64(qMax<qint64>(0, Json::toInt64(value.toDouble(), 0)));
    bool ok = false;
    const quint64 id = value.toString().toULongLong(&ok);
    return ok ? id : 0;
}

void audit(Server &server, const AdminCaller &who, const QString &action, const QString &target, const QString &result,
           const QString &detail, int status, const QHostAddress &remote)
{
    AuditRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.who = who;
    record.action = action;
    record.target = target;
    record.result = result;
    record.detail = detail;
    record.status = status;
    record.remote = remote.toString();
    server.auditLog().record(std::move(record));
}

/// The request the HTTP route for @p action takes; false with @p error when @p args do not make one.
bool requestFor(const QString &action, const QJsonObject &args, Method *method, QString *path, QJsonObject *body,
                QString *target, Outcome *error)
{
    const QString queue = args.value(QLatin1String("queue")).toString();
    if (action == QLatin1String("disconnect") || action == QLatin1String("join") || action == QLatin1String("leave")) {
        const quint64 id = idOf(args.value(QLatin1String("id")));
        if (id == 0) {
            *error = invalid(QStringLiteral("\"id\" must be a connection id"));
            return false;
        }
        *target = QString::number(id);
        if (action == QLatin1String("disconnect")) {
            *method = Method::Post;
            *path = QStringLiteral("/api/connections/%1/disconnect").arg(id);
            if (args.contains(QLatin1String("code")))
                body->insert(QStringLiteral("code"), args.value(QLatin1String("code")));
            if (args.contains(QLatin1String("reason")))
                body->insert(QStringLiteral("reason"), args.value(QLatin1String("reason")));
            return true;
        }
        const QString room = args.value(QLatin1String("room")).toString();
        if (room.isEmpty()) {
            *error = invalid(QStringLiteral("\"room\" must be a room name"));
            return false;
        }
        if (action == QLatin1String("join")) {
            *method = Method::Post;
            *path = QStringLiteral("/api/connections/%1/rooms").arg(id);
            body->insert(QStringLiteral("room"), room);
        } else {
            *method = Method::Delete;
            *path = QStringLiteral("/api/connections/%1/rooms/%2").arg(QString::number(id), encoded(room));
        }
        return true;
    }
    if (action == QLatin1String("retry_dead") || action == QLatin1String("purge_dead") || action == QLatin1String("enqueue")) {
        if (queue.isEmpty()) {
            *error = invalid(QStringLiteral("\"queue\" must be a queue name"));
            return false;
        }
        *target = queue;
        if (action == QLatin1String("retry_dead")) {
            *method = Method::Post;
            *path = QStringLiteral("/api/queues/%1/dlq/retry").arg(encoded(queue));
            const QJsonValue id = args.value(QLatin1String("id"));
            const bool all = id.isUndefined() || id.isNull() || (id.isDouble() && id.toDouble() == 0)
                || (id.isString() && id.toString() == QLatin1String("0"));
            if (all)
                body->insert(QStringLiteral("all"), true);
            else
                body->insert(QStringLiteral("id"), id);
        } else if (action == QLatin1String("purge_dead")) {
            *method = Method::Delete;
            *path = QStringLiteral("/api/queues/%1/dlq").arg(encoded(queue));
        } else {
            *method = Method::Post;
            *path = QStringLiteral("/api/queues/%1/messages").arg(encoded(queue));
            *body = args;
            body->remove(QStringLiteral("queue"));
        }
        return true;
    }
    if (action == QLatin1String("emit")) {
        *method = Method::Post;
        *path = QStringLiteral("/api/v1/internal/emit");
        *body = args;
        return true;
    }
    if (action == QLatin1String("drain") || action == QLatin1String("undrain") || action == QLatin1String("stop")) {
        *method = Method::Post;
        *path = QStringLiteral("/api/admin/%1").arg(action);
        return true;
    }
    if (action == QLatin1String("mint_token")) {
        *method = Method::Post;
        *path = QStringLiteral("/api/admin/tokens");
        for (const char *key : {"role", "name", "ttl"}) {
            if (args.contains(QLatin1String(key)))
                body->insert(QLatin1String(key), args.value(QLatin1String(key)));
        }
        return true;
    }
    *error = invalid(QStringLiteral("unknown action \"%1\"").arg(action.left(64)));
    return false;
}

} // namespace

const char *tableAction(const QString &channelAction)
{
    for (const Mapping &m : kMappings) {
        if (channelAction == QLatin1String(m.channel))
            return m.table;
    }
    return nullptr;
}

QJsonObject rolesJson()
{
    QJsonObject roles;
    for (const Mapping &m : kMappings) {
        if (const AdminRoles::Action *a = AdminRoles::action(QLatin1String(m.table)))
            roles.insert(QLatin1String(m.channel), adminRoleName(a->role));
    }
    return roles;
}

void run(Server &server, const QString &action, const QJsonObject &args, const QByteArray &authorization,
         const QHostAddress &remote, std::function<void(const Outcome &)> done,
         std::function<void(const QString &emitId, const QJsonObject &ack)> progress)
{
    const char *table = tableAction(action);
    if (!table)
        return done(invalid(QStringLiteral("unknown action \"%1\"").arg(action.left(64))));
    if (action == QLatin1String("connection")) {
        // A read of this node's registry: checked against the same table, audited when refused
        // (as the HTTP reads are).
        const AdminRoles::Action *rule = AdminRoles::action(QLatin1String(table));
        const AdminAuth::Result auth = server.adminAuth().authenticate({}, authorization);
        const quint64 id = idOf(args.value(QLatin1String("id")));
        const QString target = id ? QString::number(id) : QString();
        if (!auth.ok()) {
            audit(server, auth.caller, QLatin1String(table), target, QStringLiteral("unauthenticated"), auth.reason, 0, remote);
            return done({false, QStringLiteral("unauthenticated"), auth.message, {}});
        }
        if (!AdminRoles::allows(auth.caller.role, rule)) {
            audit(server, auth.caller, QLatin1String(table), target, QStringLiteral("forbidden"), QStringLiteral("role"), 0, remote);
            return done({false, QStringLiteral("forbidden"), QStringLiteral("%1 needs the %2 role").arg(action, adminRoleName(rule->role)), {}});
        }
        if (id == 0)
            return done(invalid(QStringLiteral("\"id\" must be a connection id")));
        const auto snapshot = server.registry().snapshot(id);
        NodePages *cluster = server.broker().isClustered() ? dynamic_cast<NodePages *>(&server.broker()) : nullptr;
        if (!snapshot && cluster) {
            // On another node, perhaps: its connections page filtered by the id, the exact id
            // first (an id that contains it as a substring is longer, so larger).
            NodePageQuery query;
            query.filter = QString::number(id);
            query.limit = NodePageQuery::kMaxConnectionsLimit;
            query.window = true;
            const QString wanted = QString::number(id);
            cluster->askNodePages(query.toJson(), [done, wanted](const NodePages::Answer &answer) {
                for (const PresencePart &part : answer.parts) {
                    for (const QJsonValue &row : part.part.value(QLatin1String("rows")).toArray()) {
                        if (row.toObject().value(QLatin1String("id")).toString() == wanted)
                            return done({true, QStringLiteral("ok"), {}, row.toObject()});
                    }
                }
                done({false, QStringLiteral("not_found"),
                      QStringLiteral("no connection %1 on any node%2").arg(wanted, answer.partial ? QStringLiteral(" that answered (%1)").arg(answer.error) : QString()),
                      {}});
            });
            return;
        }
        if (!snapshot)
            return done({false, QStringLiteral("not_found"), QStringLiteral("no connection %1 on this node").arg(id), {}});
        QJsonObject data = connectionJson(*snapshot);
        data.insert(QStringLiteral("node"), server.nodeName());
        return done({true, QStringLiteral("ok"), {}, data});
    }
    Method method = Method::Post;
    QString path;
    QJsonObject body;
    QString target;
    Outcome error;
    if (!requestFor(action, args, &method, &path, &body, &target, &error))
        return done(error);
    const QByteArray bytes = body.isEmpty() && method != Method::Post ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    const RequestData request(method, QUrl(path), {{QByteArrayLiteral("authorization"), authorization},
                                                  {QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")}},
                              bytes, remote);
    const AdminRoles::Action *rule = AdminRoles::action(QLatin1String(table));
    Server *s = &server;
    const QString tableName = QLatin1String(table);
    server.router().dispatch(request, server, Responder::toSink([s, done, rule, tableName, target, authorization, remote](const HttpResponse &response) {
        Outcome outcome;
        outcome.result = AdminGate::resultOf(response.status);
        outcome.ok = outcome.result == QLatin1String("ok");
        outcome.data = QJsonDocument::fromJson(response.body).object();
        outcome.message = outcome.data.value(QLatin1String("error")).toString();
        if (outcome.ok && rule && !rule->auditAllowed) {
            // The HTTP routes of the back end's data plane (emit, enqueue) audit only refusals;
            // from the channel they are an operator's act, so the allowed ones are audited too.
            const AdminCaller who = s->adminAuth().authenticate({}, authorization).caller;
            audit(*s, who, tableName, outcome.data.value(QLatin1String("target")).toString(target), outcome.result,
                  QStringLiteral("admin channel"), response.status, remote);
        }
        done(outcome);
    }, std::move(progress)));
}

} // namespace Switchboard::AdminActions
