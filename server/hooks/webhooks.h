#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QSemaphore>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include "hooks/hookclient.h"
#include "hooks/webhooksettings.h"

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

class Mailbox;
struct ConnectionInfo;

/**
 * @brief Lifecycle webhooks: connects, disconnects, joins, leaves and queue dead letters,
 * batched and POSTed (signed by HookClient) to --webhook-url.
 *
 * Any thread records an event; it only serialises it and appends it to a bounded queue under a
 * short lock (no I/O, no waiting). When the queue is full (in events or bytes) the event is
 * dropped and counted. A sender on its own thread takes up to batchSize events every batchMs
 * (at once when a batch is full), POSTs one batch at a time, and retries a failed batch with
 * a full-jitter backoff and the same batch id until it is delivered, so the stream stays in
 * order; events keep queueing meanwhile, up to the bounds.
 */
class Webhooks final
{
    Q_DISABLE_COPY_MOVE(Webhooks)

public:
    enum Type : quint32 { Connect = 1, Disconnect = 2, Join = 4, Leave = 8, DeadLetter = 16 };

    Webhooks(const WebhookSettings &settings, const QByteArray &secret);
    ~Webhooks();

    /// Starts the sender's thread (before anything records events).
    void start();
    /// Sends what is queued for at most flushMs, then drops the rest (counted) and joins the
    /// thread. Call after the threads that record events have stopped.
    void stop();

    bool wants(Type type) const { return m_settings.events & type; }
    // Any thread; never blocks beyond a short lock.
    void connected(const ConnectionInfo &info, const QStringList &rooms);
    void disconnected(const ConnectionInfo &info, int code, const QString &reason);
    void joined(const ConnectionInfo &info, const QString &room);
    void left(const ConnectionInfo &info, const QString &room);
    void deadLetter(const QString &queue, qint64 messageId, int attempts, const QString &error);

    /// Prometheus lines (any thread).
    QByteArray prometheusText() const;

    class Sender;

private:
    friend class Sender;
    void record(Type type, QJsonObject event);
    static QJsonObject connectionFields(const ConnectionInfo &info);

    const WebhookSettings m_settings;
    HookClient m_client;

    // The queue, shared by every recording thread and the sender.
    mutable QMutex m_lock;
    std::deque<QByteArray> m_queue;
    qint64 m_queueBytes = 0;
    quint64 m_nextSeq = 1;

    std::atomic<quint64> m_deliveredBatches{0};
    std::atomic<quint64> m_deliveredEvents{0};
    std::atomic<quint64> m_failedAttempts{0};
    std::atomic<quint64> m_droppedFull{0};
    std::atomic<quint64> m_droppedRejected{0};
    std::atomic<quint64> m_droppedShutdown{0};
    std::atomic<bool> m_wakePosted{false};

    QThread *m_thread = nullptr;
    Sender *m_sender = nullptr;
    std::shared_ptr<Mailbox> m_mailbox;
    QSemaphore m_drained;
};

} // namespace Switchboard
