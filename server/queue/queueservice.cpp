#include "queueservice.h"

#include <QtCore/QDateTime>

#include "core/config.h"
#include "core/logging.h"
#include "server.h"

namespace Switchboard {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QueueEngine::Options engineOptions(const ServerConfig &config)
{
    QueueEngine::Options options;
    options.backoffBaseMs = config.queueBackoffBaseMs;
    options.backoffCapMs = config.queueBackoffCapMs;
    options.visibilityTimeoutMs = config.queueVisibilityTimeoutMs;
    return options;
}

} // namespace

QueueService::QueueService(Server &server, const ServerConfig &config, std::unique_ptr<QueueStore> store)
    : m_server(server), m_store(std::move(store)), m_engine(engineOptions(config)), m_idleTtlMs(config.queueIdleTtlMs)
{
    m_thread.setObjectName(QStringLiteral("switchboard-queues"));
    m_wakeTimer = new QTimer(this);
    m_wakeTimer->setSingleShot(true);
    m_wakeTimer->setTimerType(Qt::PreciseTimer);
    connect(m_wakeTimer, &QTimer::timeout, this, &QueueService::pump);
    m_rateTimer = new QTimer(this);
    m_rateTimer->setInterval(1000);
    connect(m_rateTimer, &QTimer::timeout, this, &QueueService::sampleRates);
}

QueueService::~QueueService()
{
    stop();
}

bool QueueService::start(QString *error)
{
    if (isRunning())
        return true;
    m_storeDescription = m_store->description();
    m_durable = m_store->isDurable();
    // The store is opened here and then used only on the queue thread: Qt SQL connections
    // belong to the thread that uses them, so it is opened from there.
    moveToThread(&m_thread);
    m_thread.start();
    QString openError;
    const bool ok = call([this, &openError] {
        if (!m_store->open(&openError))
            return false;
        const qint64 now = nowMs();
        qint64 live = 0;
        QList<QueueMessage> exhausted;
        const bool loaded = m_store->load([this](const QString &queue) { m_engine.ensureQueue(queue); },
                                          [this, now, &live, &exhausted](const QueueMessage &m) {
                                              // Out with a consumer when the process died, on its last attempt:
                                              // a job that crashes the server ends in the dead letters too.
                                              if (m.attempts >= m.maxAttempts) {
                                                  exhausted << m;
                                                  return;
                                              }
                                              m_engine.add(m, now);
                                              ++live;
                                          },
                                          &openError);
        if (!loaded)
            return false;
        if (!exhausted.isEmpty()) {
            m_store->begin();
            for (const QueueMessage &m : std::as_const(exhausted))
                m_store->bury(m.id, m.attempts, QStringLiteral("in flight on its last attempt when the server stopped"), now);
            if (!m_store->commit(&openError))
                return false;
            qCWarning(lcQueue) << exhausted.size() << "messages were in flight on their last attempt at a crash; dead-lettered";
        }
        const QHash<QString, qint64> dead = m_store->deadCounts();
        for (auto it = dead.cbegin(); it != dead.cend(); ++it)
            m_engine.setDeadCount(it.key(), it.value());
        qCInfo(lcQueue).noquote() << "queues ready on" << m_store->description() << "with" << live << "live messages";
        m_lastTotalsAtMs = nowMs();
        m_rateTimer->start();
        startIdleSweep();
        publishStats();
        schedulePump();
        return true;
    });
    if (!ok) {
        *error = openError;
        call([this] { m_store->close(); });
        m_thread.quit();
        m_thread.wait();
        return false;
    }
    m_running.store(true, std::memory_order_release);
    return true;
}

void QueueService::stop()
{
    if (!m_thread.isRunning())
        return;
    m_running.store(false, std::memory_order_release);
    // Runs after everything already posted (consumers that went away while the I/O threads
    // stopped), so their jobs are rescheduled before the last commit.
    call([this] {
        pump();
        QString error;
        if (!commitPending(&error))
            qCWarning(lcQueue).noquote() << "last queue commit failed:" << error;
        m_wakeTimer->stop();
        m_rateTimer->stop();
        if (m_idleTimer)
            m_idleTimer->stop();
        m_store->close();
        moveToThread(m_thread.thread());
    });
    m_thread.quit();
    m_thread.wait();
}

