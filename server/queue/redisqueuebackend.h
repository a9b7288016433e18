#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QThread>

#include "cluster/redislink.h"
#include "queuebackend.h"
#include "redisqueuescripts.h"

QT_BEGIN_NAMESPACE
class QTimer;
QT_END_NAMESPACE

namespace Switchboard {

struct ServerConfig;

/**
 * @brief The queues of a cluster (`--redis`): every message and its state live in Redis,
 * every node serves its own consumers from them (docs/queues.md, "Cluster mode").
 *
 * Each move between ready, delayed, in flight and dead is one Lua script
 * (RedisQueueScripts), so no message is ever in two states or in none. A node claims a job
 * for one of its local consumers at a time, round robin, while that consumer has prefetch
 * room; it learns of new work from a pub/sub notification and a periodic poll. Every node
 * runs the reaper that returns jobs past their visibility deadline, so the jobs held through
 * a node that died come back. Redis is reached through a RedisLink of its own (byte caps,
 * deadlines, reconnection); its replies are handled on this backend's thread, which holds
 * the node's consumers and the jobs they hold. Nothing here blocks.
 */
class RedisQueueBackend final : public QObject, public QueueBackend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisQueueBackend)

public:
    struct Options
    {
        QByteArray keyPrefix = "socket.io:";  // <--redis-key>:
        qint64 visibilityTimeoutMs = 30000;
        qint64 backoffBaseMs = 1000;
        qint64 backoffCapMs = 300000;
        bool fullSync = false;                // --queue-sync full: warn unless appendfsync always
        int pollIntervalMs = 1000;            // claims for idle consumers and the reaper
        int heartbeatIntervalMs = 2000;       // this node's consumer counts
        qint64 consumersStaleMs = 7000;       // a node not heard of for this long counts no consumers
        qint64 idleTtlMs = 3600000;           // --queue-idle-ttl: empty queues without consumers go; 0 = never
        qint64 maxQueues = 100000;            // queue names in Redis; an enqueue to a new one beyond is refused
        int deadBatch = 1000;                 // dead letters moved or deleted per script call
        int statsPage = 256;                  // queues per stats script call
        qint64 statsMaxAgeMs = 1000;          // a stats snapshot older than this is read again, if asked for
        qint64 statsDemandMs = 10000;         // ... while stats() was called within this long
    };
    /// Hands a job frame to a local consumer's connection.
    using JobSink = std::function<void(quint64 consumer, const QString &queue, qint64 id, const QString &frame)>;

    RedisQueueBackend(RedisUrl url, Options options, JobSink sink);
    ~RedisQueueBackend() override;

    bool start(QString *error) override;
    void stop() override;
    bool isRunning() const override { return m_running.load(std::memory_order_acquire); }
    QString storeDescription() const override { return m_description; }
    bool isDurable() const override { return true; }
    quint64 lateSettles() const override { return m_lateSettles.load(std::memory_order_relaxed); }
    QList<QueueStats> stats() const override;
    void setDeadLetterSink(DeadLetterSink sink) override { m_deadLetterSink = std::move(sink); }

    void enqueueAsync(QList<QueueMessage> messages, qint64 maxDepth, std::function<void(const Enqueued &)> done) override;
    void consumeIfKnown(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs, bool mayWait,
                        std::function<void(ConsumeAnswer)> answer) override;
    void cancel(quint64 consumer, const QString &queue, std::function<void()> done = {}) override;
    void settle(quint64 consumer, const QString &queue, qint64 id, bool ok, const QString &error) override;
    void consumerGone(quint64 consumer) override;
    void deadLettersAsync(const QString &queue, int offset, int limit, std::function<void(const DeadPage &)> done) override;
    void retryDeadAsync(const QString &queue, qint64 id, std::function<void(const Moved &)> done) override;
    void purgeDeadAsync(const QString &queue, std::function<void(const Moved &)> done) override;

    /// This node's identity in the holders of its jobs and in the consumer counts.
    QString nodeUid() const { return m_uid; }

