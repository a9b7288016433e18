#include "redisqueuebackend.h"

#include <algorithm>
#include <utility>

#include <QtCore/QDateTime>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>
#include <QtCore/QUuid>

#include "core/config.h"
#include "core/logging.h"
#include "roundrobin.h"

namespace Switchboard {

namespace Scripts = RedisQueueScripts;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray num(qint64 v)
{
    return QByteArray::number(v);
}

double randomUnit()
{
    return QRandomGenerator::global()->generateDouble();
}

/// Errors of the connection (down, cut off, overloaded, Redis still loading its data), after
/// which an ack or a nack is sent again; a script's own error is not.
bool isTransient(const RedisReply &reply)
{
    return reply.isError() && !reply.string.startsWith("ERR") && !reply.string.startsWith("WRONGTYPE");
}

QString jobFrame(const QString &queue, qint64 id, const QByteArray &payload, qint64 attempt)
{
    // Queue names are [A-Za-z0-9_.:-] and payloads compact JSON, as in QueueService::deliver.
    return QStringLiteral("{\"type\":\"job\",\"queue\":\"%1\",\"id\":\"%2\",\"data\":%3,\"attempt\":%4}")
        .arg(queue, QString::number(id), payload.isEmpty() ? QStringLiteral("null") : QString::fromUtf8(payload))
        .arg(attempt);
}

constexpr int kMaxClaimsInFlight = 16; // per queue, while it has ready jobs
constexpr int kMaxClaimBatch = 10;     // jobs per claim, within the consumer's prefetch room
constexpr int kMaxAckBatch = 500;      // acks per script call
constexpr int kMaxSettleTries = 40;    // an ack or nack is sent again for ~10 s of outage
constexpr int kSettleRetryMs = 250;

} // namespace

RedisQueueBackend::Options redisQueueOptions(const ServerConfig &config)
{
    RedisQueueBackend::Options options;
    options.keyPrefix = config.redisKey.toUtf8() + ':';
    options.visibilityTimeoutMs = config.queueVisibilityTimeoutMs;
    options.backoffBaseMs = config.queueBackoffBaseMs;
    options.backoffCapMs = config.queueBackoffCapMs;
    options.fullSync = config.queueFullSync;
    options.idleTtlMs = config.queueIdleTtlMs;
    return options;
}

