// The HTTP API of SPEC section 3 (the queue routes are in queueapi.cpp).
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>

#include "router.h"
#include "server.h"

namespace Switchboard {

namespace {

using Method = QHttpServerRequest::Method;
using Access = Router::Access;

QJsonObject connectionJson(const ConnectionSnapshot &c)
{
    return {{QStringLiteral("id"), QString::number(c.id)},
            {QStringLiteral("userId"), c.userId},
            {QStringLiteral("role"), c.role},
            {QStringLiteral("address"), c.address},
            {QStringLiteral("protocol"), c.protocol},
            {QStringLiteral("transport"), c.transport},
            {QStringLiteral("connectedAt"), QDateTime::fromMSecsSinceEpoch(c.connectedAtMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("lastActivity"), QDateTime::fromMSecsSinceEpoch(c.lastActivityMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("rooms"), QJsonArray::fromStringList(c.rooms)},
            {QStringLiteral("messagesIn"), qint64(c.messagesIn)},
            {QStringLiteral("messagesOut"), qint64(c.messagesOut)},
            {QStringLiteral("bytesIn"), qint64(c.bytesIn)},
            {QStringLiteral("bytesOut"), qint64(c.bytesOut)},
            {QStringLiteral("pendingBytes"), c.pendingBytes},
            {QStringLiteral("thread"), c.worker}};
}

QString scalarText(const QJsonValue &v)
{
    if (v.isString()) return v.toString();
    if (v.isDouble()) return QString::number(qint64(v.toDouble()));
    return {};
}

HttpResponse emitResponse(const EmitResult &result)
{
    if (result.overloaded)
        return HttpResponse::error(503, QStringLiteral("overloaded"), result.error);
    if (result.invalid)
        return HttpResponse::error(400, result.code.isEmpty() ? QStringLiteral("invalid_request") : result.code, result.error);
    if (!result.error.isEmpty())
        return HttpResponse::error(503, QStringLiteral("unavailable"), result.error);
    return HttpResponse::json(QJsonObject{{QStringLiteral("success"), true},
                                          {QStringLiteral("delivered"), result.delivered},
                                          {QStringLiteral("persisted"), result.persisted},
                                          {QStringLiteral("id"), result.id}});
}

/// Parses the body of POST /api/v1/internal/emit into a request; a 400 when it is not one.
bool parseEmit(const QJsonObject &body, EmitRequest *request, HttpResponse *error)
{
    auto bad = [&](const QString &message) {
        *error = HttpResponse::error(400, QStringLiteral("invalid_request"), message);
        return false;
    };
    const QJsonValue event = body.value(QLatin1String("event"));
    if (!event.isString() || event.toString().isEmpty())
        return bad(QStringLiteral("\"event\" must be a non-empty string"));
    request->event = event.toString();
    request->payload = body.contains(QLatin1String("payload")) ? body.value(QLatin1String("payload"))
                                                              : body.value(QLatin1String("data"));
    const bool broadcast = body.value(QLatin1String("broadcast")).toBool();
    const QString room = body.value(QLatin1String("room")).toString();
    const QString user = scalarText(body.value(QLatin1String("userId")));
    const QString connection = scalarText(body.value(QLatin1String("connectionId")));
    const int targets = int(broadcast) + int(!room.isEmpty()) + int(!user.isEmpty()) + int(!connection.isEmpty());
    if (targets != 1)
        return bad(QStringLiteral("give exactly one target: \"room\", \"userId\", \"connectionId\" or \"broadcast\": true"));
    if (broadcast) {
        request->target = EmitRequest::Target::Broadcast;
    } else if (!room.isEmpty()) {
        request->target = EmitRequest::Target::Room;
        request->room = room;
    } else if (!user.isEmpty()) {
        request->target = EmitRequest::Target::User;
        request->userId = user;
    } else {
        bool ok = false;
        request->connectionId = connection.toULongLong(&ok);
        if (!ok)
            return bad(QStringLiteral("\"connectionId\" must be a connection id"));
        request->target = EmitRequest::Target::Connection;
    }
    const QJsonValue except = body.value(QLatin1String("except"));
    if (except.isObject()) {
        request->exceptUserId = scalarText(except.toObject().value(QLatin1String("userId")));
        request->exceptConnectionId = scalarText(except.toObject().value(QLatin1String("connectionId"))).toULongLong();
    } else if (!except.isUndefined() && !except.isNull()) {
        request->exceptUserId = scalarText(except);
        if (request->exceptUserId.isEmpty())
            return bad(QStringLiteral("\"except\" must be a user id or {\"userId\"|\"connectionId\"}"));
    }
    const QJsonValue nsp = body.value(QLatin1String("namespace"));
    if (!nsp.isUndefined() && !nsp.isNull()) {
        if (!nsp.isString() || !nsp.toString().startsWith(QLatin1Char('/')))
            return bad(QStringLiteral("\"namespace\" must be a Socket.IO namespace such as \"/\" or \"/admin\""));
        request->nsp = nsp.toString();
    }
    request->ack = body.value(QLatin1String("ack")).toBool();
    request->persist = body.value(QLatin1String("persist")).toBool();
    request->id = scalarText(body.value(QLatin1String("id")));
    return true;
}

bool isValidCloseCode(int code)
{
    return code == 1000 || code == 1001 || code == 1008 || code == 1011 || code == 1012
        || code == 1013 || (code >= 3000 && code <= 4999);
}

} // namespace

void registerApiRoutes(Router &router, Server &server)
{
    Server *s = &server;
    registerQueueRoutes(router, server);

    router.add(Method::Get, QStringLiteral("/health"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::json(s->healthJson());
    });
    router.add(Method::Get, QStringLiteral("/metrics"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::text(s->prometheusText(), QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
    });
    router.add(Method::Get, QStringLiteral("/api/metrics"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::json(s->metricsJson());
    });
    router.add(Method::Get, QStringLiteral("/api/websocket/stats"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::json(s->statsJson());
    });
    router.add(Method::Get, QStringLiteral("/api/websocket/connections"), Access::Admin, [s](const HttpRequest &req) {
        const QString user = req.query(QStringLiteral("userId"));
        const QString room = req.query(QStringLiteral("room"));
        QJsonArray list;
        for (const ConnectionSnapshot &c : s->registry().connections()) {
            if ((!user.isEmpty() && c.userId != user) || (!room.isEmpty() && !c.rooms.contains(room)))
                continue;
            list.append(connectionJson(c));
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("connections"), list}});
    });
    router.add(Method::Get, QStringLiteral("/connected-users"), Access::Admin, [s](const HttpRequest &) {
        const auto users = s->registry().users();
        QJsonArray list;
        QStringList ids = users.keys();
        ids.sort();
        for (const QString &id : ids)
            list.append(QJsonObject{{QStringLiteral("userId"), id}, {QStringLiteral("connections"), users.value(id)}});
        return HttpResponse::json(QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("users"), list}});
    });
    router.add(Method::Get, QStringLiteral("/user-status/<arg>"), Access::Admin, [s](const HttpRequest &req) {
        const QString user = req.params.value(0);
        const QList<quint64> ids = s->registry().userConnections(user);
        QJsonArray connections;
        for (quint64 id : ids)
            connections.append(QString::number(id));
        return HttpResponse::json(QJsonObject{{QStringLiteral("userId"), user},
                                              {QStringLiteral("online"), !ids.isEmpty()},
                                              {QStringLiteral("connections"), connections}});
    });
    router.add(Method::Get, QStringLiteral("/api/rooms"), Access::Admin, [s](const HttpRequest &) {
        const auto rooms = s->registry().roomCounts();
        QStringList names = rooms.keys();
        names.sort();
        QJsonArray list;
        for (const QString &name : names)
            list.append(QJsonObject{{QStringLiteral("room"), name}, {QStringLiteral("members"), rooms.value(name)}});
        return HttpResponse::json(QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("rooms"), list}});
    });
    router.add(Method::Get, QStringLiteral("/api/rooms/<arg>"), Access::Admin, [s](const HttpRequest &req) {
        const QString room = req.params.value(0);
        const QList<quint64> ids = s->registry().roomMembers(room);
        if (ids.isEmpty())
            return HttpResponse::error(404, QStringLiteral("room_not_found"), QStringLiteral("room %1 has no members").arg(room));
        QJsonArray members;
        for (quint64 id : ids) {
            if (const auto c = s->registry().snapshot(id))
                members.append(QJsonObject{{QStringLiteral("connectionId"), QString::number(c->id)},
                                           {QStringLiteral("userId"), c->userId},
                                           {QStringLiteral("address"), c->address}});
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("room"), room},
                                              {QStringLiteral("count"), members.size()},
                                              {QStringLiteral("members"), members}});
    });
    // Deferred for "persist": the answer ("persisted": true) leaves once the offline store has
    // committed the event, on its own thread; every other emit is answered at once.
    router.addDeferred(Method::Post, QStringLiteral("/api/v1/internal/emit"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return reply.send(error);
        EmitRequest request;
        if (!parseEmit(body, &request, &error))
            return reply.send(error);
        request.whenPersisted = [reply](const EmitResult &result) { reply.send(emitResponse(result)); };
        const EmitResult result = s->emitEvent(std::move(request));
        if (!result.persistPending)
            reply.send(emitResponse(result));
    });
    router.add(Method::Get, QStringLiteral("/api/socket"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::json(QJsonObject{{QStringLiteral("status"), s->isRunning() ? QStringLiteral("running") : QStringLiteral("stopped")},
                                              {QStringLiteral("connections"), s->registry().connectionCount()},
                                              {QStringLiteral("users"), s->registry().userCount()},
                                              {QStringLiteral("endpoint"), s->wsUrl()}});
    });
    router.add(Method::Post, QStringLiteral("/api/socket"), Access::Admin, [s](const HttpRequest &req) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return error;
        const QJsonObject event = body.value(QLatin1String("event")).toObject();
        const QString type = event.value(QLatin1String("type")).toString();
        if (type.isEmpty())
            return HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"event.type\" must be a non-empty string"));
        const QJsonValue targets = body.value(QLatin1String("targetUsers"));
        if (!targets.isUndefined() && !targets.isNull() && !targets.isArray())
            return HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"targetUsers\" must be an array of user ids"));
        EmitRequest request;
        request.event = type;
        request.payload = QJsonObject{{QStringLiteral("action"), event.value(QLatin1String("action"))},
                                      {QStringLiteral("data"), body.value(QLatin1String("data"))}};
        const QJsonArray users = targets.toArray();
        if (users.isEmpty()) {
            request.target = EmitRequest::Target::Broadcast;
            return emitResponse(s->emitEvent(request));
        }
        int delivered = 0;
        for (const QJsonValue &user : users) {
            request.target = EmitRequest::Target::User;
            request.userId = scalarText(user);
            request.id.clear();
            const EmitResult result = s->emitEvent(request);
            if (!result.error.isEmpty())
                return emitResponse(result);
            delivered += result.delivered;
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("success"), true}, {QStringLiteral("delivered"), delivered}});
    });
    router.add(Method::Post, QStringLiteral("/api/connections/<arg>/disconnect"), Access::Admin, [s](const HttpRequest &req) {
        bool ok = false;
        const quint64 id = req.params.value(0).toULongLong(&ok);
        if (!ok)
            return HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("connection id must be a number"));
        int code = 1000;
        QString reason = QStringLiteral("disconnected by operator");
        if (!req.raw.body().trimmed().isEmpty()) {
            QJsonObject body;
            HttpResponse error;
            if (!req.jsonBody(&body, &error))
                return error;
            if (body.contains(QLatin1String("code"))) {
                code = body.value(QLatin1String("code")).toInt(-1);
                if (!isValidCloseCode(code))
                    return HttpResponse::error(400, QStringLiteral("invalid_request"),
                                               QStringLiteral("\"code\" must be 1000, 1001, 1008, 1011-1013 or 3000-4999"));
            }
            if (body.contains(QLatin1String("reason")))
                reason = body.value(QLatin1String("reason")).toString();
        }
        if (!s->disconnectConnection(id, code, reason))
            return HttpResponse::error(404, QStringLiteral("connection_not_found"), QStringLiteral("no connection %1").arg(id));
        return HttpResponse::json(QJsonObject{{QStringLiteral("success"), true},
                                              {QStringLiteral("connectionId"), QString::number(id)},
                                              {QStringLiteral("code"), code}});
    });
    router.add(Method::Get, QStringLiteral("/api/events/stats"), Access::Public, [s](const HttpRequest &) {
        const auto names = s->metrics().eventsByName();
        QJsonObject events;
        quint64 total = 0;
        for (auto it = names.cbegin(); it != names.cend(); ++it) {
            events.insert(it.key(), qint64(it.value()));
            total += it.value();
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("total"), qint64(total)}, {QStringLiteral("events"), events}});
    });
}

} // namespace Switchboard
