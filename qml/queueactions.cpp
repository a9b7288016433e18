#include "queueactions.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>

#include "consolecontext.h"
#include "jsoncheck.h"
#include "server.h"

namespace Switchboard {

namespace {

/// The stored form of a payload, as the HTTP API stores it: compact JSON, scalars bare.
QByteArray storedPayload(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace

QueueActions::QueueActions(QObject *parent) : QueueActions(ConsoleContext::server(), parent)
{
}

QueueActions::QueueActions(Server *server, QObject *parent) : QObject(parent), m_server(server)
{
}

int QueueActions::defaultMaxAttempts() const
{
    return m_server ? m_server->config().queueMaxAttempts : 5;
}

QueueBackend *QueueActions::service()
{
    QueueBackend *queues = m_server ? m_server->queueBackend() : nullptr;
    return queues && queues->isRunning() ? queues : nullptr;
}

QString QueueActions::queueNameProblem(const QString &name) const
{
    if (name.isEmpty())
        return tr("Enter a queue name.");
    if (!isValidQueueName(name))
        return tr("Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -");
    return {};
}

bool QueueActions::refuse(Action action, const QString &message)
{
    done(action, false, message);
    return false;
}

void QueueActions::done(Action action, bool ok, const QString &message)
{
    m_message = message;
    m_failed = !ok;
    ++m_completed;
    Q_EMIT outcomeChanged();
    Q_EMIT finished(action, ok, message);
}

// Hands @p work the queue backend and a reply to call with its Outcome (on the backend's
// thread); @p message turns the Outcome into the text to show, here on the GUI thread.
template <typename Work, typename Message>
bool QueueActions::run(Action action, Work work, Message message)
{
    QueueBackend *queues = service();
    if (!queues)
        return refuse(action, tr("The durable queue store is not available (is the server running?)."));
    ++m_pending;
    if (m_pending == 1)
        Q_EMIT busyChanged();
    Reply reply = [self = QPointer<QueueActions>(this), action, message = std::move(message)](const Outcome &outcome) {
        if (!self)
            return;
        QMetaObject::invokeMethod(self.data(), [self, action, message, outcome] {
            if (!self)
                return;
            --self->m_pending;
            if (self->m_pending == 0)
                Q_EMIT self->busyChanged();
            self->done(action, outcome.ok && !outcome.unavailable,
                       outcome.unavailable ? tr("The durable queue store is not available (is the server running?).")
                                           : message(outcome));
        }, Qt::QueuedConnection);
    };
    work(queues, std::move(reply));
    return true;
}

bool QueueActions::enqueue(const QString &queue, const QString &payloadJson, int priority, qint64 delayMs,
                           int maxAttempts)
{
    const QString name = queue.trimmed();
    if (const QString problem = queueNameProblem(name); !problem.isEmpty())
        return refuse(Enqueue, problem);
    const JsonCheck::Result payload = JsonCheck::parse(payloadJson, false);
    if (!payload.ok) {
        return refuse(Enqueue, tr("The payload is not valid JSON (line %1, column %2): %3")
                                   .arg(payload.line).arg(payload.column).arg(payload.error));
    }
    if (priority < High || priority > Low)
        return refuse(Enqueue, tr("Choose a priority: high, normal or low."));
    if (maxAttempts == 0)
        maxAttempts = defaultMaxAttempts();
    if (maxAttempts < 1 || maxAttempts > 1000)
        return refuse(Enqueue, tr("Max attempts must be a whole number from 1 to 1000."));
    if (delayMs < 0 || delayMs > kMaxDelayMs)
        return refuse(Enqueue, tr("The delay must be from 0 to 30 days."));

    QueueMessage m;
    m.queue = name;
    m.payload = storedPayload(payload.value);
    const qint64 limit = m_server ? m_server->config().queueMaxPayload : 0;
    if (limit > 0 && m.payload.size() > limit)
        return refuse(Enqueue, tr("The payload is %1 bytes as JSON; the limit is %2.").arg(m.payload.size()).arg(limit));
    m.priority = QueuePriority(priority);
    m.maxAttempts = maxAttempts;
    m.createdAtMs = QDateTime::currentMSecsSinceEpoch();
    m.availableAtMs = m.createdAtMs + delayMs;

    return run(Enqueue,
        [m](QueueBackend *queues, const Reply &reply) {
            queues->enqueueAsync({m}, 0, [reply](const QueueBackend::Enqueued &r) {
                Outcome o;
                o.ok = r.ok;
                o.error = r.error;
                o.count = r.ok ? r.messages.constFirst().id : 0;
                reply(o);
            });
        },
        [this, name, delayMs](const Outcome &o) {
            if (!o.ok)
                return tr("Not enqueued: %1").arg(o.error);
            m_lastEnqueuedId = QString::number(o.count);
            if (delayMs > 0)
                return tr("Message %1 enqueued to %2, delayed by %3 s.").arg(o.count).arg(name).arg(double(delayMs) / 1000.0);
            return tr("Message %1 enqueued to %2.").arg(o.count).arg(name);
        });
}

bool QueueActions::retry(const QString &queue, qint64 id)
{
    if (id <= 0)
        return refuse(Retry, tr("Choose a dead letter to retry."));
    return run(Retry,
        [queue, id](QueueBackend *queues, const Reply &reply) {
            queues->retryDeadAsync(queue, id, [reply](const QueueBackend::Moved &moved) {
                Outcome o;
                o.unknownQueue = !moved.known;
                o.count = o.unknownQueue ? 0 : moved.count;
                o.ok = o.count > 0;
                reply(o);
            });
        },
        [queue, id](const Outcome &o) {
            if (o.unknownQueue)
                return tr("There is no queue named %1.").arg(queue);
            if (o.count < 0)
                return tr("The store could not move the message; see the server log.");
            if (o.count == 0)
                return tr("Message %1 is no longer in the dead letters of %2.").arg(id).arg(queue);
            return tr("Message %1 is back in %2, ready for a consumer.").arg(id).arg(queue);
        });
}

bool QueueActions::retryAll(const QString &queue)
{
    return run(RetryAll,
        [queue](QueueBackend *queues, const Reply &reply) {
            queues->retryDeadAsync(queue, 0, [reply](const QueueBackend::Moved &moved) {
                Outcome o;
                o.unknownQueue = !moved.known;
                o.count = o.unknownQueue ? 0 : moved.count;
                o.ok = !o.unknownQueue && o.count >= 0;
                reply(o);
            });
        },
        [queue](const Outcome &o) {
            if (o.unknownQueue)
                return tr("There is no queue named %1.").arg(queue);
            if (o.count < 0)
                return tr("The store could not move the messages; see the server log.");
            return tr("%n dead letter(s) of %1 moved back to ready.", "", int(o.count)).arg(queue);
        });
}

bool QueueActions::purge(const QString &queue)
{
    return run(Purge,
        [queue](QueueBackend *queues, const Reply &reply) {
            queues->purgeDeadAsync(queue, [reply](const QueueBackend::Moved &moved) {
                Outcome o;
                o.unknownQueue = !moved.known;
                o.count = o.unknownQueue ? 0 : moved.count;
                o.ok = !o.unknownQueue && o.count >= 0;
                reply(o);
            });
        },
        [queue](const Outcome &o) {
            if (o.unknownQueue)
                return tr("There is no queue named %1.").arg(queue);
            if (o.count < 0)
                return tr("The store could not purge the dead letters; see the server log.");
            return tr("%n dead letter(s) of %1 purged.", "", int(o.count)).arg(queue);
        });
}

} // namespace Switchboard