bool QueueService::commitPending(QString *error)
{
    return m_store->commit(error);
}

bool QueueService::enqueue(QList<QueueMessage> &messages, QString *error)
{
    if (!isRunning()) {
        *error = QStringLiteral("the queue store is not running");
        return false;
    }
    return call([this, &messages, error] {
        if (messages.isEmpty())
            return true;
        m_store->begin();
        const QString &queue = messages.constFirst().queue;
        if ((!m_engine.hasQueue(queue) && !m_store->addQueue(queue, error)) || !m_store->insert(messages, error)) {
            m_store->rollback();
            return false;
        }
        // Commits the acks and retries grouped so far too; the reply waits for this commit.
        if (!commitPending(error))
            return false;
        const qint64 now = nowMs();
        for (const QueueMessage &m : std::as_const(messages))
            m_engine.add(m, now);
        m_engine.countEnqueued(queue, quint64(messages.size()));
        schedulePump();
        return true;
    });
}

void QueueService::enqueueAsync(QList<QueueMessage> messages, qint64 maxDepth, std::function<void(const Enqueued &)> done)
{
    run([this, messages = std::move(messages), maxDepth, done = std::move(done)]() mutable {
        Enqueued result;
        result.messages = std::move(messages);
        if (maxDepth > 0 && !result.messages.isEmpty()) {
            const QString &queue = result.messages.constFirst().queue;
            result.depth = m_engine.depth(queue);
            if (result.depth + result.messages.size() > maxDepth) {
                result.full = true;
                result.error = QStringLiteral("queue %1 holds %2 messages (at most %3)").arg(queue).arg(result.depth).arg(maxDepth);
                done(result);
                return;
            }
        }
        result.ok = enqueue(result.messages, &result.error);
        done(result);
    });
}

QList<QueueMessage> QueueService::deadLetters(const QString &queue, int offset, int limit, qint64 *total)
{
    *total = 0;
    if (!isRunning())
        return {};
    return call([&] {
        const auto stats = m_engine.stats();
        *total = 0;
        for (const QueueStats &s : stats) {
            if (s.name == queue)
                *total = s.dead;
        }
        return m_store->dead(queue, offset, limit);
    });
}

qint64 QueueService::retryDead(const QString &queue, qint64 id)
{
    if (!isRunning())
        return -1;
    return call([&] {
        m_store->begin();
        const qint64 now = nowMs();
        const QList<QueueMessage> revived = m_store->revive(queue, id, now);
        QString error;
        if (!commitPending(&error)) {
            qCWarning(lcQueue).noquote() << "retrying dead letters failed:" << error;
            return qint64(-1);
        }
        for (const QueueMessage &m : revived)
            m_engine.add(m, now);
        m_engine.addDead(queue, -qint64(revived.size()));
        schedulePump();
        return qint64(revived.size());
    });
}

qint64 QueueService::purgeDead(const QString &queue)
{
    if (!isRunning())
        return -1;
    return call([&] {
        m_store->begin();
        const qint64 purged = m_store->purgeDead(queue);
        QString error;
        if (purged < 0 || !commitPending(&error)) {
            qCWarning(lcQueue).noquote() << "purging dead letters failed:" << error;
            return qint64(-1);
        }
        m_engine.setDeadCount(queue, 0);
        publishStats();
        return purged;
    });
}

void QueueService::consumeIfKnown(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs,
                                  bool mayWait, std::function<void(ConsumeAnswer)> answer)
{
    QMetaObject::invokeMethod(this, [=, this, answer = std::move(answer)] {
        const bool subscribe = mayWait || m_engine.hasQueue(queue);
        if (subscribe)
            m_engine.subscribe(consumer, queue, prefetch, visibilityTimeoutMs);
        // Before the pump: the consumer hears "consuming" before its first job.
        answer(subscribe ? ConsumeAnswer::Subscribed : ConsumeAnswer::UnknownQueue);
        if (subscribe)
            schedulePump();
    }, Qt::QueuedConnection);
}

