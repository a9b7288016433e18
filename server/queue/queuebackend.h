#pragma once

#include <functional>

#include <QtCore/QList>
#include <QtCore/QString>

#include "queuemessage.h"

namespace Switchboard {

/**
 * @brief The durable queues as the rest of the server sees them: what the HTTP routes, the
 * event proxy, the connections and the stats use.
 *
 * Two implementations: QueueService (one node: QueueEngine in memory over SQLite) and
 * RedisQueueBackend (`--redis`: the queues live in Redis and every node of the cluster shares
 * them). Every method may be called from any thread and never blocks; callbacks run on the
 * backend's own thread (post back from there when they touch thread-bound objects).
 */
class QueueBackend
{
public:
    virtual ~QueueBackend() = default;

    /// Starts the backend's thread (and, for Redis, its connection); false with @p error when
    /// the store cannot be opened.
    virtual bool start(QString *error) = 0;
    /// Settles what it can and joins its thread. Call after the I/O threads stopped.
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;
    virtual QString storeDescription() const = 0;
    virtual bool isDurable() const = 0;
    /// Acks and nacks that came too late (after the visibility timeout) or for a stranger's job.
    virtual quint64 lateSettles() const = 0;
    /// A snapshot (any thread): every queue, with the cluster's figures for a shared backend.
    virtual QList<QueueStats> stats() const = 0;

    /// Told of every message that moves to its dead-letter list after its last attempt, on the
    /// backend's thread (lifecycle webhooks). Set before start().
    using DeadLetterSink = std::function<void(const QString &queue, qint64 id, int attempts, const QString &error)>;
    virtual void setDeadLetterSink(DeadLetterSink sink) = 0;

    /// What enqueueAsync() did: stored (ok, the messages have their ids), refused because the
    /// queue is full (holds maxDepth live messages or would), or refused by the store.
    struct Enqueued
    {
        bool ok = false;
        bool full = false;
        bool tooManyQueues = false; // a new queue, and the store holds as many as it may
        qint64 depth = 0;     // live messages before this enqueue (with a maxDepth)
        QString error;
        QList<QueueMessage> messages;
    };
    /// Stores @p messages (same queue, validated) and hands the outcome to @p done once the
    /// store has accepted them (the 202 waits for it). With @p maxDepth > 0 a queue that would
    /// hold more live messages than that refuses them (Enqueued::full), nothing stored.
    virtual void enqueueAsync(QList<QueueMessage> messages, qint64 maxDepth, std::function<void(const Enqueued &)> done) = 0;

    /// What consumeIfKnown() did: subscribed, or refused because the queue does not exist, or
    /// because the store could not tell (Redis unreachable).
    enum class ConsumeAnswer { Subscribed, UnknownQueue, Unavailable };
    /**
     * A client's consume: subscribes only when @p queue exists or @p mayWait (it matches
     * --client-queues; the consumer then waits for the queue's first message). @p answer runs
     * with what it did, before any job of this queue is handed to the consumer.
     */
    virtual void consumeIfKnown(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs,
                                bool mayWait, std::function<void(ConsumeAnswer)> answer) = 0;
    /// Unsubscribes; @p done (optional) runs afterwards, in order with consumeIfKnown()'s answers.
    virtual void cancel(quint64 consumer, const QString &queue, std::function<void()> done = {}) = 0;
    virtual void settle(quint64 consumer, const QString &queue, qint64 id, bool ok, const QString &error) = 0;
    /// The consumer is gone: every job it holds returns (retry with backoff, or dead).
    virtual void consumerGone(quint64 consumer) = 0;

    /// A page of dead letters (oldest first, with payloads). known = the queue exists; ok =
    /// the store answered.
    struct DeadPage
    {
        bool known = false;
        bool ok = true;
        qint64 total = 0;
        QList<QueueMessage> messages;
    };
    virtual void deadLettersAsync(const QString &queue, int offset, int limit, std::function<void(const DeadPage &)> done) = 0;
    /// What a retry or a purge of dead letters did: known = the queue exists; count = how many
    /// moved, -1 when the store failed.
    struct Moved
    {
        bool known = false;
        qint64 count = -1;
    };
    /// Moves dead letters back to ready with their attempts reset (@p id 0 = all of the queue's).
    virtual void retryDeadAsync(const QString &queue, qint64 id, std::function<void(const Moved &)> done) = 0;
    virtual void purgeDeadAsync(const QString &queue, std::function<void(const Moved &)> done) = 0;
};

} // namespace Switchboard
