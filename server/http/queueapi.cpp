// The durable queue routes of SPEC sections 3 and 4. Mutating routes and the dead-letter
// browser (payloads) need the internal key or the admin token; stats and health are public
// like the other stats routes.
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include "queue/queuejson.h"
#include "router.h"
#include "server.h"
#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

using Method = QHttpServerRequest::Method;
using Access = Router::Access;

constexpr int kMaxBatch = 1000;
constexpr qint64 kMaxBatchBody = 64 * 1024 * 1024;
constexpr qint64 kMaxDelayMs = 30LL * 24 * 3600 * 1000;

HttpResponse badRequest(const QString &message)
{
    return HttpResponse::error(400, QStringLiteral("invalid_request"), message);
}

HttpResponse unavailable()
{
    return HttpResponse::error(503, QStringLiteral("queue_unavailable"), QStringLiteral("the durable queue store is not available"));
}

/// The service for the queue named in the path, or a 400 / 503 in @p error. Whether the queue
/// exists is asked on the queue thread (unknownQueue()).
QueueBackend *queueFor(Server *server, const HttpRequest &req, HttpResponse *error)
{
    const QString queue = req.params.value(0);
    if (!isValidQueueName(queue)) {
        *error = HttpResponse::error(400, QStringLiteral("invalid_queue"),
                                     QStringLiteral("queue names are 1-128 characters from A-Z a-z 0-9 _ . : -"));
        return nullptr;
    }
    QueueBackend *queues = server->queueBackend();
    if (!queues) {
        *error = unavailable();
        return nullptr;
    }
    return queues;
}

HttpResponse unknownQueue(const QString &queue)
{
    return HttpResponse::error(404, QStringLiteral("unknown_queue"), QStringLiteral("no queue named %1").arg(queue));
}

/// One element of an enqueue body into a message; a 400/413 in @p error when it is not one.
bool parseMessage(const QJsonValue &value, const QString &queue, const ServerConfig &config, qint64 now,
                  QueueMessage *message, HttpResponse *error, int index)
{
    const QString where = index < 0 ? QString() : QStringLiteral("message %1: ").arg(index);
    if (!value.isObject()) {
        *error = badRequest(where + QStringLiteral("each message must be a JSON object with \"payload\""));
        return false;
    }
    const QJsonObject body = value.toObject();
    if (!body.contains(QLatin1String("payload"))) {
        *error = badRequest(where + QStringLiteral("\"payload\" is required"));
        return false;
    }
    const QJsonValue payload = body.value(QLatin1String("payload"));
    message->queue = queue;
    message->payload = payload.isObject() ? QJsonDocument(payload.toObject()).toJson(QJsonDocument::Compact)
        : payload.isArray() ? QJsonDocument(payload.toArray()).toJson(QJsonDocument::Compact)
                            : QJsonDocument(QJsonArray{payload}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    if (message->payload.size() > config.queueMaxPayload) {
        *error = HttpResponse::error(413, QStringLiteral("payload_too_large"),
                                     where + QStringLiteral("payload is %1 bytes as JSON; the limit is %2")
                                                 .arg(message->payload.size()).arg(config.queueMaxPayload));
        return false;
    }
    const QJsonValue priority = body.value(QLatin1String("priority"));
    if (!priority.isUndefined() && !priority.isNull()
        && (!priority.isString() || !parsePriority(priority.toString(), &message->priority))) {
        *error = badRequest(where + QStringLiteral("\"priority\" must be \"high\", \"normal\" or \"low\""));
        return false;
    }
    const QJsonValue maxAttempts = body.value(QLatin1String("maxAttempts"));
    message->maxAttempts = config.queueMaxAttempts;
    if (!maxAttempts.isUndefined() && !maxAttempts.isNull()) {
        const double n = maxAttempts.toDouble(-1);
        if (!maxAttempts.isDouble() || n < 1 || n > 1000 || n != double(int(n))) {
            *error = badRequest(where + QStringLiteral("\"maxAttempts\" must be a whole number from 1 to 1000"));
            return false;
        }
        message->maxAttempts = int(n);
    }
    const QJsonValue delay = body.value(QLatin1String("delayMs"));
    qint64 delayMs = 0;
    if (!delay.isUndefined() && !delay.isNull()) {
        const double d = delay.toDouble(-1);
        if (!delay.isDouble() || d < 0 || d > double(kMaxDelayMs)) {
            *error = badRequest(where + QStringLiteral("\"delayMs\" must be from 0 to %1 (30 days)").arg(kMaxDelayMs));
            return false;
        }
        delayMs = qint64(d);
    }
    message->createdAtMs = now;
    message->availableAtMs = now + delayMs;
    return true;
}


} // namespace

