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
}

bool OfflineStore::store(const QString &userId, const QString &frame, QString *error)
{
    if (!isOpen()) {
        *error = QStringLiteral("offline store is not open");
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(connectionName());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM offline_events WHERE user_id = ?"));
    q.addBindValue(userId);
    if (q.exec() && q.next() && q.value(0).toInt() >= kMaxPerUser) {
        *error = QStringLiteral("user %1 already has %2 offline events waiting").arg(userId).arg(kMaxPerUser);
        return false;
    }
    q.prepare(QStringLiteral("INSERT INTO offline_events (user_id, frame, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(userId);
    q.addBindValue(frame);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec()) { // autocommit: the row is durable when exec() returns
        *error = q.lastError().text();
        return false;
    }
    return true;
}

QStringList OfflineStore::take(const QString &userId)
{
    QStringList frames;
    if (!isOpen())
        return frames;
    QSqlDatabase db = QSqlDatabase::database(connectionName());
    db.transaction();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT frame FROM offline_events WHERE user_id = ? ORDER BY id"));
    q.addBindValue(userId);
    if (q.exec()) {
        while (q.next())
            frames << q.value(0).toString();
    }
    if (!frames.isEmpty()) {
        q.prepare(QStringLiteral("DELETE FROM offline_events WHERE user_id = ?"));
        q.addBindValue(userId);
        q.exec();
    }
    db.commit();
    return frames;
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