private:
    struct Consumer
    {
        quint64 id = 0;
        int prefetch = 1;
        qint64 visibilityTimeoutMs = 0;
        int inFlight = 0;     // held jobs plus claims on their way
        bool active = true;   // false after cancel, until its jobs are settled
    };
    struct LocalQueue
    {
        std::vector<Consumer> consumers;
        size_t cursor = 0;
        int claiming = 0;     // claims sent, not answered yet
        bool drained = false; // the last claim found nothing ready: wait for a notification
    };
    struct Held
    {
        QString queue;
        quint64 consumer = 0;
        qint64 deadlineMs = 0;
    };

    /// EVALSHA, then EVAL when Redis does not know the script (NOSCRIPT, e.g. after a
    /// restart); @p done runs on this backend's thread.
    void eval(const RedisQueueScripts::Script &script, QList<QByteArray> args, std::function<void(const RedisReply &)> done);
    void pump(const QString &queue);
    void claimed(const QString &queue, quint64 consumer, int reserved, const QByteArray &claimId, const RedisReply &reply);
    /// Gives back what a claim whose reply was lost took (attempts not counted).
    void releaseClaim(const QString &queue, quint64 consumer, const QByteArray &claimId, int tries = 0);
    /// One batch of a DLQ retry-all (@p purge false) or purge; the next one from its answer.
    void moveDead(const QString &queue, bool purge, qint64 moved, qint64 limit, std::function<void(const Moved &)> done);
    void failJob(const QString &queue, qint64 id, quint64 consumer, const QString &error, int tries = 0);
    /// Acks are grouped per queue and sent once per turn of the thread's loop.
    void ackJob(const QString &queue, qint64 id, quint64 consumer);
    void flushAcks();
    void sendAcks(const QString &queue, const QList<QByteArray> &pairs, int tries);
    Consumer *findConsumer(LocalQueue &q, quint64 consumer);
    void dropConsumerIfIdle(const QString &queue, quint64 consumer);
    void subscribeLocal(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs);
    void expireLocal(qint64 nowMs);
    void tick();
    void reap();
    void heartbeat();
    void scheduleHeartbeat();
    void refreshStats();
    void statsPage(QByteArray cursor);
    QByteArray holder(quint64 consumer) const;

    const RedisUrl m_url;
    const Options m_options;
    const JobSink m_sink;
    const QString m_uid;
    const QString m_description;
    QThread m_thread;
    std::unique_ptr<RedisLink> m_link;
    QTimer *m_tick = nullptr;
    QTimer *m_heartbeatTimer = nullptr;
    std::atomic<bool> m_running{false};
    std::atomic<quint64> m_lateSettles{0};
    mutable std::atomic<qint64> m_statsAskedMs{0};
    DeadLetterSink m_deadLetterSink;

    // On the backend's thread only.
    QHash<QString, LocalQueue> m_local;
    QHash<qint64, Held> m_held;
    // Consumes waiting for Redis to say whether their queue exists, per consumer, and what
    // that consumer asked for meanwhile (cancel, gone): run in order once they are answered.
    QHash<quint64, int> m_pendingConsumes;
    QHash<quint64, QList<std::function<void()>>> m_deferred;
    QSet<QString> m_reported;      // queues whose consumer count of this node Redis holds
    QHash<QString, QList<QByteArray>> m_acks; // queue -> (id, holder) pairs to send
    bool m_ackFlushScheduled = false;
    bool m_heartbeatScheduled = false;
    bool m_statsInFlight = false;
    bool m_reapInFlight = false;
    bool m_checkedFsync = false;
    quint64 m_claimSeq = 0;
    QHash<QString, QueueStats> m_statsPass; // the pages of the stats pass under way
    qint64 m_statsAtMs = 0;                 // when the last pass finished
    QHash<QString, QueueStats> m_lastTotals;
    qint64 m_lastTotalsAtMs = 0;

    mutable QMutex m_statsMutex;
    QList<QueueStats> m_stats;
};

/// The backend's options from the server's configuration (--redis-key, --queue-*).
RedisQueueBackend::Options redisQueueOptions(const ServerConfig &config);

} // namespace Switchboard
