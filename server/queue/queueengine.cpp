#include "queueengine.h"

#include <algorithm>
#include <cmath>

#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>

#include "core/backoff.h"
#include "roundrobin.h"

namespace Switchboard {

QString priorityName(QueuePriority priority)
{
    switch (priority) {
    case QueuePriority::High: return QStringLiteral("high");
    case QueuePriority::Low: return QStringLiteral("low");
    case QueuePriority::Normal: break;
    }
    return QStringLiteral("normal");
}

bool parsePriority(const QString &text, QueuePriority *priority)
{
    const QString t = text.toLower();
    if (t == QLatin1String("high"))
        *priority = QueuePriority::High;
    else if (t == QLatin1String("normal"))
        *priority = QueuePriority::Normal;
    else if (t == QLatin1String("low"))
        *priority = QueuePriority::Low;
    else
        return false;
    return true;
}

QJsonObject queueStatsJson(const QueueStats &s)
{
    return {{QStringLiteral("name"), s.name},
            {QStringLiteral("ready"), s.ready},
            {QStringLiteral("inFlight"), s.inFlight},
            {QStringLiteral("delayed"), s.delayed},
            {QStringLiteral("dead"), s.dead},
            {QStringLiteral("depth"), s.depth()},
            {QStringLiteral("consumers"), s.consumers},
            {QStringLiteral("enqueued"), qint64(s.enqueued)},
            {QStringLiteral("acked"), qint64(s.acked)},
            {QStringLiteral("nacked"), qint64(s.nacked)},
            {QStringLiteral("deadLettered"), qint64(s.deadLettered)},
            {QStringLiteral("rates"), QJsonObject{{QStringLiteral("enqueuedPerSec"), s.enqueuedPerSec},
                                                  {QStringLiteral("ackedPerSec"), s.ackedPerSec},
                                                  {QStringLiteral("nackedPerSec"), s.nackedPerSec},
                                                  {QStringLiteral("deadLetteredPerSec"), s.deadLetteredPerSec}}}};
}

bool isValidQueueName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_.:-]{1,128}$"));
    return pattern.match(name).hasMatch();
}

bool isValidQueuePattern(const QString &pattern)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.:*?-]{1,128}$"));
    return re.match(pattern).hasMatch();
}

namespace {

/// Glob match with backtracking to the last "*": linear in practice for queue names.
bool globMatch(QStringView pattern, QStringView name)
{
    qsizetype p = 0, n = 0, star = -1, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == QLatin1Char('?') || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            star = p++;
            resume = n;
        } else if (star >= 0) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

} // namespace

bool matchesQueuePattern(const QStringList &patterns, const QString &name)
{
    for (const QString &pattern : patterns) {
        if (globMatch(pattern, name))
            return true;
    }
    return false;
}

QueueEngine::QueueEngine(Options options, std::function<double()> random)
    : m_options(options), m_random(std::move(random))
{
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
}

QueueEngine::Queue &QueueEngine::queue(const QString &name)
{
    return m_queues[name];
}

void QueueEngine::ensureQueue(const QString &queue)
{
    this->queue(queue);
}

void QueueEngine::place(Queue &q, qint64 id, const Entry &entry, qint64 nowMs)
{
    if (entry.availableAtMs > nowMs)
        q.delayed.emplace(entry.availableAtMs, id);
    else
        q.ready.emplace(int(entry.priority), id);
}

void QueueEngine::add(const QueueMessage &message, qint64 nowMs)
{
    Queue &q = queue(message.queue);
    Entry entry;
    entry.priority = message.priority;
    entry.attempts = message.attempts;
    entry.maxAttempts = message.maxAttempts;
    entry.availableAtMs = message.availableAtMs;
    q.entries.insert(message.id, entry);
    place(q, message.id, entry, nowMs);
}

void QueueEngine::setDeadCount(const QString &queue, qint64 dead)
{
    this->queue(queue).dead = dead;
}

void QueueEngine::addDead(const QString &queue, qint64 delta)
{
    Queue &q = this->queue(queue);
    q.dead = std::max<qint64>(0, q.dead + delta);
}

void QueueEngine::countEnqueued(const QString &queue, quint64 n)
{
    this->queue(queue).enqueued += n;
}

