#include "queueactions.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>

#include "consolecontext.h"
#include "jsoncheck.h"
#include "queue/queuejson.h"

namespace Switchboard {

QueueActions::QueueActions(QObject *parent) : QueueActions(ConsoleContext::source(), parent)
{
}

QueueActions::QueueActions(Server *server, QObject *parent) : QObject(parent), m_source(server)
{
    init();
}

QueueActions::QueueActions(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
    init();
}

void QueueActions::init()
{
}

int QueueActions::defaultMaxAttempts() const
{
    return m_source ? m_source->settings().queueMaxAttempts : 5;
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

// Runs admin action @p name through the source (locally on the queue thread, remotely on the
// node); @p message turns its Outcome into the text to show.
template <typename Message>
bool QueueActions::run(Action action, const QString &name, const QJsonObject &args, Message message)
{
    if (!m_source || !m_source->queueInfo().available)
        return refuse(action, tr("The durable queue store is not available (is the server running?)."));
    if (!m_source->allows(name))
        return refuse(action, tr("Your role may not do this (%1).").arg(name));
    ++m_pending;
    if (m_pending == 1)
        Q_EMIT busyChanged();
    const QPointer<QueueActions> guard(this);
    const bool sent = m_source->action(name, args, [guard, action, message = std::move(message)](const SourceResult &r) {
        if (!guard)
            return;
        --guard->m_pending;
        if (guard->m_pending == 0)
            Q_EMIT guard->busyChanged();
        Outcome o;
        o.ok = r.ok;
        o.unknownQueue = r.result == QLatin1String("not_found");
        o.unavailable = r.data.value(QLatin1String("unavailable")).toBool();
        o.error = r.message;
        for (const char *key : {"count", "retried", "purged", "id"}) {
            if (r.data.contains(QLatin1String(key))) {
                o.count = r.data.value(QLatin1String(key)).toVariant().toLongLong();
                break;
            }
        }
        if (action == Retry)
            o.ok = o.ok && o.count > 0; // nothing moved: the message was no longer dead
        if (o.unavailable)
            return guard->done(action, false, tr("The durable queue store is not available (is the server running?)."));
        // Refused by the node (role, token, bad arguments): its reason, as it gave it.
        if (!r.ok && !o.unknownQueue && r.result != QLatin1String("error"))
            return guard->done(action, false, tr("Refused (%1): %2").arg(r.result, r.message));
        guard->done(action, o.ok, message(o));
    });
    if (!sent) {
        --m_pending;
        if (m_pending == 0)
            Q_EMIT busyChanged();
        return refuse(action, tr("Not connected to the node."));
    }
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

    const QByteArray stored = storedPayload(payload.value);
    const qint64 limit = m_source ? m_source->settings().queueMaxPayload : 0;
    if (limit > 0 && stored.size() > limit)
        return refuse(Enqueue, tr("The payload is %1 bytes as JSON; the limit is %2.").arg(stored.size()).arg(limit));
    const QJsonObject args{{QStringLiteral("queue"), name},
                           {QStringLiteral("payload"), payload.value},
                           {QStringLiteral("priority"), priorityName(QueuePriority(priority))},
                           {QStringLiteral("maxAttempts"), maxAttempts},
                           {QStringLiteral("delayMs"), delayMs}};
    return run(Enqueue, QStringLiteral("enqueue"), args,
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
    return run(Retry, QStringLiteral("retry_dead"), {{QStringLiteral("queue"), queue}, {QStringLiteral("id"), id}},
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
    return run(RetryAll, QStringLiteral("retry_dead"), {{QStringLiteral("queue"), queue}, {QStringLiteral("id"), 0}},
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
    return run(Purge, QStringLiteral("purge_dead"), {{QStringLiteral("queue"), queue}},
        [queue](const Outcome &o) {
            if (o.unknownQueue)
                return tr("There is no queue named %1.").arg(queue);
            if (o.count < 0)
                return tr("The store could not purge the dead letters; see the server log.");
            return tr("%n dead letter(s) of %1 purged.", "", int(o.count)).arg(queue);
        });
}

} // namespace Switchboard
