#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include "queuebackend.h"
#include "queueengine.h"
#include "queuestore.h"

namespace Switchboard {

class Server;
struct ServerConfig;

/**
 * @brief The durable queues: a QueueEngine and its QueueStore, owned by one "queue" thread.
 *
 * Every state change runs on that thread, so neither needs a lock. Other threads hand it
 * work with run() or post() (the HTTP routes, the console), call the fire-and-forget methods
 * (consumers on the I/O threads), or read the stats snapshot. The blocking methods are direct
 * calls on the queue thread; from any other thread they wait for it, which only tests do:
 * never an I/O thread or the GUI thread. Writes that need no reply (acks, attempts, retries) are grouped into one SQLite
 * transaction per turn of the queue thread's loop; an enqueue commits before it returns.
 */
class QueueService final : public QObject, public QueueBackend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QueueService)

public:
    QueueService(Server &server, const ServerConfig &config, std::unique_ptr<QueueStore> store);
    ~QueueService() override;

    /// Opens the store, recovers the queues and starts the queue thread.
    bool start(QString *error) override;
    /// Commits what is pending and joins the queue thread. Call after the I/O threads stopped.
    void stop() override;
    bool isRunning() const override { return m_running.load(std::memory_order_acquire); }

    // ---- on the queue thread (run(), post()); elsewhere they block: tests only -----------
    /// Commits @p messages (same queue, validated) and fills in their ids; false with @p error
    /// when the store refused them (nothing was enqueued then).
    bool enqueue(QList<QueueMessage> &messages, QString *error);
    /// Dead letters of @p queue (oldest first, with payloads) and how many there are.
    QList<QueueMessage> deadLetters(const QString &queue, int offset, int limit, qint64 *total);
    /// Moves dead letters back to ready (@p id 0 = all); returns how many.
    qint64 retryDead(const QString &queue, qint64 id);
    /// Deletes the queue's dead letters; returns how many.
    qint64 purgeDead(const QString &queue);
    /// Whether the queue exists (it was enqueued to or consumed from, ever).
    bool hasQueue(const QString &queue);

    // ---- fire and forget, from the I/O threads -------------------------------------------
    /**
     * A client's consume: subscribes only when @p queue exists or @p mayWait (it matches
     * --client-queues; the consumer then waits for the queue's first message). Nothing is
     * stored either way. @p answer runs on the queue thread with whether it subscribed,
     * before any job of this queue is handed to the consumer.
     */
    void consumeIfKnown(quint64 consumer, const QString &queue, int prefetch, qint64 visibilityTimeoutMs,
                        bool mayWait, std::function<void(ConsumeAnswer)> answer) override;
    /// Unsubscribes; @p done (optional) runs on the queue thread afterwards, in order with
    /// consumeIfKnown()'s answers.
    void cancel(quint64 consumer, const QString &queue, std::function<void()> done = {}) override;
    void settle(quint64 consumer, const QString &queue, qint64 id, bool ok, const QString &error) override;
    void consumerGone(quint64 consumer) override;

    // ---- QueueBackend's dead-letter calls: run on the queue thread, answer from there ----
    void deadLettersAsync(const QString &queue, int offset, int limit, std::function<void(const DeadPage &)> done) override;
    void retryDeadAsync(const QString &queue, qint64 id, std::function<void(const Moved &)> done) override;
    void purgeDeadAsync(const QString &queue, std::function<void(const Moved &)> done) override;

    // ---- snapshots, any thread, never block on the queue thread --------------------------
    QList<QueueStats> stats() const override;
    QString storeDescription() const override { return m_storeDescription; }
    bool isDurable() const override { return m_durable; }
    quint64 lateSettles() const override { return m_lateSettles.load(std::memory_order_relaxed); }

    /// Called on the queue thread (lifecycle webhooks). Set before start().
    void setDeadLetterSink(DeadLetterSink sink) override { m_deadLetterSink = std::move(sink); }

    /// The one enqueue path of the HTTP route and the event proxy's queue rules, from any
    /// thread: commits @p messages (same queue, validated) on the queue thread and hands the
    /// outcome to @p done there. With @p maxDepth > 0 a queue that would hold more live
    /// messages than that refuses them (Enqueued::full), nothing stored.
    void enqueueAsync(QList<QueueMessage> messages, qint64 maxDepth, std::function<void(const Enqueued &)> done) override;

    /// Runs @p work on the queue thread, where the blocking methods above are direct calls.
    /// The HTTP queue routes answer from there (Responder); nothing waits for it.
    template <typename Work>
    void run(Work work)
    {
        QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
    }

    /// Runs @p work on the queue thread and hands its result to @p done on @p context's thread.
    template <typename Work, typename Done>
    void post(Work work, QObject *context, Done done)
    {
        QMetaObject::invokeMethod(this, [work = std::move(work), context = QPointer<QObject>(context), done = std::move(done)]() mutable {
            auto result = work();
            if (context)
                QMetaObject::invokeMethod(context.data(), [done = std::move(done), result = std::move(result)]() mutable { done(result); },
                                          Qt::QueuedConnection);
        }, Qt::QueuedConnection);
    }

private:
    /// Runs @p work on the queue thread and returns its result (directly when already there).
    template <typename Work>
    auto call(Work work) -> std::invoke_result_t<Work>
    {
        using R = std::invoke_result_t<Work>;
        if (QThread::currentThread() == thread())
            return work();
        if constexpr (std::is_void_v<R>) {
            QMetaObject::invokeMethod(this, std::move(work), Qt::BlockingQueuedConnection);
        } else {
            R result{};
            QMetaObject::invokeMethod(this, [&result, &work] { result = work(); }, Qt::BlockingQueuedConnection);
            return result;
        }
    }

    void schedulePump();
    void pump();
    void persist(const QList<QueueEngine::Outcome> &outcomes);
    void deliver(const QueueEngine::Delivery &delivery);
    void publishStats();
    void sampleRates();
    bool commitPending(QString *error);
    /// Removes queues idle for --queue-idle-ttl from the engine, the store and the stats.
    void sweepIdle();
    void startIdleSweep();

    Server &m_server;
    std::unique_ptr<QueueStore> m_store;
    QueueEngine m_engine;
    QThread m_thread;
    QTimer *m_wakeTimer = nullptr;
    QTimer *m_rateTimer = nullptr;
    QTimer *m_idleTimer = nullptr;
    qint64 m_idleTtlMs = 0;
    bool m_pumpScheduled = false;
    std::atomic<bool> m_running{false};
    QString m_storeDescription;
    bool m_durable = false;
    std::atomic<quint64> m_lateSettles{0};
    DeadLetterSink m_deadLetterSink;

    mutable QMutex m_statsMutex;
    QList<QueueStats> m_stats;
    QHash<QString, QueueStats> m_lastTotals;
    qint64 m_lastTotalsAtMs = 0;
};

} // namespace Switchboard