QueueEngine::Consumer *QueueEngine::findConsumer(Queue &q, quint64 consumer)
{
    for (Consumer &c : q.consumers) {
        if (c.id == consumer)
            return &c;
    }
    return nullptr;
}

void QueueEngine::subscribe(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs)
{
    Queue &q = this->queue(queue);
    Consumer *c = findConsumer(q, consumer);
    if (!c) {
        q.consumers.push_back(Consumer{consumer});
        c = &q.consumers.back();
    }
    c->prefetch = std::max(1, prefetch);
    c->visibilityTimeoutMs = visibilityTimeoutMs > 0 ? visibilityTimeoutMs : m_options.visibilityTimeoutMs;
    c->active = true;
}

void QueueEngine::dropConsumerIfIdle(Queue &q, quint64 consumer)
{
    auto it = std::find_if(q.consumers.begin(), q.consumers.end(), [&](const Consumer &c) { return c.id == consumer; });
    if (it == q.consumers.end() || it->active || it->inFlight > 0)
        return;
    const size_t index = size_t(it - q.consumers.begin());
    RoundRobin::erase(q.consumers, index, q.cursor);
}

bool QueueEngine::unsubscribe(quint64 consumer, const QString &queue)
{
    auto it = m_queues.find(queue);
    if (it == m_queues.end())
        return false;
    Consumer *c = findConsumer(it->second, consumer);
    if (!c)
        return false;
    c->active = false;
    dropConsumerIfIdle(it->second, consumer);
    return true;
}

QueueEngine::Outcome QueueEngine::fail(Queue &q, const QString &name, qint64 id, const QString &error, qint64 nowMs)
{
    Entry &entry = q.entries[id];
    q.deadlines.erase({entry.deadlineMs, id});
    entry.consumer = 0;
    entry.deadlineMs = 0;
    ++q.nacked;
    Outcome outcome;
    outcome.queue = name;
    outcome.id = id;
    outcome.attempts = entry.attempts;
    outcome.error = error;
    if (entry.attempts >= entry.maxAttempts) {
        outcome.kind = Outcome::Kind::Dead;
        q.entries.remove(id);
        ++q.dead;
        ++q.deadLettered;
        return outcome;
    }
    outcome.kind = Outcome::Kind::Retry;
    entry.availableAtMs = nowMs + backoffDelayMs(entry.attempts, m_options.backoffBaseMs, m_options.backoffCapMs, m_random());
    outcome.availableAtMs = entry.availableAtMs;
    place(q, id, entry, nowMs);
    return outcome;
}

QList<QueueEngine::Outcome> QueueEngine::consumerGone(quint64 consumer, qint64 nowMs)
{
    QList<Outcome> outcomes;
    for (auto &[name, q] : m_queues) {
        Consumer *c = findConsumer(q, consumer);
        if (!c)
            continue;
        QList<qint64> held;
        for (auto it = q.entries.cbegin(); it != q.entries.cend(); ++it) {
            if (it->consumer == consumer)
                held << it.key();
        }
        std::sort(held.begin(), held.end());
        for (qint64 id : std::as_const(held))
            outcomes << fail(q, name, id, QStringLiteral("consumer disconnected"), nowMs);
        c->inFlight = 0;
        c->active = false;
        dropConsumerIfIdle(q, consumer);
    }
    return outcomes;
}

std::optional<QueueEngine::Outcome> QueueEngine::settle(quint64 consumer, const QString &queue, qint64 id, bool ok,
                                                        const QString &error, qint64 nowMs)
{
    auto qit = m_queues.find(queue);
    if (qit == m_queues.end())
        return std::nullopt;
    Queue &q = qit->second;
    auto eit = q.entries.find(id);
    if (eit == q.entries.end() || eit->consumer != consumer || consumer == 0)
        return std::nullopt;
    if (Consumer *c = findConsumer(q, consumer))
        --c->inFlight;
    std::optional<Outcome> outcome;
    if (ok) {
        q.deadlines.erase({eit->deadlineMs, id});
        q.entries.erase(eit);
        ++q.acked;
        Outcome acked;
        acked.kind = Outcome::Kind::Acked;
        acked.queue = queue;
        acked.id = id;
        outcome = acked;
    } else {
        outcome = fail(q, queue, id, error.isEmpty() ? QStringLiteral("nack") : error, nowMs);
    }
    dropConsumerIfIdle(q, consumer);
    return outcome;
}

