#include "sqlitequeuestore.h"

#include <type_traits>

#include <QtCore/QUuid>
#include <QtCore/QVariant>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>

#include "core/logging.h"

namespace Switchboard {

namespace {

enum Statement { Insert, AddQueue, Payload, SetAttempts, Remove, Reschedule, Bury, RemoveQueue, StatementCount };

QueueMessage messageFrom(const QSqlQuery &q, bool withPayload)
{
    // Column order of every SELECT below: id, queue, priority, attempts, max_attempts,
    // available_at, created_at, last_error, dead_at[, payload].
    QueueMessage m;
    m.id = q.value(0).toLongLong();
    m.queue = q.value(1).toString();
    m.priority = QueuePriority(std::clamp(q.value(2).toInt(), 0, 2));
    m.attempts = q.value(3).toInt();
    m.maxAttempts = q.value(4).toInt();
    m.availableAtMs = q.value(5).toLongLong();
    m.createdAtMs = q.value(6).toLongLong();
    m.lastError = q.value(7).toString();
    m.deadAtMs = q.value(8).toLongLong();
    if (withPayload)
        m.payload = q.value(9).toString().toUtf8();
    return m;
}

constexpr char kColumns[] = "id, queue, priority, attempts, max_attempts, available_at, created_at, last_error, dead_at";

} // namespace

SqliteQueueStore::SqliteQueueStore(const QString &path, bool fullSync)
    : m_path(path), m_fullSync(fullSync)
{
    static_assert(StatementCount <= std::extent_v<decltype(m_statements)>);
}

SqliteQueueStore::~SqliteQueueStore()
{
    close();
}

QString SqliteQueueStore::description() const
{
    return QStringLiteral("sqlite:") + (m_path.isEmpty() ? QStringLiteral(":memory:") : m_path);
}

bool SqliteQueueStore::open(QString *error)
{
    m_connectionName = QStringLiteral("switchboard-queues-") + QUuid::createUuid().toString(QUuid::Id128);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path.isEmpty() ? QStringLiteral(":memory:") : m_path);
    if (!m_db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(description(), m_db.lastError().text());
        return false;
    }
    QSqlQuery q(m_db);
    const QStringList setup = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        m_fullSync ? QStringLiteral("PRAGMA synchronous=FULL") : QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("PRAGMA busy_timeout=5000"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL)"),
        // AUTOINCREMENT: ids are never reused, so a stale ack cannot settle a newer message.
        QStringLiteral("CREATE TABLE IF NOT EXISTS queue_messages ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, payload TEXT NOT NULL,"
                       " priority INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
                       " max_attempts INTEGER NOT NULL, available_at INTEGER NOT NULL,"
                       " created_at INTEGER NOT NULL, last_error TEXT, dead_at INTEGER)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS queue_messages_dead ON queue_messages(queue, dead_at)"),
    };
    for (const QString &sql : setup) {
        if (!q.exec(sql)) {
            *error = QStringLiteral("cannot prepare %1: %2").arg(description(), q.lastError().text());
            close();
            return false;
        }
    }
    return true;
}

void SqliteQueueStore::close()
{
    if (m_connectionName.isEmpty())
        return;
    if (m_inTransaction)
        rollback();
    for (auto &statement : m_statements)
        statement.reset();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

QSqlQuery &SqliteQueueStore::prepared(int which, const char *sql)
{
    auto &statement = m_statements[which];
    if (!statement) {
        statement = std::make_unique<QSqlQuery>(m_db);
        if (!statement->prepare(QString::fromLatin1(sql)))
            qCWarning(lcQueue) << "cannot prepare" << sql << statement->lastError().text();
    }
    return *statement;
}

bool SqliteQueueStore::run(QSqlQuery &query, const char *what)
{
    if (query.exec())
        return true;
    qCWarning(lcQueue) << "queue store:" << what << "failed:" << query.lastError().text();
    return false;
}

bool SqliteQueueStore::begin()
{
    if (m_inTransaction)
        return true;
    m_inTransaction = m_db.transaction();
    return m_inTransaction;
}

bool SqliteQueueStore::commit(QString *error)
{
    if (!m_inTransaction)
        return true;
    m_inTransaction = false;
    if (m_db.commit())
        return true;
    if (error)
        *error = m_db.lastError().text();
    m_db.rollback();
    return false;
}

void SqliteQueueStore::rollback()
{
    if (!m_inTransaction)
        return;
    m_inTransaction = false;
    m_db.rollback();
}

bool SqliteQueueStore::addQueue(const QString &queue, QString *error)
{
    QSqlQuery &q = prepared(AddQueue, "INSERT OR IGNORE INTO queues (name, created_at) VALUES (?, strftime('%s','now') * 1000)");
    q.bindValue(0, queue);
    if (run(q, "add queue"))
        return true;
    *error = q.lastError().text();
    return false;
}

bool SqliteQueueStore::removeQueue(const QString &queue, QString *error)
{
    QSqlQuery &q = prepared(RemoveQueue, "DELETE FROM queues WHERE name = ?");
    q.bindValue(0, queue);
    if (run(q, "remove queue"))
        return true;
    *error = q.lastError().text();
    return false;
}

bool SqliteQueueStore::insert(QList<QueueMessage> &messages, QString *error)
{
    QSqlQuery &q = prepared(Insert, "INSERT INTO queue_messages (queue, payload, priority, attempts, max_attempts,"
                                    " available_at, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)");
    for (QueueMessage &m : messages) {
        q.bindValue(0, m.queue);
        q.bindValue(1, QString::fromUtf8(m.payload));
        q.bindValue(2, int(m.priority));
        q.bindValue(3, m.maxAttempts);
        q.bindValue(4, m.availableAtMs);
        q.bindValue(5, m.createdAtMs);
        if (!run(q, "insert")) {
            *error = q.lastError().text();
            return false;
        }
        m.id = q.lastInsertId().toLongLong();
    }
    return true;
}

bool SqliteQueueStore::load(const std::function<void(const QString &)> &queueSink,
                            const std::function<void(const QueueMessage &)> &messageSink, QString *error)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT name FROM queues ORDER BY name"))) {
        *error = q.lastError().text();
        return false;
    }
    while (q.next())
        queueSink(q.value(0).toString());
    // In-flight state is not stored: whatever was out with a consumer at a crash is ready again.
    if (!q.exec(QStringLiteral("SELECT %1 FROM queue_messages WHERE dead_at IS NULL ORDER BY id").arg(QLatin1String(kColumns)))) {
        *error = q.lastError().text();
        return false;
    }
    while (q.next())
        messageSink(messageFrom(q, false));
    return true;
}