RedisQueueBackend::RedisQueueBackend(RedisUrl url, Options options, JobSink sink)
    : m_url(std::move(url))
    , m_options(std::move(options))
    , m_sink(std::move(sink))
    , m_uid(QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_description(QStringLiteral("redis:%1").arg(m_url.display()))
{
    m_thread.setObjectName(QStringLiteral("switchboard-queues"));
    m_tick = new QTimer(this);
    m_tick->setInterval(m_options.pollIntervalMs);
    connect(m_tick, &QTimer::timeout, this, &RedisQueueBackend::tick);
    m_heartbeatTimer = new QTimer(this);
    m_heartbeatTimer->setInterval(m_options.heartbeatIntervalMs);
    connect(m_heartbeatTimer, &QTimer::timeout, this, &RedisQueueBackend::heartbeat);

    RedisLink::Options linkOptions;
    linkOptions.maxPendingBytes = 256LL * 1024 * 1024;
    m_link = std::make_unique<RedisLink>(m_url, linkOptions);
    const QByteArray notify = m_options.keyPrefix + "q-notify";
    m_link->setMessageHandler([this, notify](const QByteArray &channel, const QByteArray &payload) {
        if (channel != notify)
            return;
        QMetaObject::invokeMethod(this, [this, queue = QString::fromUtf8(payload)] {
            const auto it = m_local.find(queue);
            if (it == m_local.end())
                return;
            it->drained = false;
            pump(queue);
        }, Qt::QueuedConnection);
    });
    m_link->subscribe(notify);
    connect(m_link.get(), &RedisLink::connectedChanged, this, [this](bool up) {
        if (!up)
            return;
        // Back after an outage (or a Redis restart): look for work at once.
        for (auto it = m_local.begin(); it != m_local.end(); ++it)
            it->drained = false;
        tick();
        heartbeat();
        if (m_options.fullSync && !m_checkedFsync) {
            m_checkedFsync = true;
            m_link->command({"CONFIG", "GET", "appendfsync"}, [](const RedisReply &r) {
                const bool always = r.type == RedisReply::Type::Array && r.elements.size() == 2 && r.elements.at(1).string == "always";
                if (!always)
                    qCWarning(lcQueue) << "--queue-sync full in cluster mode needs Redis with appendonly yes and appendfsync always"
                                       << "(see docs/queues.md); Redis says appendfsync is"
                                       << (r.elements.size() == 2 ? r.elements.at(1).string : r.string);
            });
        }
    }, Qt::QueuedConnection);
}

RedisQueueBackend::~RedisQueueBackend()
{
    stop();
    m_link.reset();
}

bool RedisQueueBackend::start(QString *error)
{
    Q_UNUSED(error);
    if (isRunning())
        return true;
    moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(this, [this] {
        m_lastTotalsAtMs = nowMs();
        m_tick->start();
        m_heartbeatTimer->start();
    }, Qt::QueuedConnection);
    m_link->start();
    m_running.store(true, std::memory_order_release);
    qCInfo(lcQueue).noquote() << "queues shared through" << m_description << "as node" << m_uid;
    return true;
}

void RedisQueueBackend::stop()
{
    if (!m_thread.isRunning())
        return;
    m_running.store(false, std::memory_order_release);
    // Behind the consumers that left during shutdown: their jobs go back first, and this
    // node stops counting consumers.
    QMetaObject::invokeMethod(this, [this] {
        m_tick->stop();
        m_heartbeatTimer->stop();
        flushAcks();
        QList<QByteArray> args{m_uid.toUtf8(), num(m_options.maxQueues)};
        for (const QString &queue : std::as_const(m_reported))
            args << queue.toUtf8() << "0";
        m_reported.clear();
        m_local.clear();
        eval(Scripts::heartbeat(), args, {});
        moveToThread(m_thread.thread());
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    // Closes after what was sent is answered (hiredis reads the replies before it disconnects,
    // within the link's deadline); what is left is answered "connection lost".
    m_link->stop();
}

void RedisQueueBackend::eval(const Scripts::Script &script, QList<QByteArray> args, std::function<void(const RedisReply &)> done)
{
    args.prepend(m_options.keyPrefix);
    args.prepend("0");
    m_link->evalScript(script.sha1, script.source, std::move(args), [this, done](const RedisReply &reply) {
        if (done)
            QMetaObject::invokeMethod(this, [done, reply] { done(reply); }, Qt::QueuedConnection);
    });
}

QByteArray RedisQueueBackend::holder(quint64 consumer) const
{
    return m_uid.toUtf8() + '/' + num(qint64(consumer));
}

RedisQueueBackend::Consumer *RedisQueueBackend::findConsumer(LocalQueue &q, quint64 consumer)
{
    for (Consumer &c : q.consumers) {
        if (c.id == consumer)
            return &c;
    }
    return nullptr;
}

void RedisQueueBackend::dropConsumerIfIdle(const QString &queue, quint64 consumer)
{
    const auto qit = m_local.find(queue);
    if (qit == m_local.end())
        return;
    LocalQueue &q = *qit;
    auto it = std::find_if(q.consumers.begin(), q.consumers.end(), [&](const Consumer &c) { return c.id == consumer; });
    if (it == q.consumers.end() || it->active || it->inFlight > 0)
        return;
    const size_t index = size_t(it - q.consumers.begin());
    RoundRobin::erase(q.consumers, index, q.cursor);
    if (q.consumers.empty())
        m_local.erase(qit);
}

// ---- enqueue ---------------------------------------------------------------------------------

void RedisQueueBackend::enqueueAsync(QList<QueueMessage> messages, qint64 maxDepth, std::function<void(const Enqueued &)> done)
{
    Enqueued result;
    result.messages = std::move(messages);
    if (result.messages.isEmpty()) {
        result.ok = true;
        return done(result);
    }
    if (!isRunning()) {
        result.error = QStringLiteral("the queue store is not running");
        return done(result);
    }
    // Delays go as durations: Redis' clock sets the due time (and createdAt), not this node's.
    const qint64 now = nowMs();
    QList<QByteArray> args;
    args.reserve(4 + 4 * result.messages.size());
    const QString queue = result.messages.constFirst().queue;
    args << queue.toUtf8() << num(qMax<qint64>(0, maxDepth)) << num(m_options.maxQueues) << num(result.messages.size());
    for (const QueueMessage &m : std::as_const(result.messages))
        args << m.payload << num(int(m.priority)) << num(m.maxAttempts) << num(qMax<qint64>(0, m.availableAtMs - now));
    // Straight to the link from the caller's thread; the answer comes back on ours.
    eval(Scripts::enqueue(), std::move(args), [result = std::move(result), done = std::move(done), queue, maxDepth,
                                                maxQueues = m_options.maxQueues](const RedisReply &reply) mutable {
        if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.size() < 2) {
            result.error = QStringLiteral("Redis: %1").arg(QString::fromUtf8(reply.isError() ? reply.string : QByteArray("unexpected reply")));
            return done(result);
        }
        const qint64 first = reply.elements.at(0).integer;
        if (first == -2) {
            result.tooManyQueues = true;
            result.error = QStringLiteral("queue %1 would be a new queue, and there are %2 already (at most %3 in cluster mode)")
                               .arg(queue).arg(reply.elements.at(1).integer).arg(maxQueues);
            return done(result);
        }
        if (first < 0) {
            result.full = true;
            result.depth = reply.elements.at(1).integer;
            result.error = QStringLiteral("queue %1 holds %2 messages (at most %3)").arg(queue).arg(result.depth).arg(maxDepth);
            return done(result);
        }
        for (qsizetype i = 0; i < result.messages.size(); ++i)
            result.messages[i].id = first + i;
        result.ok = true;
        done(result);
    });
}

// ---- consumers -------------------------------------------------------------------------------

void RedisQueueBackend::subscribeLocal(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs)
{
    LocalQueue &q = m_local[queue];
    Consumer *c = findConsumer(q, consumer);
    if (!c) {
        q.consumers.push_back(Consumer{consumer});
        c = &q.consumers.back();
    }
    c->prefetch = std::max(1, prefetch);
    c->visibilityTimeoutMs = visibilityTimeoutMs > 0 ? visibilityTimeoutMs : m_options.visibilityTimeoutMs;
    c->active = true;
    q.drained = false;
}

void RedisQueueBackend::consumeIfKnown(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs,
                                       bool mayWait, std::function<void(ConsumeAnswer)> answer)
{
    QMetaObject::invokeMethod(this, [=, this, answer = std::move(answer)] {
        auto subscribe = [=, this] {
            subscribeLocal(consumer, queue, prefetch, visibilityTimeoutMs);
            // Before the first claim: the consumer hears "consuming" before its first job.
            answer(ConsumeAnswer::Subscribed);
            scheduleHeartbeat();
            pump(queue);
        };
        if (mayWait || m_local.contains(queue))
            return subscribe();
        // Whether another node created it: asked of Redis; what this consumer asks for
        // meanwhile (cancel, disconnect) waits for the answer.
        ++m_pendingConsumes[consumer];
        QList<QByteArray> command{"SISMEMBER", m_options.keyPrefix + "queues", queue.toUtf8()};
        m_link->command(std::move(command), [this, consumer, subscribe, answer](const RedisReply &reply) {
            QMetaObject::invokeMethod(this, [=, this] {
                if (reply.isError())
                    answer(ConsumeAnswer::Unavailable); // not "unknown": Redis could not say
                else if (reply.integer == 1)
                    subscribe();
                else
                    answer(ConsumeAnswer::UnknownQueue);
                if (--m_pendingConsumes[consumer] > 0)
                    return;
                m_pendingConsumes.remove(consumer);
                const QList<std::function<void()>> deferred = m_deferred.take(consumer);
                for (const auto &work : deferred)
                    work();
            }, Qt::QueuedConnection);
        });
    }, Qt::QueuedConnection);
}

void RedisQueueBackend::cancel(quint64 consumer, const QString &queue, std::function<void()> done)
{
    QMetaObject::invokeMethod(this, [=, this] {
        auto work = [=, this] {
            const auto it = m_local.find(queue);
            if (it != m_local.end()) {
                if (Consumer *c = findConsumer(*it, consumer))
                    c->active = false;
                dropConsumerIfIdle(queue, consumer);
            }
            if (done)
                done();
            scheduleHeartbeat();
        };
        if (m_pendingConsumes.contains(consumer))
            m_deferred[consumer] << work;
        else
            work();
    }, Qt::QueuedConnection);
}

void RedisQueueBackend::consumerGone(quint64 consumer)
{
    QMetaObject::invokeMethod(this, [=, this] {
        auto work = [=, this] {
            QList<std::pair<QString, qint64>> held;
            for (auto it = m_held.begin(); it != m_held.end();) {
                if (it->consumer == consumer) {
                    held.append({it->queue, it.key()});
                    it = m_held.erase(it);
                } else {
                    ++it;
                }
            }
            std::sort(held.begin(), held.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
            for (const auto &[queue, id] : std::as_const(held))
                failJob(queue, id, consumer, QStringLiteral("consumer disconnected"));
            for (auto it = m_local.begin(); it != m_local.end();) {
                LocalQueue &q = *it;
                auto c = std::find_if(q.consumers.begin(), q.consumers.end(), [&](const Consumer &x) { return x.id == consumer; });
                if (c != q.consumers.end()) {
                    const size_t index = size_t(c - q.consumers.begin());
                    RoundRobin::erase(q.consumers, index, q.cursor);
                }
                if (q.consumers.empty())
                    it = m_local.erase(it);
                else
                    ++it;
            }
            scheduleHeartbeat();
        };
        if (m_pendingConsumes.contains(consumer))
            m_deferred[consumer] << work;
        else
            work();
    }, Qt::QueuedConnection);
}

void RedisQueueBackend::pump(const QString &name)
{
    const auto it = m_local.find(name);
    if (it == m_local.end() || !isRunning())
        return;
    LocalQueue &q = *it;
    const size_t n = q.consumers.size();
    // One probe at a time for a queue that had nothing; more in flight while it has work.
    const int maxClaims = q.drained ? 1 : kMaxClaimsInFlight;
    while (q.claiming < maxClaims && n > 0) {
        // The next consumer after the last one served that has room: one job each, round robin.
        Consumer *chosen = RoundRobin::next(q.consumers, q.cursor);
        if (!chosen)
            break;
        // Several jobs per claim when the consumer has the room (fewer round trips), the
        // room reserved until the answer.
        const int count = std::min(chosen->prefetch - chosen->inFlight, kMaxClaimBatch);
        chosen->inFlight += count;
        ++q.claiming;
        const quint64 consumer = chosen->id;
        const QByteArray claimId = m_uid.toUtf8() + ':' + num(qint64(++m_claimSeq));
        eval(Scripts::claim(), {name.toUtf8(), holder(consumer), num(chosen->visibilityTimeoutMs), num(count), claimId},
             [this, name, consumer, count, claimId](const RedisReply &reply) { claimed(name, consumer, count, claimId, reply); });
    }
}

void RedisQueueBackend::claimed(const QString &name, quint64 consumer, int reserved, const QByteArray &claimId,
                                const RedisReply &reply)
{
    const auto qit = m_local.find(name);
    LocalQueue *q = qit == m_local.end() ? nullptr : &*qit;
    Consumer *c = q ? findConsumer(*q, consumer) : nullptr;
    if (q)
        --q->claiming;
    if (c)
        c->inFlight -= reserved;
    if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.isEmpty()) {
        if (q)
            q->drained = true; // the next tick tries again
        qCDebug(lcQueue).noquote() << "claim on" << name << "failed:" << reply.string;
        // It may have run with its reply lost (a timeout, a cut connection): what it took
        // goes back now instead of after the visibility timeout, attempts not counted.
        if (reply.isError() && !reply.string.startsWith("not connected") && !reply.string.startsWith("overloaded"))
            releaseClaim(name, consumer, claimId); // (those two were never sent)
        dropConsumerIfIdle(name, consumer);
        return;
    }
    const qint64 now = nowMs();
    const qsizetype jobs = (reply.elements.size() - 1) / 3;
    for (qsizetype i = 0; i < jobs; ++i) {
        const qint64 id = reply.elements.at(1 + 3 * i).string.toLongLong();
        const qint64 attempt = reply.elements.at(2 + 3 * i).integer;
        const QByteArray &payload = reply.elements.at(3 + 3 * i).string;
        if (c && c->active) {
            ++c->inFlight;
            m_held.insert(id, Held{name, consumer, now + c->visibilityTimeoutMs});
            m_sink(consumer, name, id, jobFrame(name, id, payload, attempt));
        } else {
            // Cancelled or gone while the claim was on its way: the attempt counts, as for a
            // consumer that disconnects holding a job.
            failJob(name, id, consumer, QStringLiteral("consumer disconnected"));
        }
    }
    if (q) {
        q->drained = jobs == 0;
        const qint64 nextDueIn = reply.elements.at(0).integer; // ms, by Redis' clock
        if (jobs == 0 && nextDueIn > 0 && nextDueIn < m_options.pollIntervalMs) {
            // A delayed job comes due before the next tick.
            QTimer::singleShot(int(nextDueIn), this, [this, name] {
                const auto it = m_local.find(name);
                if (it == m_local.end())
                    return;
                it->drained = false;
                pump(name);
            });
        }
    }
    dropConsumerIfIdle(name, consumer);
    pump(name);
}

void RedisQueueBackend::releaseClaim(const QString &queue, quint64 consumer, const QByteArray &claimId, int tries)
{
    eval(Scripts::release(), {queue.toUtf8(), holder(consumer), claimId}, [=, this](const RedisReply &reply) {
        if (isTransient(reply) && tries < kMaxSettleTries && isRunning()) {
            QTimer::singleShot(kSettleRetryMs, this, [=, this] { releaseClaim(queue, consumer, claimId, tries + 1); });
            return;
        }
        if (reply.isError()) {
            qCWarning(lcQueue).noquote() << "releasing claim" << claimId << "of" << queue << "failed:" << reply.string
                                         << "(its jobs come back after their visibility timeout)";
            return;
        }
        if (reply.integer > 0)
            qCInfo(lcQueue).noquote() << reply.integer << "jobs of" << queue << "taken by a claim whose reply was lost are ready again";
    });
}

void RedisQueueBackend::settle(quint64 consumer, const QString &queue, qint64 id, bool ok, const QString &error)
{
    QMetaObject::invokeMethod(this, [=, this] {
        const auto it = m_held.find(id);
        if (it == m_held.end() || it->consumer != consumer || it->queue != queue) {
            // Too late (the visibility timeout passed) or not theirs.
            m_lateSettles.fetch_add(1, std::memory_order_relaxed);
            qCDebug(lcQueue) << "ignoring" << (ok ? "ack" : "nack") << "of job" << id << "from consumer" << consumer;
            return;
        }
        m_held.erase(it);
        const auto qit = m_local.find(queue);
        if (qit != m_local.end()) {
            if (Consumer *c = findConsumer(*qit, consumer))
                --c->inFlight;
        }
        if (ok)
            ackJob(queue, id, consumer);
        else
            failJob(queue, id, consumer, error.isEmpty() ? QStringLiteral("nack") : error);
        dropConsumerIfIdle(queue, consumer);
        pump(queue);
    }, Qt::QueuedConnection);
}

void RedisQueueBackend::ackJob(const QString &queue, qint64 id, quint64 consumer)
{
    m_acks[queue] << num(id) << holder(consumer);
    if (m_ackFlushScheduled)
        return;
    m_ackFlushScheduled = true;
    QMetaObject::invokeMethod(this, &RedisQueueBackend::flushAcks, Qt::QueuedConnection);
}

void RedisQueueBackend::flushAcks()
{
    m_ackFlushScheduled = false;
    const auto acks = std::exchange(m_acks, {});
    for (auto it = acks.cbegin(); it != acks.cend(); ++it) {
        for (qsizetype i = 0; i < it->size(); i += 2 * kMaxAckBatch)
            sendAcks(it.key(), it->mid(i, 2 * kMaxAckBatch), 0);
    }
}

void RedisQueueBackend::sendAcks(const QString &queue, const QList<QByteArray> &pairs, int tries)
{
    QList<QByteArray> args{queue.toUtf8()};
    args += pairs;
    eval(Scripts::ack(), std::move(args), [=, this](const RedisReply &reply) {
        if (isTransient(reply) && tries < kMaxSettleTries && isRunning()) {
            QTimer::singleShot(kSettleRetryMs, this, [=, this] { sendAcks(queue, pairs, tries + 1); });
            return;
        }
        if (reply.isError()) {
            qCWarning(lcQueue).noquote() << pairs.size() / 2 << "acks of" << queue << "failed:" << reply.string;
            return;
        }
        const qint64 late = pairs.size() / 2 - reply.integer;
        if (late > 0)
            m_lateSettles.fetch_add(quint64(late), std::memory_order_relaxed); // the reaper was faster
    });
}

void RedisQueueBackend::failJob(const QString &queue, qint64 id, quint64 consumer, const QString &error, int tries)
{
    QList<QByteArray> args{queue.toUtf8(), num(id), holder(consumer), error.toUtf8(),
                           QByteArray::number(randomUnit(), 'g', 17), num(m_options.backoffBaseMs), num(m_options.backoffCapMs)};
    eval(Scripts::fail(), std::move(args), [=, this](const RedisReply &reply) {
        if (isTransient(reply) && tries < kMaxSettleTries && isRunning()) {
            QTimer::singleShot(kSettleRetryMs, this, [=, this] { failJob(queue, id, consumer, error, tries + 1); });
            return;
        }
        if (reply.isError()) {
            qCWarning(lcQueue).noquote() << "nack of job" << id << "of" << queue << "failed:" << reply.string;
            return;
        }
        if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty())
            return;
        const qint64 kind = reply.elements.at(0).integer;
        if (kind == 2 && reply.elements.size() >= 2) {
            const int attempts = int(reply.elements.at(1).integer);
            qCInfo(lcQueue).noquote() << "message" << id << "of" << queue << "dead-lettered after" << attempts << "attempts:" << error;
            if (m_deadLetterSink)
                m_deadLetterSink(queue, id, attempts, error);
        }
        // A delayed retry is claimed by whichever node looks first once it is due.
        if (kind == 1 && reply.elements.size() >= 3) {
            const qint64 wait = reply.elements.at(2).integer; // ms, by Redis' clock
            if (m_local.contains(queue) && wait < m_options.pollIntervalMs) {
                QTimer::singleShot(int(std::max<qint64>(0, wait)), this, [this, queue] {
                    const auto it = m_local.find(queue);
                    if (it == m_local.end())
                        return;
                    it->drained = false;
                    pump(queue);
                });
            }
        }
    });
}

// ---- timers ----------------------------------------------------------------------------------

void RedisQueueBackend::expireLocal(qint64 now)
{
    // The reaper returns these in Redis; here their consumers get their prefetch room back,
    // and a late ack is refused like the single-node engine does.
    QList<std::pair<QString, quint64>> expired;
    for (auto it = m_held.begin(); it != m_held.end();) {
        if (it->deadlineMs <= now) {
            expired.append({it->queue, it->consumer});
            it = m_held.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &[queue, consumer] : std::as_const(expired)) {
        const auto qit = m_local.find(queue);
        if (qit == m_local.end())
            continue;
        if (Consumer *c = findConsumer(*qit, consumer))
            --c->inFlight;
        dropConsumerIfIdle(queue, consumer);
    }
}

void RedisQueueBackend::tick()
{
    if (!isRunning())
        return;
    expireLocal(nowMs());
    reap();
    const QStringList names = m_local.keys();
    for (const QString &name : names) {
        auto it = m_local.find(name);
        if (it != m_local.end()) {
            it->drained = false;
            pump(name);
        }
    }
    // Stats only while someone reads them (the HTTP routes, /metrics, the console, the
    // server's history), at most once per statsMaxAgeMs.
    const qint64 now = nowMs();
    if (now - m_statsAskedMs.load(std::memory_order_relaxed) <= m_options.statsDemandMs && now - m_statsAtMs >= m_options.statsMaxAgeMs)
        refreshStats();
}

void RedisQueueBackend::reap()
{
    if (m_reapInFlight)
        return;
    m_reapInFlight = true;
    QList<QByteArray> args{QByteArray::number(randomUnit(), 'g', 17), num(m_options.backoffBaseMs), num(m_options.backoffCapMs),
                           "200", num(m_options.idleTtlMs), num(m_options.consumersStaleMs)};
    eval(Scripts::reap(), std::move(args), [this](const RedisReply &reply) {
        m_reapInFlight = false;
        if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.size() < 2)
            return;
        const qint64 retried = reply.elements.at(0).integer;
        if (retried > 0)
            qCDebug(lcQueue) << retried << "jobs past their visibility timeout come back";
        for (qsizetype i = 2; i + 2 < reply.elements.size(); i += 3) {
            const QString queue = QString::fromUtf8(reply.elements.at(i).string);
            const qint64 id = reply.elements.at(i + 1).string.toLongLong();
            const int attempts = int(reply.elements.at(i + 2).integer);
            qCInfo(lcQueue).noquote() << "message" << id << "of" << queue << "dead-lettered after" << attempts
                                      << "attempts: visibility timeout";
            if (m_deadLetterSink)
                m_deadLetterSink(queue, id, attempts, QStringLiteral("visibility timeout"));
        }
        // More was due than one call moves: go on at once (each call is bounded).
        if (reply.elements.at(1).integer == 1 && isRunning())
            QMetaObject::invokeMethod(this, &RedisQueueBackend::reap, Qt::QueuedConnection);
    });
}

void RedisQueueBackend::scheduleHeartbeat()
{
    if (m_heartbeatScheduled)
        return;
    m_heartbeatScheduled = true;
    QMetaObject::invokeMethod(this, &RedisQueueBackend::heartbeat, Qt::QueuedConnection);
}

void RedisQueueBackend::heartbeat()
{
    m_heartbeatScheduled = false;
    if (!isRunning())
        return;
    QList<QByteArray> args{m_uid.toUtf8(), num(m_options.maxQueues)};
    QSet<QString> reported;
    for (auto it = m_local.cbegin(); it != m_local.cend(); ++it) {
        const auto active = std::count_if(it->consumers.begin(), it->consumers.end(), [](const Consumer &c) { return c.active; });
        args << it.key().toUtf8() << num(qint64(active));
        if (active > 0)
            reported.insert(it.key());
    }
    for (const QString &queue : std::as_const(m_reported)) {
        if (!m_local.contains(queue))
            args << queue.toUtf8() << "0";
    }
    m_reported = reported;
    eval(Scripts::heartbeat(), std::move(args), {});
}

void RedisQueueBackend::refreshStats()
{
    if (m_statsInFlight)
        return;
    m_statsInFlight = true;
    m_statsPass.clear();
    statsPage("0");
}

void RedisQueueBackend::statsPage(QByteArray cursor)
{
    // One SSCAN page per script call, the next one from its answer: a cluster with many queues
    // costs more calls, never one long one.
    eval(Scripts::stats(), {cursor, num(m_options.statsPage), num(m_options.consumersStaleMs)}, [this](const RedisReply &reply) {
        if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.isEmpty() || !isRunning()) {
            m_statsInFlight = false;
            return;
        }
        constexpr int kFields = 10;
        const auto &e = reply.elements;
        for (qsizetype i = 1; i + kFields <= e.size(); i += kFields) {
            QueueStats s;
            s.name = QString::fromUtf8(e.at(i).string);
            s.ready = e.at(i + 1).integer;
            s.delayed = e.at(i + 2).integer;
            s.inFlight = e.at(i + 3).integer;
            s.dead = e.at(i + 4).integer;
            s.enqueued = quint64(e.at(i + 5).integer);
            s.acked = quint64(e.at(i + 6).integer);
            s.nacked = quint64(e.at(i + 7).integer);
            s.deadLettered = quint64(e.at(i + 8).integer);
            s.consumers = int(e.at(i + 9).integer);
            m_statsPass.insert(s.name, s); // SSCAN may list a name twice
        }
        const QByteArray next = e.at(0).string;
        if (next != "0")
            return statsPage(next);
        m_statsInFlight = false;

        const qint64 now = nowMs();
        m_statsAtMs = now;
        const double seconds = qMax<qint64>(1, now - m_lastTotalsAtMs) / 1000.0;
        const bool sample = now - m_lastTotalsAtMs >= 1000;
        QList<QueueStats> list;
        list.reserve(m_statsPass.size());
        for (QueueStats &s : m_statsPass) {
            const auto last = m_lastTotals.constFind(s.name);
            // Totals start again at 0 when an idle queue expired and came back.
            auto rate = [seconds](quint64 now, quint64 before) { return now >= before ? double(now - before) / seconds : 0.0; };
            if (last != m_lastTotals.cend()) {
                if (sample) {
                    s.enqueuedPerSec = rate(s.enqueued, last->enqueued);
                    s.ackedPerSec = rate(s.acked, last->acked);
                    s.nackedPerSec = rate(s.nacked, last->nacked);
                    s.deadLetteredPerSec = rate(s.deadLettered, last->deadLettered);
                } else {
                    s.enqueuedPerSec = last->enqueuedPerSec;
                    s.ackedPerSec = last->ackedPerSec;
                    s.nackedPerSec = last->nackedPerSec;
                    s.deadLetteredPerSec = last->deadLetteredPerSec;
                }
            }
            list << s;
        }
        m_statsPass.clear();
        std::sort(list.begin(), list.end(), [](const QueueStats &a, const QueueStats &b) { return a.name < b.name; });
        if (sample || m_lastTotals.isEmpty()) {
            m_lastTotals.clear();
            for (const QueueStats &s : std::as_const(list))
                m_lastTotals.insert(s.name, s);
            m_lastTotalsAtMs = now;
        }
        QMutexLocker lock(&m_statsMutex);
        m_stats = std::move(list);
    });
}

