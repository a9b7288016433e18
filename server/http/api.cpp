// The HTTP API of SPEC section 3 (the queue routes are in queueapi.cpp).
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QMutex>

#include <optional>

#include "cluster/presence.h"
#include "metrics/metricsjson.h"
#include "protocol/emitjson.h"
#include "protocol/eventtext.h"
#include "protocol/messages.h"
#include "protocol/strictjson.h"
#include "rooms/ackwaits.h"
#include "rooms/socketidroom.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

namespace {

using Method = QHttpServerRequest::Method;
using Access = Router::Access;


HttpResponse emitResponse(const EmitResult &result, const PublishOutcome *cluster = nullptr,
                          const QJsonObject *acks = nullptr)
{
    if (result.overloaded)
        return HttpResponse::error(503, QStringLiteral("overloaded"), result.error);
    if (result.invalid)
        return HttpResponse::error(400, result.code.isEmpty() ? QStringLiteral("invalid_request") : result.code, result.error);
    if (result.code == QLatin1String("payload_too_large"))
        return HttpResponse::error(413, result.code, result.error);
    if (!result.error.isEmpty())
        return HttpResponse::error(503, QStringLiteral("unavailable"), result.error);
    if (result.offlineDropped <= 0 && !cluster && !acks) {
        // The common answer, written without a QJsonObject (building and serialising one
        // was a sixth of an ingest request's instructions): the same bytes QJsonDocument
        // writes, keys in its order.
        QByteArray body;
        body.reserve(64 + result.id.size());
        body += "{\"delivered\":";
        body += QByteArray::number(result.delivered);
        body += ",\"id\":";
        Protocol::appendJsonString(body, result.id);
        body += result.persisted ? ",\"persisted\":true,\"success\":true}" : ",\"persisted\":false,\"success\":true}";
        return {200, body};
    }
    QJsonObject body{{QStringLiteral("success"), true},
                     {QStringLiteral("delivered"), result.delivered},
                     {QStringLiteral("persisted"), result.persisted},
                     {QStringLiteral("id"), result.id}};
    if (result.offlineDropped > 0)
        body.insert(QStringLiteral("droppedOldest"), result.offlineDropped);
    if (cluster) {
        // Delivered here; published (or not) to the other nodes, which count their own.
        QJsonObject c{{QStringLiteral("published"), cluster->published}, {QStringLiteral("nodes"), cluster->nodes}};
        if (!cluster->error.isEmpty())
            c.insert(QStringLiteral("error"), cluster->error);
        body.insert(QStringLiteral("cluster"), c);
    }
    if (acks) {
        // "waitMs": the acks collected (rooms/ackwaits.h); "delivered" counts every node's.
        for (auto it = acks->begin(); it != acks->end(); ++it)
            body.insert(it.key(), it.value());
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
    std::optional<QJsonObject> acks;

    void settle(const std::function<void(PendingEmit &)> &update)
    {
        QMutexLocker locker(&lock);
        update(*this);
        if (--waiting == 0)
            reply.send(emitResponse(result, cluster ? &*cluster : nullptr, acks ? &*acks : nullptr));
    }
};

/// POST /api/socket: one emit, or one per target user, answered once every publish to the
/// cluster is done. "cluster" sums them: published only if all were, the most nodes any
/// reached, the first error.
struct LegacyEmit
{
    Responder reply;
    QRecursiveMutex lock;
    int waiting = 1;
    bool clustered = false;
    bool perUser = false;
    EmitResult result;
    int outcomes = 0;
    PublishOutcome cluster;

    void add(const PublishOutcome &outcome)
    {
        cluster.published = (outcomes++ == 0 || cluster.published) && outcome.published;
        cluster.nodes = qMax(cluster.nodes, outcome.nodes);
        if (cluster.error.isEmpty())
            cluster.error = outcome.error;
    }

    void settle(const std::function<void(LegacyEmit &)> &update)
    {
        QMutexLocker<QRecursiveMutex> locker(&lock);
        update(*this);
        if (--waiting != 0)
            return;
        const PublishOutcome *c = clustered && outcomes > 0 ? &cluster : nullptr;
        if (!perUser || !result.error.isEmpty())
            return reply.send(emitResponse(result, c));
        QJsonObject body{{QStringLiteral("success"), true}, {QStringLiteral("delivered"), result.delivered}};
        if (c) {
            QJsonObject o{{QStringLiteral("published"), c->published}, {QStringLiteral("nodes"), c->nodes}};
            if (!c->error.isEmpty())
                o.insert(QStringLiteral("error"), c->error);
            body.insert(QStringLiteral("cluster"), o);
        }
        reply.send(HttpResponse::json(body));
    }
};

/// "waitMs" of an acked emit: absent (0), or 1..--max-ack-wait-ms; -1 with @p why when wrong.
int ackWaitOf(const QJsonObject &body, const ServerConfig &config, QString *why)
{
    const QJsonValue value = body.value(QLatin1String("waitMs"));
    if (value.isUndefined() || value.isNull())
        return 0;
    const double ms = value.toDouble(-1);
    if (!value.isDouble() || ms != double(qint64(ms)) || ms < 1 || ms > config.maxAckWaitMs) {
        *why = QStringLiteral("\"waitMs\" must be a whole number of milliseconds from 1 to %1 (--max-ack-wait-ms)").arg(config.maxAckWaitMs);
        return -1;
    }
    if (!body.value(QLatin1String("ack")).toBool()) {
        *why = QStringLiteral("\"waitMs\" waits for acks: it needs \"ack\": true");
        return -1;
    }
    return int(ms);
}

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

/// GET /api/events: rows returned unless "limit" says otherwise, and at most.
constexpr int kDefaultEvents = 100;
constexpr int kMaxEvents = 1000;

/// Room, event, targets and the JSON around an emit's payload.
constexpr qint64 kEnvelopeBytes = 64 * 1024;

} // namespace

void registerApiRoutes(Router &router, Server &server)
{
    Server *s = &server;
    registerQueueRoutes(router, server);
    registerAdminRoutes(router, server);

    router.add(Method::Get, QStringLiteral("/health"), Access::Public, [s](const HttpRequest &) {
        const QJsonObject health = s->healthJson();
        return HttpResponse::json(health, health.value(QLatin1String("status")) == QLatin1String("draining") ? 503 : 200);
    });
    // Readiness: 503 until the node can take clients (docs/operations.md, "Health and readiness").
    router.add(Method::Get, QStringLiteral("/ready"), Access::Public, [s](const HttpRequest &) {
        const QJsonObject ready = s->readyJson();
        return HttpResponse::json(ready, ready.value(QLatin1String("ready")).toBool() ? 200 : 503);
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
        const int waitMs = ackWaitOf(body, s->config(), &why);
        if (waitMs < 0)
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), why));
        // One answer once the offline store (persist), the cluster publish and the clients'
        // acks (waitMs) are done.
        auto pending = std::make_shared<PendingEmit>();
        pending->reply = reply;
        pending->waiting = 1;
        AckWaits &acks = s->ackWaits();
        if (waitMs > 0) {
            if (request.id.isEmpty())
                request.id = Server::newId();
            request.ackTargets = true;
            const auto opened = acks.open(request.id, waitMs, [pending](const QJsonObject &collected) {
                pending->settle([collected](PendingEmit &p) { p.acks = collected; });
            }, reply.ackProgress());
            if (opened == AckWaits::Opened::Full)
                return reply.send(HttpResponse::error(503, QStringLiteral("too_many_ack_waits"),
                                                      QStringLiteral("%1 emits are waiting for acks already (--max-ack-waits); retry later").arg(s->config().maxAckWaits)));
            if (opened == AckWaits::Opened::Duplicate)
                return reply.send(HttpResponse::error(409, QStringLiteral("duplicate_id"),
                                                      QStringLiteral("an emit with id %1 is waiting for its acks already").arg(request.id)));
            pending->waiting += 1;
        }
        const QString id = request.id;
        request.whenPersisted = [pending](const EmitResult &result) {
            pending->settle([result](PendingEmit &p) { p.result = result; });
        };
        if (s->broker().isClustered()) {
            request.whenPublished = [pending, &acks, id, waitMs](const PublishOutcome &outcome) {
                if (waitMs > 0) // the nodes it reached report the sockets they handed it to
                    acks.expectReports(id, outcome.published ? outcome.switchboardNodes : 0);
                pending->settle([outcome](PendingEmit &p) { p.cluster = outcome; });
            };
        }
        EmitResult result;
        {
            QMutexLocker locker(&pending->lock);
            result = s->emitEvent(std::move(request));
            pending->waiting += int(result.persistPending) + int(result.publishPending);
            if (!result.persistPending)
                pending->result = result;
        }
        if (waitMs > 0) // not under the pending lock: a wait that is complete answers at once
            acks.emitted(id, result);
        pending->settle([](PendingEmit &) {});
    });
    router.add(Method::Get, QStringLiteral("/api/socket"), Access::Public, [s](const HttpRequest &) {
        return HttpResponse::json(QJsonObject{{QStringLiteral("status"), s->isRunning() ? QStringLiteral("running") : QStringLiteral("stopped")},
                                              {QStringLiteral("connections"), s->registry().connectionCount()},
                                              {QStringLiteral("users"), s->registry().userCount()},
                                              {QStringLiteral("endpoint"), s->wsUrl()}});
    });
    // Deferred in cluster mode: answered once every emit's publish to the other nodes is
    // (or is not), with the same "cluster" field as /api/v1/internal/emit (review A12).
    router.addDeferred(Method::Post, QStringLiteral("/api/socket"), Access::Admin, [s](const HttpRequest &req, const Responder &reply) {
        QJsonObject body;
        HttpResponse error;
        if (!req.jsonBody(&body, &error))
            return reply.send(error);
        const QJsonObject event = body.value(QLatin1String("event")).toObject();
        const QString type = event.value(QLatin1String("type")).toString();
        if (type.isEmpty())
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"event.type\" must be a non-empty string")));
        const QJsonValue targets = body.value(QLatin1String("targetUsers"));
        if (!targets.isUndefined() && !targets.isNull() && !targets.isArray())
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"targetUsers\" must be an array of user ids")));
        EmitRequest request;
        request.event = type;
        request.payload = QJsonObject{{QStringLiteral("action"), event.value(QLatin1String("action"))},
                                      {QStringLiteral("data"), body.value(QLatin1String("data"))}};
        auto pending = std::make_shared<LegacyEmit>();
        pending->reply = reply;
        pending->clustered = s->broker().isClustered();
        const QJsonArray users = targets.toArray();
        QMutexLocker<QRecursiveMutex> locker(&pending->lock);
        auto emitOne = [&](EmitRequest r) {
            if (pending->clustered) {
                r.whenPublished = [pending](const PublishOutcome &outcome) {
                    pending->settle([outcome](LegacyEmit &p) { p.add(outcome); });
                };
            }
            // Counted before: a publish refused at once answers inside emitEvent (hence
            // the recursive lock), and the final settle() keeps "waiting" above zero here.
            pending->waiting += 1;
            const EmitResult result = s->emitEvent(std::move(r));
            pending->waiting -= int(!result.publishPending);
            return result;
        };
        if (users.isEmpty()) {
            request.target = EmitRequest::Target::Broadcast;
            pending->result = emitOne(request);
        } else {
            for (const QJsonValue &user : users) {
                request.target = EmitRequest::Target::User;
                request.userId = Json::idText(user);
                request.id.clear();
                const EmitResult result = emitOne(request);
                if (!result.error.isEmpty()) {
                    pending->result = result;
                    break;
                }
                pending->result.delivered += result.delivered;
            }
            pending->perUser = true;
        }
        locker.unlock();
        pending->settle([](LegacyEmit &) {});
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
            if (join && SocketIdRoom::isReserved(room) && SocketIdRoom::connectionId(room) != id)
                return reply.send(HttpResponse::error(400, QStringLiteral("invalid_room"),
                                                      QStringLiteral("room names of 10 to 20 digits are reserved: they name connections (socket ids)")));
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

    // The headless audit trail (docs/hooks.md): the recent event log the console shows,
    // filtered, newest last.
    router.add(Method::Get, QStringLiteral("/api/events"), Access::Admin, [s](const HttpRequest &req) {
        const QString room = req.query(QStringLiteral("room"));
        const QString user = req.query(QStringLiteral("user"));
        bool ok = true;
        const QString sinceText = req.query(QStringLiteral("since"));
        const qint64 since = sinceText.isEmpty() ? 0 : sinceText.toLongLong(&ok);
        if (!ok || since < 0)
            return HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"since\" must be a time in milliseconds since the epoch"));
        const QString limitText = req.query(QStringLiteral("limit"));
        const int limit = limitText.isEmpty() ? kDefaultEvents : limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxEvents)
            return HttpResponse::error(400, QStringLiteral("invalid_request"), QStringLiteral("\"limit\" must be from 1 to %1").arg(kMaxEvents));
        const QList<EventLog::Entry> all = s->eventLog().since(0);
        QJsonArray events;
        // Newest first while filtering, so the limit keeps the most recent ones.
        for (auto it = all.crbegin(); it != all.crend() && events.size() < limit; ++it) {
            if (it->timestampMs <= since)
                break;
            if ((!room.isEmpty() && it->room != room) || (!user.isEmpty() && it->userId != user))
                continue;
            events.prepend(eventLogEntryJson(*it));
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("events"), events},
                                              {QStringLiteral("count"), events.size()},
                                              {QStringLiteral("skipped"), qint64(s->eventLog().skipped())}});
    });

    // An emit's body is its payload (at most --max-message-size) and a small envelope.
    const qint64 emitBody = server.config().maxMessageSize + kEnvelopeBytes;
    router.limitBody(Method::Post, QStringLiteral("/api/v1/internal/emit"), emitBody);
    router.limitBody(Method::Post, QStringLiteral("/api/socket"), emitBody);
    router.limitBody(Method::Post, QStringLiteral("/api/cluster/server-side-emit"), emitBody);
}

} // namespace Switchboard
