#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>

#include "queuemessage.h"

namespace Switchboard {

/**
 * @brief The scheduling state of every queue, in memory: which messages are ready, delayed
 * or in flight, who consumes what, and what happens to a job that fails.
 *
 * Pure logic with the time passed in, so it is unit-tested without threads or clocks. The
 * payloads are not kept here (the store has them); a message costs about a hundred bytes.
 * The caller persists every Outcome the engine returns. Not thread-safe: one owner thread.
 */
class QueueEngine final
{
public:
    struct Options
    {
        qint64 backoffBaseMs = 1000;
        qint64 backoffCapMs = 5 * 60 * 1000;
        qint64 visibilityTimeoutMs = 30000;
    };

    /// A job to hand to a consumer; the engine already counts it as in flight.
    struct Delivery
    {
        quint64 consumer = 0;
        QString queue;
        qint64 id = 0;
        int attempt = 0;
    };

    /// A change the store has to make durable.
    struct Outcome
    {
        enum class Kind { Acked, Retry, Dead };
        Kind kind = Kind::Acked;
        QString queue;
        qint64 id = 0;
        int attempts = 0;
        qint64 availableAtMs = 0; // Retry
        QString error;            // Retry and Dead
    };

    explicit QueueEngine(Options options, std::function<double()> random = {});

    const Options &options() const { return m_options; }

    /// Makes a queue known (created on first use). Idempotent.
    void ensureQueue(const QString &queue);
    /// Adds a stored, live message: ready, or delayed when availableAt is later than now.
    void add(const QueueMessage &message, qint64 nowMs);
    void setDeadCount(const QString &queue, qint64 dead);
    void addDead(const QString &queue, qint64 delta);
    void countEnqueued(const QString &queue, quint64 n);

    /// Starts (or updates) @p consumer on @p queue with at most @p prefetch unacked jobs.
    void subscribe(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs);
    /// Stops sending jobs; the consumer may still settle the ones it has.
    bool unsubscribe(quint64 consumer, const QString &queue);
    /// The consumer is gone: every job it held returns (retry with backoff, or dead).
    QList<Outcome> consumerGone(quint64 consumer, qint64 nowMs);

    /// ack (ok) or nack. Empty when @p consumer does not hold @p id in @p queue (a late ack
    /// after the visibility timeout, or a stranger's id).
    std::optional<Outcome> settle(quint64 consumer, const QString &queue, qint64 id, bool ok,
                                  const QString &error, qint64 nowMs);
    /// Jobs whose visibility timeout passed return as if nacked.
    QList<Outcome> expire(qint64 nowMs);
    /// Promotes due delayed messages and hands ready ones to consumers, round robin, within
    /// each consumer's prefetch.
    QList<Delivery> dispatch(qint64 nowMs);
    /// Earliest time (wall clock ms) something changes by itself; 0 when nothing is pending.
    qint64 nextWakeMs() const;

    /**
     * Forgets every queue that holds nothing (no message in any state, no dead letter, no
     * consumer) and saw no enqueue, ack, nack or dead-lettering for at least @p idleMs, and
     * returns their names. Idleness is observed by these calls: call it every fraction of
     * @p idleMs; a queue is idle from the first call that finds it so.
     */
    QStringList removeIdle(qint64 nowMs, qint64 idleMs);

    QList<QueueStats> stats() const;
    bool hasQueue(const QString &queue) const { return m_queues.count(queue) != 0; }
    /// Live messages of @p queue (ready, delayed and in flight); 0 for an unknown queue.
    qint64 depth(const QString &queue) const
    {
        const auto it = m_queues.find(queue);
        return it == m_queues.end() ? 0 : qint64(it->second.entries.size());
    }
    /// Consumers of one queue, by id (for tests and the console).
    QList<quint64> consumersOf(const QString &queue) const;

private:
    struct Entry
    {
        QueuePriority priority = QueuePriority::Normal;
        int attempts = 0;
        int maxAttempts = 5;
        qint64 availableAtMs = 0;
        quint64 consumer = 0;     // non-zero while in flight
        qint64 deadlineMs = 0;    // while in flight
    };
    struct Consumer
    {
        quint64 id = 0;
        int prefetch = 1;
        qint64 visibilityTimeoutMs = 0;
        int inFlight = 0;
        bool active = true;       // false after unsubscribe, until its jobs are settled
    };
    struct Queue
    {
        std::set<std::pair<int, qint64>> ready;        // (priority, id)
        std::set<std::pair<qint64, qint64>> delayed;   // (availableAt, id)
        std::set<std::pair<qint64, qint64>> deadlines; // (deadline, id) of jobs in flight
        QHash<qint64, Entry> entries;                   // every live message
        std::vector<Consumer> consumers;
        size_t cursor = 0;
        qint64 dead = 0;
        quint64 enqueued = 0, acked = 0, nacked = 0, deadLettered = 0;
        qint64 idleSinceMs = -1;      // removeIdle(): since when it has been seen idle
        quint64 activitySeen = 0;     // ... and its activity count then
    };

    Queue &queue(const QString &name);
    Consumer *findConsumer(Queue &q, quint64 consumer);
    void place(Queue &q, qint64 id, const Entry &entry, qint64 nowMs);
    Outcome fail(Queue &q, const QString &name, qint64 id, const QString &error, qint64 nowMs);
    void dropConsumerIfIdle(Queue &q, quint64 consumer);

    Options m_options;
    std::function<double()> m_random;
    std::map<QString, Queue> m_queues;
};

} // namespace Switchboard