QList<QueueStats> RedisQueueBackend::stats() const
{
    // Read on demand: the next tick refreshes a snapshot older than statsMaxAgeMs.
    m_statsAskedMs.store(nowMs(), std::memory_order_relaxed);
    QMutexLocker lock(&m_statsMutex);
    return m_stats;
}

// ---- dead letters ----------------------------------------------------------------------------

void RedisQueueBackend::deadLettersAsync(const QString &queue, int offset, int limit, std::function<void(const DeadPage &)> done)
{
    eval(Scripts::deadList(), {queue.toUtf8(), num(offset), num(limit)}, [queue, done = std::move(done)](const RedisReply &reply) {
        DeadPage page;
        if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.size() < 2) {
            page.ok = false;
            qCWarning(lcQueue).noquote() << "listing dead letters of" << queue << "failed:" << reply.string;
            return done(page);
        }
        const auto &e = reply.elements;
        page.known = e.at(0).integer == 1;
        page.total = e.at(1).integer;
        for (qsizetype i = 2; i + 8 <= e.size(); i += 8) {
            QueueMessage m;
            m.queue = queue;
            m.id = e.at(i).string.toLongLong();
            m.payload = e.at(i + 1).string;
            const int priority = e.at(i + 2).string.toInt();
            m.priority = priority == 0 ? QueuePriority::High : priority == 2 ? QueuePriority::Low : QueuePriority::Normal;
            m.attempts = e.at(i + 3).string.toInt();
            m.maxAttempts = e.at(i + 4).string.toInt();
            m.lastError = QString::fromUtf8(e.at(i + 5).string);
            m.createdAtMs = e.at(i + 6).string.toLongLong();
            m.deadAtMs = e.at(i + 7).string.toLongLong();
            page.messages << m;
        }
        done(page);
    });
}