void QueueService::cancel(quint64 consumer, const QString &queue, std::function<void()> done)
{
    QMetaObject::invokeMethod(this, [=, this] {
        m_engine.unsubscribe(consumer, queue);
        if (done)
            done();
        schedulePump();
    }, Qt::QueuedConnection);
}

void QueueService::settle(quint64 consumer, const QString &queue, qint64 id, bool ok, const QString &error)
{
    QMetaObject::invokeMethod(this, [=, this] {
        const auto outcome = m_engine.settle(consumer, queue, id, ok, error, nowMs());
        if (!outcome) {
            // Too late (the visibility timeout gave the job to someone else) or not theirs.
            m_lateSettles.fetch_add(1, std::memory_order_relaxed);
            qCDebug(lcQueue) << "ignoring" << (ok ? "ack" : "nack") << "of job" << id << "from consumer" << consumer;
            return;
        }
        persist({*outcome});
        schedulePump();
    }, Qt::QueuedConnection);
}

void QueueService::consumerGone(quint64 consumer)
{
    QMetaObject::invokeMethod(this, [=, this] {
        persist(m_engine.consumerGone(consumer, nowMs()));
        schedulePump();
    }, Qt::QueuedConnection);
}

void QueueService::persist(const QList<QueueEngine::Outcome> &outcomes)
{
    if (outcomes.isEmpty())
        return;
    m_store->begin();
    const qint64 now = nowMs();
    for (const QueueEngine::Outcome &o : outcomes) {
        switch (o.kind) {
        case QueueEngine::Outcome::Kind::Acked:
            m_store->remove(o.id);
            break;
        case QueueEngine::Outcome::Kind::Retry:
            m_store->reschedule(o.id, o.attempts, o.availableAtMs, o.error);
            break;
        case QueueEngine::Outcome::Kind::Dead:
            m_store->bury(o.id, o.attempts, o.error, now);
            qCInfo(lcQueue).noquote() << "message" << o.id << "of" << o.queue << "dead-lettered after"
                                      << o.attempts << "attempts:" << o.error;
            if (m_deadLetterSink)
                m_deadLetterSink(o.queue, o.id, o.attempts, o.error);
            break;
        }
    }
}

void QueueService::schedulePump()
{
    // One pump per loop turn, after every settle and enqueue that arrived in that turn.
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(this, &QueueService::pump, Qt::QueuedConnection);
}

void QueueService::pump()
{
    m_pumpScheduled = false;
    const qint64 now = nowMs();
    persist(m_engine.expire(now));
    const QList<QueueEngine::Delivery> deliveries = m_engine.dispatch(now);
    if (!deliveries.isEmpty())
        m_store->begin();
    for (const QueueEngine::Delivery &d : deliveries) {
        // The attempt is counted durably, so a job that crashes the process still reaches
        // its dead-letter list after maxAttempts restarts.
        m_store->setAttempts(d.id, d.attempt);
        deliver(d);
    }
    QString error;
    if (!commitPending(&error))
        qCWarning(lcQueue).noquote() << "queue commit failed:" << error;
    const qint64 next = m_engine.nextWakeMs();
    if (next > 0)
        m_wakeTimer->start(int(std::clamp<qint64>(next - nowMs(), 0, 60000)));
    else
        m_wakeTimer->stop();
    publishStats();
}

void QueueService::deliver(const QueueEngine::Delivery &d)
{
    const QByteArray payload = m_store->payload(d.id);
    // Queue names are restricted to [A-Za-z0-9_.:-] and payloads are stored as compact JSON,
    // so the frame is put together without a second parse.
    const QString frame = QStringLiteral("{\"type\":\"job\",\"queue\":\"%1\",\"id\":\"%2\",\"data\":%3,\"attempt\":%4}")
                              .arg(d.queue, QString::number(d.id),
                                   payload.isEmpty() ? QStringLiteral("null") : QString::fromUtf8(payload))
                              .arg(d.attempt);
    m_server.deliverJob(d.consumer, d.queue, d.id, frame);
}

