// The HTTP API of SPEC section 3 (the queue routes are in queueapi.cpp).
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QMutex>

#include <optional>

#include "cluster/presence.h"
#include "protocol/emitjson.h"
#include "protocol/messages.h"
#include "protocol/strictjson.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

namespace {

using Method = QHttpServerRequest::Method;
using Access = Router::Access;


HttpResponse emitResponse(const EmitResult &result, const PublishOutcome *cluster = nullptr)
{
    if (result.overloaded)
        return HttpResponse::error(503, QStringLiteral("overloaded"), result.error);
    if (result.invalid)
        return HttpResponse::error(400, result.code.isEmpty() ? QStringLiteral("invalid_request") : result.code, result.error);
    if (!result.error.isEmpty())
        return HttpResponse::error(503, QStringLiteral("unavailable"), result.error);
    QJsonObject body{{QStringLiteral("success"), true},
                     {QStringLiteral("delivered"), result.delivered},
                     {QStringLiteral("persisted"), result.persisted},
                     {QStringLiteral("id"), result.id}};
    if (cluster) {
        // Delivered here; published (or not) to the other nodes, which count their own.
        QJsonObject c{{QStringLiteral("published"), cluster->published}, {QStringLiteral("nodes"), cluster->nodes}};
        if (!cluster->error.isEmpty())
            c.insert(QStringLiteral("error"), cluster->error);
        body.insert(QStringLiteral("cluster"), c);
    }
    return HttpResponse::json(body);
}

/// An emit's answer once both its offline store commit and its cluster publish (when
/// either applies) are done.
struct PendingEmit
{
    Responder reply;
    QMutex lock;
    int waiting = 0;
    EmitResult result;
    std::optional<PublishOutcome> cluster;

