#pragma once

#include <functional>

#include <QtCore/QObject>
#include <QtQml/qqmlregistration.h>

namespace Switchboard {

class QueueBackend;
class Server;

/**
 * @brief The Queues page's operations: enqueue a test message, retry one or all dead
 * letters, purge them.
 *
 * Each is validated here (as the HTTP API validates, with the same limits) and then handed
 * to the QueueBackend (SQLite on one node, Redis in a cluster), whose answer is posted back
 * here: the store is never waited for on the GUI thread. The outcome comes back as `finished` and in @c message / @c failed, in words
 * for the page to show.
 */
class QueueActions : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString message READ message NOTIFY outcomeChanged)
    Q_PROPERTY(bool failed READ failed NOTIFY outcomeChanged)
    Q_PROPERTY(int completed READ completed NOTIFY outcomeChanged)
    Q_PROPERTY(QString lastEnqueuedId READ lastEnqueuedId NOTIFY outcomeChanged)
    Q_PROPERTY(int defaultMaxAttempts READ defaultMaxAttempts CONSTANT)

public:
    enum Action { Enqueue, Retry, RetryAll, Purge };
    Q_ENUM(Action)
    /// In the order of QueuePriority.
    enum Priority { High, Normal, Low };
    Q_ENUM(Priority)

    /// The longest delay accepted (as POST /api/queues/:name/messages): 30 days.
    static constexpr qint64 kMaxDelayMs = 30LL * 24 * 3600 * 1000;

    explicit QueueActions(QObject *parent = nullptr);
    QueueActions(Server *server, QObject *parent);

    bool busy() const { return m_pending > 0; }
    QString message() const { return m_message; }
    bool failed() const { return m_failed; }
    int completed() const { return m_completed; }
    QString lastEnqueuedId() const { return m_lastEnqueuedId; }
    int defaultMaxAttempts() const;

    /// Why @p name cannot be a queue name, or an empty string when it can.
    Q_INVOKABLE QString queueNameProblem(const QString &name) const;

    /**
     * Enqueues one message with @p payloadJson (any JSON value). False, with @c message set,
     * when it is refused before reaching the store (bad name, JSON, size, attempts, delay, no
     * store); otherwise `finished` follows once the message is committed, or was not.
     */
    Q_INVOKABLE bool enqueue(const QString &queue, const QString &payloadJson, int priority = Normal,
                             qint64 delayMs = 0, int maxAttempts = 0);
    /// Moves dead letter @p id of @p queue back to ready.
    Q_INVOKABLE bool retry(const QString &queue, qint64 id);
    Q_INVOKABLE bool retryAll(const QString &queue);
    /// Deletes every dead letter of @p queue.
    Q_INVOKABLE bool purge(const QString &queue);

Q_SIGNALS:
    void busyChanged();
    void outcomeChanged();
    void finished(int action, bool ok, const QString &message);

private:
    struct Outcome
    {
        bool ok = false;
        qint64 count = 0;   // messages retried or purged; the id of an enqueued one
        QString error;      // store error text (enqueue)
        bool unknownQueue = false;
        bool unavailable = false; // the service stopped before the work ran
    };

    using Reply = std::function<void(const Outcome &)>;
    QueueBackend *service();
    bool refuse(Action action, const QString &message);
    void done(Action action, bool ok, const QString &message);
    template <typename Work, typename Message>
    bool run(Action action, Work work, Message message);

    Server *m_server = nullptr;
    int m_pending = 0;
    QString m_message;
    bool m_failed = false;
    int m_completed = 0;
    QString m_lastEnqueuedId;
};

} // namespace Switchboard