void QueueService::publishStats()
{
    QList<QueueStats> stats = m_engine.stats();
    QMutexLocker lock(&m_statsMutex);
    // The rates are sampled once a second (sampleRates); carry them over.
    QHash<QString, const QueueStats *> previous;
    previous.reserve(m_stats.size());
    for (const QueueStats &old : std::as_const(m_stats))
        previous.insert(old.name, &old);
    for (QueueStats &s : stats) {
        if (const QueueStats *old = previous.value(s.name)) {
            s.enqueuedPerSec = old->enqueuedPerSec;
            s.ackedPerSec = old->ackedPerSec;
            s.nackedPerSec = old->nackedPerSec;
            s.deadLetteredPerSec = old->deadLetteredPerSec;
        }
    }
    m_stats = std::move(stats);
}

void QueueService::sampleRates()
{
    const qint64 now = nowMs();
    const double seconds = qMax<qint64>(1, now - m_lastTotalsAtMs) / 1000.0;
    m_lastTotalsAtMs = now;
    QList<QueueStats> stats = m_engine.stats();
    for (QueueStats &s : stats) {
        const QueueStats last = m_lastTotals.value(s.name);
        s.enqueuedPerSec = double(s.enqueued - last.enqueued) / seconds;
        s.ackedPerSec = double(s.acked - last.acked) / seconds;
        s.nackedPerSec = double(s.nacked - last.nacked) / seconds;
        s.deadLetteredPerSec = double(s.deadLettered - last.deadLettered) / seconds;
        m_lastTotals.insert(s.name, s);
    }
    QMutexLocker lock(&m_statsMutex);
    m_stats = std::move(stats);
}

QList<QueueStats> QueueService::stats() const
{
    QMutexLocker lock(&m_statsMutex);
    return m_stats;
}

void QueueService::startIdleSweep()
{
    if (m_idleTtlMs <= 0)
        return;
    if (!m_idleTimer) {
        m_idleTimer = new QTimer(this);
        connect(m_idleTimer, &QTimer::timeout, this, &QueueService::sweepIdle);
    }
    // A queue goes within [ttl, ttl + interval] of becoming idle; a minute at most.
    m_idleTimer->start(int(std::clamp<qint64>(m_idleTtlMs / 4, 10, 60000)));
}

void QueueService::sweepIdle()
{
    const QStringList idle = m_engine.removeIdle(nowMs(), m_idleTtlMs);
    if (idle.isEmpty())
        return;
    m_store->begin();
    QString error;
    for (const QString &queue : idle) {
        if (!m_store->removeQueue(queue, &error))
            qCWarning(lcQueue).noquote() << "cannot forget idle queue" << queue << error;
        m_lastTotals.remove(queue);
    }
    if (!commitPending(&error))
        qCWarning(lcQueue).noquote() << "queue commit failed:" << error;
    qCInfo(lcQueue).noquote() << "removed" << idle.size() << "idle queues, e.g." << idle.constFirst();
    publishStats();
}

void QueueService::deadLettersAsync(const QString &queue, int offset, int limit, std::function<void(const DeadPage &)> done)
{
    run([this, queue, offset, limit, done = std::move(done)] {
        DeadPage page;
        page.known = hasQueue(queue);
        if (page.known)
            page.messages = deadLetters(queue, offset, limit, &page.total);
        done(page);
    });
}

void QueueService::retryDeadAsync(const QString &queue, qint64 id, std::function<void(const Moved &)> done)
{
    run([this, queue, id, done = std::move(done)] {
        Moved moved;
        moved.known = hasQueue(queue);
        if (moved.known)
            moved.count = retryDead(queue, id);
        done(moved);
    });
}

void QueueService::purgeDeadAsync(const QString &queue, std::function<void(const Moved &)> done)
{
    run([this, queue, done = std::move(done)] {
        Moved moved;
        moved.known = hasQueue(queue);
        if (moved.known)
            moved.count = purgeDead(queue);
        done(moved);
    });
}

bool QueueService::hasQueue(const QString &queue)
{
    // Not running = its thread may be gone: a blocking call would never return.
    return isRunning() && call([&] { return m_engine.hasQueue(queue); });
}

} // namespace Switchboard
