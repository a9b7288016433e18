#pragma once

#include <functional>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>

#include "queuemessage.h"

namespace Switchboard {

/**
 * @brief Where durable queue messages live. Narrow on purpose: the embedded default is
 * SQLite (SqliteQueueStore); a Redis store comes with cluster mode.
 *
 * Writes between begin() and commit() form one transaction (group commit); a write outside
 * one commits on its own. Used from one thread only.
 */
class QueueStore
{
public:
    virtual ~QueueStore() = default;

    virtual bool open(QString *error) = 0;
    virtual void close() = 0;
    virtual QString description() const = 0;  // e.g. "sqlite:/path/queues.db"
    virtual bool isDurable() const = 0;

    virtual bool begin() = 0;
    virtual bool commit(QString *error) = 0;
    virtual void rollback() = 0;
    virtual bool inTransaction() const = 0;

    /// Inserts @p messages (assigning their ids) and remembers their queue.
    virtual bool insert(QList<QueueMessage> &messages, QString *error) = 0;
    virtual bool addQueue(const QString &queue, QString *error) = 0;
    /// Forgets an empty queue (its name only; the caller knows it holds no message).
    virtual bool removeQueue(const QString &queue, QString *error) = 0;
    /// Every known queue, then every live message without its payload, oldest first.
    virtual bool load(const std::function<void(const QString &queue)> &queueSink,
                      const std::function<void(const QueueMessage &)> &messageSink, QString *error) = 0;
    virtual QHash<QString, qint64> deadCounts() = 0;
    virtual QByteArray payload(qint64 id) = 0;

    virtual bool setAttempts(qint64 id, int attempts) = 0;
    virtual bool remove(qint64 id) = 0;
    virtual bool reschedule(qint64 id, int attempts, qint64 availableAtMs, const QString &error) = 0;
    virtual bool bury(qint64 id, int attempts, const QString &error, qint64 deadAtMs) = 0;

    /// Dead letters of @p queue, oldest first, with payloads.
    virtual QList<QueueMessage> dead(const QString &queue, int offset, int limit) = 0;
    /// Moves dead letters back to ready with attempts reset (@p id 0 = all of the queue's);
    /// returns them without payloads.
    virtual QList<QueueMessage> revive(const QString &queue, qint64 id, qint64 nowMs) = 0;
    virtual qint64 purgeDead(const QString &queue) = 0;
};

} // namespace Switchboard