void RedisQueueBackend::retryDeadAsync(const QString &queue, qint64 id, std::function<void(const Moved &)> done)
{
    if (id != 0) {
        eval(Scripts::retryDead(), {queue.toUtf8(), num(id), "1"}, [queue, done = std::move(done)](const RedisReply &reply) {
            Moved moved;
            if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.size() < 3) {
                qCWarning(lcQueue).noquote() << "retrying a dead letter of" << queue << "failed:" << reply.string;
                moved.known = true;
                return done(moved);
            }
            moved.known = reply.elements.at(0).integer == 1;
            moved.count = reply.elements.at(1).integer;
            done(moved);
        });
        return;
    }
    QMetaObject::invokeMethod(this, [this, queue, done = std::move(done)]() mutable { moveDead(queue, false, 0, -1, std::move(done)); },
                              Qt::QueuedConnection);
}

void RedisQueueBackend::purgeDeadAsync(const QString &queue, std::function<void(const Moved &)> done)
{
    QMetaObject::invokeMethod(this, [this, queue, done = std::move(done)]() mutable { moveDead(queue, true, 0, -1, std::move(done)); },
                              Qt::QueuedConnection);
}

void RedisQueueBackend::moveDead(const QString &queue, bool purge, qint64 moved, qint64 limit, std::function<void(const Moved &)> done)
{
    // Batches of deadBatch, one script call each, so that Redis serves everyone else between
    // them. At most as many as the list held at the first call: dead letters that arrive
    // meanwhile (a retried job failing again) wait for the next retry or purge.
    const int batch = limit < 0 ? m_options.deadBatch : int(std::min<qint64>(m_options.deadBatch, limit - moved));
    QList<QByteArray> args{queue.toUtf8()};
    if (!purge)
        args << "0";
    args << num(batch);
    eval(purge ? Scripts::purgeDead() : Scripts::retryDead(), std::move(args),
         [this, queue, purge, moved, limit, batch, done = std::move(done)](const RedisReply &reply) mutable {
        Moved result;
        result.known = true;
        if (reply.isError() || reply.type != RedisReply::Type::Array || reply.elements.size() < 3) {
            // What the batches before moved stays moved; the answer says the store failed.
            qCWarning(lcQueue).noquote() << (purge ? "purging" : "retrying") << "dead letters of" << queue << "failed after" << moved
                                         << "of them:" << reply.string;
            return done(result);
        }
        if (reply.elements.at(0).integer != 1) {
            result.known = false;
            return done(result);
        }
        const qint64 step = reply.elements.at(1).integer;
        const qint64 left = reply.elements.at(2).integer;
        if (limit < 0)
            limit = step + left;
        moved += step;
        if (step == batch && left > 0 && moved < limit) {
            if (isRunning())
                return moveDead(queue, purge, moved, limit, std::move(done));
            return done(result); // stopped midway: count -1, as for a failure
        }
        result.count = moved;
        done(result);
    });
}

} // namespace Switchboard
