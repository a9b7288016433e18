#pragma once

#include <memory>

#include <QtSql/QSqlDatabase>

#include "queuestore.h"

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief The embedded queue store: one SQLite file in WAL mode, owned by the queue thread.
 *
 * synchronous=NORMAL (the default) makes a commit durable against a crash of the process
 * (kill -9): the WAL is in the OS before commit() returns. synchronous=FULL also survives a
 * power cut, at the price of an fsync per commit. An empty path means an in-memory database
 * (no data dir): queues work, nothing survives a restart.
 */
class SqliteQueueStore final : public QueueStore
{
public:
    explicit SqliteQueueStore(const QString &path, bool fullSync = false);
    ~SqliteQueueStore() override;

    bool open(QString *error) override;
    void close() override;
    QString description() const override;
    bool isDurable() const override { return !m_path.isEmpty(); }

    bool begin() override;
    bool commit(QString *error) override;
    void rollback() override;
    bool inTransaction() const override { return m_inTransaction; }

    bool insert(QList<QueueMessage> &messages, QString *error) override;
    bool addQueue(const QString &queue, QString *error) override;
    bool removeQueue(const QString &queue, QString *error) override;
    bool load(const std::function<void(const QString &)> &queueSink,
              const std::function<void(const QueueMessage &)> &messageSink, QString *error) override;
    QHash<QString, qint64> deadCounts() override;
    QByteArray payload(qint64 id) override;

    bool setAttempts(qint64 id, int attempts) override;
    bool remove(qint64 id) override;
    bool reschedule(qint64 id, int attempts, qint64 availableAtMs, const QString &error) override;
    bool bury(qint64 id, int attempts, const QString &error, qint64 deadAtMs) override;

    QList<QueueMessage> dead(const QString &queue, int offset, int limit) override;
    QList<QueueMessage> revive(const QString &queue, qint64 id, qint64 nowMs) override;
    qint64 purgeDead(const QString &queue) override;

private:
    QSqlQuery &prepared(int which, const char *sql);
    bool run(QSqlQuery &query, const char *what);

    QString m_path;
    bool m_fullSync = false;
    QString m_connectionName;
    QSqlDatabase m_db;
    bool m_inTransaction = false;
    std::unique_ptr<QSqlQuery> m_statements[12];
};

} // namespace Switchboard