QList<QueueEngine::Outcome> QueueEngine::expire(qint64 nowMs)
{
    QList<Outcome> outcomes;
    for (auto &[name, q] : m_queues) {
        while (!q.deadlines.empty() && q.deadlines.begin()->first <= nowMs) {
            const qint64 id = q.deadlines.begin()->second;
            const quint64 consumer = q.entries.value(id).consumer;
            if (Consumer *c = findConsumer(q, consumer))
                --c->inFlight;
            outcomes << fail(q, name, id, QStringLiteral("visibility timeout"), nowMs);
            dropConsumerIfIdle(q, consumer);
        }
    }
    return outcomes;
}

QList<QueueEngine::Delivery> QueueEngine::dispatch(qint64 nowMs)
{
    QList<Delivery> deliveries;
    for (auto &[name, q] : m_queues) {
        while (!q.delayed.empty() && q.delayed.begin()->first <= nowMs) {
            const qint64 id = q.delayed.begin()->second;
            q.delayed.erase(q.delayed.begin());
            q.ready.emplace(int(q.entries.value(id).priority), id);
        }
        const size_t n = q.consumers.size();
        while (!q.ready.empty() && n > 0) {
            // The next consumer after the last one served that has room for a job.
            Consumer *chosen = RoundRobin::next(q.consumers, q.cursor);
            if (!chosen)
                break;
            const qint64 id = q.ready.begin()->second;
            q.ready.erase(q.ready.begin());
            Entry &entry = q.entries[id];
            ++entry.attempts;
            entry.consumer = chosen->id;
            entry.deadlineMs = nowMs + chosen->visibilityTimeoutMs;
            q.deadlines.emplace(entry.deadlineMs, id);
            ++chosen->inFlight;
            deliveries.append(Delivery{chosen->id, name, id, entry.attempts});
        }
    }
    return deliveries;
}

qint64 QueueEngine::nextWakeMs() const
{
    qint64 next = 0;
    auto consider = [&next](qint64 t) {
        if (next == 0 || t < next)
            next = t;
    };
    for (const auto &[name, q] : m_queues) {
        if (!q.delayed.empty())
            consider(q.delayed.begin()->first);
        if (!q.deadlines.empty())
            consider(q.deadlines.begin()->first);
    }
    return next;
}

QStringList QueueEngine::removeIdle(qint64 nowMs, qint64 idleMs)
{
    QStringList removed;
    for (auto it = m_queues.begin(); it != m_queues.end();) {
        Queue &q = it->second;
        const quint64 activity = q.enqueued + q.acked + q.nacked + q.deadLettered;
        const bool empty = q.entries.isEmpty() && q.dead == 0 && q.consumers.empty();
        if (!empty || activity != q.activitySeen || q.idleSinceMs < 0) {
            q.idleSinceMs = empty ? nowMs : -1;
            q.activitySeen = activity;
            ++it;
        } else if (nowMs - q.idleSinceMs >= idleMs) {
            removed << it->first;
            it = m_queues.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

QList<QueueStats> QueueEngine::stats() const
{
    QList<QueueStats> list;
    list.reserve(qsizetype(m_queues.size()));
    for (const auto &[name, q] : m_queues) {
        QueueStats s;
        s.name = name;
        s.ready = qint64(q.ready.size());
        s.delayed = qint64(q.delayed.size());
        s.inFlight = qint64(q.deadlines.size());
        s.dead = q.dead;
        s.consumers = int(std::count_if(q.consumers.begin(), q.consumers.end(), [](const Consumer &c) { return c.active; }));
        s.enqueued = q.enqueued;
        s.acked = q.acked;
        s.nacked = q.nacked;
        s.deadLettered = q.deadLettered;
        list << s;
    }
    return list;
}

QList<quint64> QueueEngine::consumersOf(const QString &queue) const
{
    QList<quint64> ids;
    auto it = m_queues.find(queue);
    if (it == m_queues.end())
        return ids;
    for (const Consumer &c : it->second.consumers) {
        if (c.active)
            ids << c.id;
    }
    return ids;
}

} // namespace Switchboard
