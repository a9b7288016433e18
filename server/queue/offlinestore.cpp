#include "offlinestore.h"

#include <QtCore/QDateTime>
#include <QtCore/QThread>
#include <QtCore/QUuid>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>

#include "core/logging.h"

namespace Switchboard {

OfflineStore::~OfflineStore()
{
    close();
}

QString OfflineStore::connectionName()
{
    const QString name = m_prefix + QString::number(quintptr(QThread::currentThreadId()));
    if (!QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_path);
        if (db.open()) {
            QSqlQuery pragma(db);
            pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            pragma.exec(QStringLiteral("PRAGMA busy_timeout=5000"));
            pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        } else {
            qCWarning(lcQueue) << "cannot open" << m_path << db.lastError().text();
        }
        QMutexLocker lock(&m_namesMutex);
        m_names << name;
    }
    return name;
}

bool OfflineStore::open(const QString &path, QString *error)
{
    m_path = path;
    m_prefix = QStringLiteral("switchboard-offline-%1-").arg(QUuid::createUuid().toString(QUuid::Id128));
    QSqlDatabase db = QSqlDatabase::database(connectionName());
    QSqlQuery q(db);
    if (!db.isOpen() || !q.exec(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS offline_events ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, frame TEXT NOT NULL,"
            " created_at INTEGER NOT NULL)"))
        || !q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS offline_events_user ON offline_events(user_id, id)"))) {
        *error = QStringLiteral("cannot prepare %1: %2").arg(path, db.isOpen() ? q.lastError().text() : db.lastError().text());
        close();
        return false;
    }
    if (q.exec(QStringLiteral("SELECT DISTINCT user_id FROM offline_events"))) {
        QMutexLocker lock(&m_leaseMutex);
        while (q.next())
            m_usersWithEvents.insert(q.value(0).toString());
    }
    return true;
}

void OfflineStore::close()
{
    QMutexLocker lock(&m_namesMutex);
    // The I/O threads that opened some of these may be gone; removing the connection closes
    // it without taking a handle (which Qt only allows from the owning thread).
    for (const QString &name : std::as_const(m_names))
        QSqlDatabase::removeDatabase(name);
    m_names.clear();
    m_path.clear();
    QMutexLocker leaseLock(&m_leaseMutex);
    m_leases.clear();
    m_usersWithEvents.clear();
}

bool OfflineStore::store(const QString &userId, const QString &frame, int maxPerUser, int *dropped, QString *error)
{
    *dropped = 0;
    if (!isOpen()) {
        *error = QStringLiteral("offline store is not open");
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(connectionName());
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO offline_events (user_id, frame, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(userId);
    q.addBindValue(frame);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    bool ok = q.exec();
    if (ok) {
        // Bounded per user: the oldest go first.
        q.prepare(QStringLiteral("DELETE FROM offline_events WHERE user_id = ? AND id NOT IN"
                                 " (SELECT id FROM offline_events WHERE user_id = ? ORDER BY id DESC LIMIT ?)"));
        q.addBindValue(userId);
        q.addBindValue(userId);
        q.addBindValue(maxPerUser);
        ok = q.exec();
        *dropped = ok ? q.numRowsAffected() : 0;
    }
    if (!ok || !db.commit()) { // the row is durable when commit() returns
        *error = ok ? db.lastError().text() : q.lastError().text();
        db.rollback();
        *dropped = 0;
        return false;
    }
    QMutexLocker lock(&m_leaseMutex);
    m_usersWithEvents.insert(userId);
    return true;
}

QList<OfflineStore::Pending> OfflineStore::take(const QString &userId, quint64 connectionId)
{
    QList<Pending> pending;
    if (!isOpen())
        return pending;
    // Held through the query: a store() for this user commits and then (under this lock)
    // marks the user, so it cannot be unmarked below by a query that missed its row.
    QMutexLocker lock(&m_leaseMutex);
    if (!m_usersWithEvents.contains(userId))
        return pending;
    QSqlQuery q(QSqlDatabase::database(connectionName()));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, frame FROM offline_events WHERE user_id = ? ORDER BY id"));
    q.addBindValue(userId);
    if (!q.exec())
        return pending;
    bool any = false;
    while (q.next()) {
        any = true;
        const qint64 row = q.value(0).toLongLong();
        if (m_leases.contains(row))
            continue;
        m_leases.insert(row, connectionId);
        pending.append(Pending{row, q.value(1).toString()});
    }
    // Nothing stored any more (all acked): skip SQLite for this user until store() again.
    if (!any)
        m_usersWithEvents.remove(userId);
    return pending;
}

bool OfflineStore::remove(qint64 rowId)
{
    {
        QMutexLocker lock(&m_leaseMutex);
        m_leases.remove(rowId);
    }
    if (!isOpen())
        return false;
    QSqlQuery q(QSqlDatabase::database(connectionName()));
    q.prepare(QStringLiteral("DELETE FROM offline_events WHERE id = ?"));
    q.addBindValue(rowId);
    return q.exec() && q.numRowsAffected() > 0;
}

void OfflineStore::release(quint64 connectionId)
{
    QMutexLocker lock(&m_leaseMutex);
    m_leases.removeIf([connectionId](const QHash<qint64, quint64>::iterator it) { return it.value() == connectionId; });
}

int OfflineStore::pendingCount(const QString &userId)
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(connectionName()));
    if (userId.isEmpty()) {
        q.exec(QStringLiteral("SELECT COUNT(*) FROM offline_events"));
    } else {
        q.prepare(QStringLiteral("SELECT COUNT(*) FROM offline_events WHERE user_id = ?"));
        q.addBindValue(userId);
        q.exec();
    }
    return q.next() ? q.value(0).toInt() : 0;
}

} // namespace Switchboard