void registerQueueRoutes(Router &router, Server &server)
{
    Server *s = &server;

    router.add(Method::Get, QStringLiteral("/api/queue/stats"), Access::Public, [s](const HttpRequest &) {
        QueueBackend *queues = s->queueBackend();
        if (!queues)
            return unavailable();
        QJsonArray list;
        QJsonObject totals{{QStringLiteral("ready"), 0}, {QStringLiteral("inFlight"), 0},
                           {QStringLiteral("delayed"), 0}, {QStringLiteral("dead"), 0}};
        qint64 ready = 0, inFlight = 0, delayed = 0, dead = 0;
        for (const QueueStats &q : queues->stats()) {
            list.append(queueStatsJson(q));
            ready += q.ready;
            inFlight += q.inFlight;
            delayed += q.delayed;
            dead += q.dead;
        }
        return HttpResponse::json(QJsonObject{
            {QStringLiteral("queues"), list},
            {QStringLiteral("totals"), QJsonObject{{QStringLiteral("ready"), ready}, {QStringLiteral("inFlight"), inFlight},
                                                   {QStringLiteral("delayed"), delayed}, {QStringLiteral("dead"), dead},
                                                   {QStringLiteral("depth"), ready + inFlight + delayed}}}});
    });

    router.add(Method::Get, QStringLiteral("/api/queue/health"), Access::Public, [s](const HttpRequest &) {
        QueueBackend *queues = s->queueBackend();
        if (!queues || !queues->isRunning()) {
            return HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("unavailable")},
                                                  {QStringLiteral("error"), QStringLiteral("the durable queue store is not available")}},
                                      503);
        }
        const QList<QueueStats> stats = queues->stats();
        int consumers = 0;
        qint64 depth = 0, dead = 0;
        for (const QueueStats &q : stats) {
            consumers += q.consumers;
            depth += q.depth();
            dead += q.dead;
        }
        return HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                                              {QStringLiteral("store"), queues->storeDescription()},
                                              {QStringLiteral("durable"), queues->isDurable()},
                                              {QStringLiteral("queues"), int(stats.size())},
                                              {QStringLiteral("consumers"), consumers},
                                              {QStringLiteral("depth"), depth},
                                              {QStringLiteral("dead"), dead}});
    });

    // The routes below answer from the queue thread (deferred): SQLite and the queue's state
    // are never waited for on an I/O thread.

    // The 202 leaves only after the messages are committed.
    router.addDeferred(Method::Post, QStringLiteral("/api/queues/<arg>/messages"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        HttpResponse error;
        QueueBackend *queues = queueFor(s, req, &error);
        if (!queues)
            return reply.send(error);
        const QString queue = req.params.value(0);
        QString why;
        const QJsonDocument doc = Json::parse(req.raw.body(), &why);
        if (!why.isEmpty())
            return reply.send(HttpResponse::error(400, QStringLiteral("invalid_json"), why));
        // One message, an array of them, or {"messages": [...]}.
        QJsonArray batch;
        bool isBatch = doc.isArray();
        if (doc.isArray()) {
            batch = doc.array();
        } else if (doc.isObject() && doc.object().value(QLatin1String("messages")).isArray()) {
            batch = doc.object().value(QLatin1String("messages")).toArray();
            isBatch = true;
        } else if (doc.isObject()) {
            batch.append(doc.object());
        } else {
            return reply.send(badRequest(QStringLiteral("body must be a message object, an array of them or {\"messages\": [...]}")));
        }
        if (batch.isEmpty())
            return reply.send(badRequest(QStringLiteral("no messages given")));
        if (batch.size() > kMaxBatch) {
            return reply.send(HttpResponse::error(413, QStringLiteral("batch_too_large"),
                                                  QStringLiteral("%1 messages in one request; the limit is %2").arg(batch.size()).arg(kMaxBatch)));
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QList<QueueMessage> messages(batch.size());
        for (qsizetype i = 0; i < batch.size(); ++i) {
            if (!parseMessage(batch.at(i), queue, s->config(), now, &messages[i], &error, isBatch ? int(i) : -1))
                return reply.send(error);
        }
        queues->enqueueAsync(std::move(messages), 0, [queue, isBatch, reply](const QueueBackend::Enqueued &done) {
            if (done.tooManyQueues)
                return reply.send(HttpResponse::error(507, QStringLiteral("too_many_queues"), QStringLiteral("not enqueued: %1").arg(done.error)));
            if (!done.ok)
                return reply.send(HttpResponse::error(503, QStringLiteral("store_failed"), QStringLiteral("not enqueued: %1").arg(done.error)));
            const QList<QueueMessage> &messages = done.messages;
            if (!isBatch) {
                return reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("id"), QString::number(messages.constFirst().id)},
                                                                 {QStringLiteral("queue"), queue}},
                                                     202));
            }
            QJsonArray ids;
            for (const QueueMessage &m : std::as_const(messages))
                ids.append(QString::number(m.id));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("ids"), ids}, {QStringLiteral("queue"), queue}}, 202));
        });
    });

    router.addDeferred(Method::Get, QStringLiteral("/api/queues/<arg>/dlq"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        HttpResponse error;
        QueueBackend *queues = queueFor(s, req, &error);
        if (!queues)
            return reply.send(error);
        const QString queue = req.params.value(0);
        bool offsetOk = true, limitOk = true;
        const QString offsetText = req.query(QStringLiteral("offset"));
        const QString limitText = req.query(QStringLiteral("limit"));
        const int offset = offsetText.isEmpty() ? 0 : offsetText.toInt(&offsetOk);
        const int limit = limitText.isEmpty() ? 50 : limitText.toInt(&limitOk);
        if (!offsetOk || !limitOk || offset < 0 || limit < 1 || limit > 500)
            return reply.send(badRequest(QStringLiteral("offset must be >= 0 and limit from 1 to 500")));
        queues->deadLettersAsync(queue, offset, limit, [queue, offset, limit, reply](const QueueBackend::DeadPage &page) {
            if (!page.ok)
                return reply.send(HttpResponse::error(503, QStringLiteral("store_failed"), QStringLiteral("the store could not list the dead letters")));
            if (!page.known)
                return reply.send(unknownQueue(queue));
            QJsonArray list;
            for (const QueueMessage &m : page.messages)
                list.append(queueMessageJson(m));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("queue"), queue},
                                                      {QStringLiteral("total"), page.total},
                                                      {QStringLiteral("offset"), offset},
                                                      {QStringLiteral("limit"), limit},
                                                      {QStringLiteral("messages"), list}}));
        });
    });

    router.addDeferred(Method::Post, QStringLiteral("/api/queues/<arg>/dlq/retry"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        HttpResponse error;
        QueueBackend *queues = queueFor(s, req, &error);
        if (!queues)
            return reply.send(error);
        const QString queue = req.params.value(0);
        QJsonObject body;
        if (!req.jsonBody(&body, &error))
            return reply.send(error);
        const QJsonValue idValue = body.value(QLatin1String("id"));
        const bool all = body.value(QLatin1String("all")).toBool();
        qint64 id = 0;
        if (idValue.isString() || idValue.isDouble()) {
            bool ok = idValue.isDouble();
            id = idValue.isDouble() ? Json::toInt64(idValue.toDouble(), -1) : idValue.toString().toLongLong(&ok);
            if (!ok || id <= 0)
                return reply.send(badRequest(QStringLiteral("\"id\" must be a message id")));
        }
        if ((id != 0) == all)
            return reply.send(badRequest(QStringLiteral("give either \"id\" of one dead letter or \"all\": true")));
        queues->retryDeadAsync(queue, id, [queue, id, reply](const QueueBackend::Moved &moved) {
            if (!moved.known)
                return reply.send(unknownQueue(queue));
            const qint64 retried = moved.count;
            if (retried < 0)
                return reply.send(HttpResponse::error(503, QStringLiteral("store_failed"), QStringLiteral("the store could not move the messages")));
            if (id != 0 && retried == 0) {
                return reply.send(HttpResponse::error(404, QStringLiteral("not_found"),
                                                      QStringLiteral("message %1 is not in the dead-letter list of %2").arg(id).arg(queue)));
            }
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("queue"), queue}, {QStringLiteral("retried"), retried}}));
        });
    });

    router.addDeferred(Method::Delete, QStringLiteral("/api/queues/<arg>/dlq"), Access::Admin,
                       [s](const HttpRequest &req, const Responder &reply) {
        HttpResponse error;
        QueueBackend *queues = queueFor(s, req, &error);
        if (!queues)
            return reply.send(error);
        const QString queue = req.params.value(0);
        queues->purgeDeadAsync(queue, [queue, reply](const QueueBackend::Moved &moved) {
            if (!moved.known)
                return reply.send(unknownQueue(queue));
            const qint64 purged = moved.count;
            if (purged < 0)
                return reply.send(HttpResponse::error(503, QStringLiteral("store_failed"), QStringLiteral("the store could not purge the dead letters")));
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("queue"), queue}, {QStringLiteral("purged"), purged}}));
        });
    });

    // A batch of kMaxBatch messages of the largest payload, each with its JSON around it, but
    // no more than kMaxBatchBody: 1,000 messages of 256 KiB would be one 256 MB buffer.
    router.limitBody(Method::Post, QStringLiteral("/api/queues/<arg>/messages"),
                     qMin((server.config().queueMaxPayload + 1024) * kMaxBatch, kMaxBatchBody));
}

} // namespace Switchboard