    void settle(const std::function<void(PendingEmit &)> &update)
    {
        QMutexLocker locker(&lock);
        update(*this);
        if (--waiting == 0)
            reply.send(emitResponse(result, cluster ? &*cluster : nullptr));
    }
};

/// A presence route: answered from the broker (this node, or the whole cluster).
void presenceRoute(Router &router, const QString &pattern, Access access, Server *s,
                   std::function<PresenceQuery(const HttpRequest &)> query,
                   std::function<HttpResponse(const PresenceQuery &, const QJsonObject &)> answer = {})
{
    router.addDeferred(Method::Get, pattern, access, [s, query, answer](const HttpRequest &req, const Responder &reply) {
        const PresenceQuery q = query(req);
        s->broker().presence().query(q, [reply, q, answer](const QJsonObject &merged) {
            reply.send(answer ? answer(q, merged) : HttpResponse::json(merged));
        });
    });
}

bool isValidCloseCode(int code)
{
    return code == 1000 || code == 1001 || code == 1008 || code == 1011 || code == 1012
        || code == 1013 || (code >= 3000 && code <= 4999);
}

/// Room, event, targets and the JSON around an emit's payload.
constexpr qint64 kEnvelopeBytes = 64 * 1024;

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
    using Kind = PresenceQuery::Kind;
    presenceRoute(router, QStringLiteral("/api/websocket/stats"), Access::Public, s, [](const HttpRequest &) {
        return PresenceQuery{Kind::Stats, {}, {}, {}};
    });
    presenceRoute(router, QStringLiteral("/api/websocket/connections"), Access::Admin, s, [](const HttpRequest &req) {
        return PresenceQuery{Kind::Connections, {}, req.query(QStringLiteral("userId")), req.query(QStringLiteral("room"))};
    });
    presenceRoute(router, QStringLiteral("/connected-users"), Access::Admin, s, [](const HttpRequest &) {
        return PresenceQuery{Kind::Users, {}, {}, {}};
    });
    presenceRoute(router, QStringLiteral("/user-status/<arg>"), Access::Admin, s, [](const HttpRequest &req) {
        return PresenceQuery{Kind::UserStatus, req.params.value(0), {}, {}};
    });
    presenceRoute(router, QStringLiteral("/api/rooms"), Access::Admin, s, [](const HttpRequest &) {
        return PresenceQuery{Kind::Rooms, {}, {}, {}};
    });
    presenceRoute(router, QStringLiteral("/api/rooms/<arg>"), Access::Admin, s, [](const HttpRequest &req) {
        return PresenceQuery{Kind::Room, req.params.value(0), {}, {}};
    }, [](const PresenceQuery &q, const QJsonObject &merged) {
        if (merged.value(QLatin1String("count")).toInt() == 0)
            return HttpResponse::error(404, QStringLiteral("room_not_found"), QStringLiteral("room %1 has no members").arg(q.arg));
        return HttpResponse::json(merged);
    });
    // Message-broker bridges (docs/bridges.md): state and per-binding counters.
    router.add(Method::Get, QStringLiteral("/api/bridges"), Access::Admin, [s](const HttpRequest &) {
        return HttpResponse::json(s->bridgesJson());
    });
    router.add(Method::Get, QStringLiteral("/api/cluster/nodes"), Access::Admin, [s](const HttpRequest &) {
        return HttpResponse::json(s->broker().nodesJson());
    });
    // The adapter's serverSideEmit, to every other server of the cluster (Node ones too).
    router.addDeferred(Method::Post, QStringLiteral("/api/cluster/server-side-emit"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return reply.send(error);
        const QString event = body.value(QLatin1String("event")).toString();
        const QString why = Protocol::checkEventName(event);
        if (!why.isEmpty())
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_event"), why));
        QJsonArray data{event};
        for (const QJsonValue &arg : body.value(QLatin1String("args")).toArray())
            data.append(arg);
        const QString nsp = body.value(QLatin1String("namespace")).toString(QStringLiteral("/"));
        const int timeout = qBound(100, body.value(QLatin1String("timeout")).toInt(5000), 60000);
        s->broker().serverSideEmit(nsp, data, body.value(QLatin1String("ack")).toBool(), timeout,
                                   [reply](const QJsonObject &result) { reply.send(HttpResponse::json(result)); });
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
        QString why;
        if (!parseEmitJson(body, &request, &why))
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), why));
        // One answer once the offline store (persist) and the cluster publish are done.
        auto pending = std::make_shared<PendingEmit>();
        pending->reply = reply;
        pending->waiting = 1;
        request.whenPersisted = [pending](const EmitResult &result) {
            pending->settle([result](PendingEmit &p) { p.result = result; });
        };
        if (s->broker().isClustered()) {
            request.whenPublished = [pending](const PublishOutcome &outcome) {
                pending->settle([outcome](PendingEmit &p) { p.cluster = outcome; });
            };
        }
        {
            QMutexLocker locker(&pending->lock);
            const EmitResult result = s->emitEvent(std::move(request));
            pending->waiting += int(result.persistPending) + int(result.publishPending);
            if (!result.persistPending)
                pending->result = result;
        }
        pending->settle([](PendingEmit &) {});
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
            request.userId = Json::idText(user);
            request.id.clear();
            const EmitResult result = s->emitEvent(request);
            if (!result.error.isEmpty())
                return emitResponse(result);
            delivered += result.delivered;
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("success"), true}, {QStringLiteral("delivered"), delivered}});
    });
    router.addDeferred(Method::Post, QStringLiteral("/api/connections/<arg>/disconnect"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        bool ok = false;
        const quint64 id = req.params.value(0).toULongLong(&ok);
        if (!ok)
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("connection id must be a number")));
        int code = 1000;
        QString reason = QStringLiteral("disconnected by operator");
        if (!req.raw.body().trimmed().isEmpty()) {
            QJsonObject body;
            HttpResponse error;
            if (!req.jsonBody(&body, &error))
                return reply.send(error);
            if (body.contains(QLatin1String("code"))) {
                code = body.value(QLatin1String("code")).toInt(-1);
                if (!isValidCloseCode(code))
                    return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"),
                                                          QStringLiteral("\"code\" must be 1000, 1001, 1008, 1011-1013 or 3000-4999")));
            }
            if (body.contains(QLatin1String("reason")))
                reason = body.value(QLatin1String("reason")).toString();
        }
        // Any node's connection: asked of the cluster when it is not here.
        s->connectionOp(id, Broker::ConnectionOp::Disconnect, {}, code, reason, [reply, id, code](bool found) {
            if (!found)
                return reply.send(HttpResponse::error(404, QStringLiteral("connection_not_found"), QStringLiteral("no connection %1").arg(id)));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("success"), true},
                                                      {QStringLiteral("connectionId"), QString::number(id)},
                                                      {QStringLiteral("code"), code}}));
        });
    });
    // Room membership of one connection, on any node (the console's join/leave).
    for (const bool join : {true, false}) {
        const auto method = join ? Method::Post : Method::Delete;
        const QString pattern = join ? QStringLiteral("/api/connections/<arg>/rooms") : QStringLiteral("/api/connections/<arg>/rooms/<arg>");
        router.addDeferred(method, pattern, Access::Admin, [s, join](const HttpRequest &req, const Responder &reply) {
            bool ok = false;
            const quint64 id = req.params.value(0).toULongLong(&ok);
            if (!ok)
                return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("connection id must be a number")));
            QString room = req.params.value(1);
            if (join) {
                QJsonObject body;
                HttpResponse error;
                if (!req.jsonBody(&body, &error))
                    return reply.send(error);
                room = body.value(QLatin1String("room")).toString();
            }
            if (room.isEmpty() || room.size() > RoomPolicy::kMaxRoomLength)
                return reply.send(HttpResponse::error(400, QStringLiteral("invalid_room"), QStringLiteral("\"room\" must be a room name")));
            s->connectionOp(id, join ? Broker::ConnectionOp::Join : Broker::ConnectionOp::Leave, room, 0, {},
                            [reply, id, room, join](bool found) {
                if (!found)
                    return reply.send(HttpResponse::error(404, QStringLiteral("connection_not_found"),
                                                          QStringLiteral("no connection %1 %2 room %3").arg(id).arg(join ? QStringLiteral("that may join") : QStringLiteral("in"), room)));
                reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("success"), true},
                                                          {QStringLiteral("connectionId"), QString::number(id)},
                                                          {QStringLiteral("room"), room},
                                                          {QStringLiteral("joined"), join}}));
            });
        });
    }
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

    // An emit's body is its payload (at most --max-message-size) and a small envelope.
    const qint64 emitBody = server.config().maxMessageSize + kEnvelopeBytes;
    router.limitBody(Method::Post, QStringLiteral("/api/v1/internal/emit"), emitBody);
    router.limitBody(Method::Post, QStringLiteral("/api/socket"), emitBody);
    router.limitBody(Method::Post, QStringLiteral("/api/cluster/server-side-emit"), emitBody);
}

} // namespace Switchboard