QHash<QString, qint64> SqliteQueueStore::deadCounts()
{
    QHash<QString, qint64> counts;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT queue, COUNT(*) FROM queue_messages WHERE dead_at IS NOT NULL GROUP BY queue"))) {
        while (q.next())
            counts.insert(q.value(0).toString(), q.value(1).toLongLong());
    }
    return counts;
}

QByteArray SqliteQueueStore::payload(qint64 id)
{
    QSqlQuery &q = prepared(Payload, "SELECT payload FROM queue_messages WHERE id = ?");
    q.bindValue(0, id);
    if (!run(q, "read payload") || !q.next())
        return {};
    const QByteArray payload = q.value(0).toString().toUtf8();
    q.finish();
    return payload;
}

bool SqliteQueueStore::setAttempts(qint64 id, int attempts)
{
    QSqlQuery &q = prepared(SetAttempts, "UPDATE queue_messages SET attempts = ? WHERE id = ?");
    q.bindValue(0, attempts);
    q.bindValue(1, id);
    return run(q, "count attempt");
}

bool SqliteQueueStore::remove(qint64 id)
{
    QSqlQuery &q = prepared(Remove, "DELETE FROM queue_messages WHERE id = ?");
    q.bindValue(0, id);
    return run(q, "remove");
}

bool SqliteQueueStore::reschedule(qint64 id, int attempts, qint64 availableAtMs, const QString &error)
{
    QSqlQuery &q = prepared(Reschedule, "UPDATE queue_messages SET attempts = ?, available_at = ?, last_error = ? WHERE id = ?");
    q.bindValue(0, attempts);
    q.bindValue(1, availableAtMs);
    q.bindValue(2, error);
    q.bindValue(3, id);
    return run(q, "reschedule");
}

bool SqliteQueueStore::bury(qint64 id, int attempts, const QString &error, qint64 deadAtMs)
{
    QSqlQuery &q = prepared(Bury, "UPDATE queue_messages SET attempts = ?, last_error = ?, dead_at = ? WHERE id = ?");
    q.bindValue(0, attempts);
    q.bindValue(1, error);
    q.bindValue(2, deadAtMs);
    q.bindValue(3, id);
    return run(q, "dead-letter");
}

QList<QueueMessage> SqliteQueueStore::dead(const QString &queue, int offset, int limit)
{
    QList<QueueMessage> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1, payload FROM queue_messages WHERE queue = ? AND dead_at IS NOT NULL"
                             " ORDER BY dead_at, id LIMIT ? OFFSET ?").arg(QLatin1String(kColumns)));
    q.addBindValue(queue);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (run(q, "list dead letters")) {
        while (q.next())
            list << messageFrom(q, true);
    }
    return list;
}

QList<QueueMessage> SqliteQueueStore::revive(const QString &queue, qint64 id, qint64 nowMs)
{
    QList<QueueMessage> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const QString where = id ? QStringLiteral("queue = ? AND dead_at IS NOT NULL AND id = ?")
                             : QStringLiteral("queue = ? AND dead_at IS NOT NULL");
    q.prepare(QStringLiteral("SELECT %1 FROM queue_messages WHERE %2 ORDER BY id").arg(QLatin1String(kColumns), where));
    q.addBindValue(queue);
    if (id)
        q.addBindValue(id);
    if (!run(q, "find dead letters"))
        return list;
    while (q.next()) {
        QueueMessage m = messageFrom(q, false);
        m.attempts = 0;
        m.availableAtMs = nowMs;
        m.deadAtMs = 0;
        list << m;
    }
    q.finish();
    q.prepare(QStringLiteral("UPDATE queue_messages SET attempts = 0, available_at = ?, dead_at = NULL WHERE %1").arg(where));
    q.addBindValue(nowMs);
    q.addBindValue(queue);
    if (id)
        q.addBindValue(id);
    if (!run(q, "revive dead letters"))
        list.clear();
    return list;
}

qint64 SqliteQueueStore::purgeDead(const QString &queue)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM queue_messages WHERE queue = ? AND dead_at IS NOT NULL"));
    q.addBindValue(queue);
    if (!run(q, "purge dead letters"))
        return -1;
    return q.numRowsAffected();
}

} // namespace Switchboard
