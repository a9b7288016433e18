#include "sqliteofflinestore.h"

#include <QtCore/QDateTime>
#include <QtCore/QUuid>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>

#include "core/logging.h"
#include "core/mailbox.h"

namespace Switchboard {

SqliteOfflineStore::SqliteOfflineStore()
{
    m_thread.setObjectName(QStringLiteral("switchboard-offline"));
}

SqliteOfflineStore::~SqliteOfflineStore()
{
    close();
}

bool SqliteOfflineStore::open(const QString &path, QString *error)
{
    if (isOpen())
        return true;
    m_path = path;
    m_connectionName = QStringLiteral("switchboard-offline-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
    m_executor = new QObject;
    m_executor->moveToThread(&m_thread);
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(m_executor, [this, &ok, error] {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(m_path);
        if (!db.open()) {
            *error = QStringLiteral("cannot open %1: %2").arg(m_path, db.lastError().text());
            return;
        }
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        // A lock held elsewhere is waited for here, on the store's thread only.
        q.exec(QStringLiteral("PRAGMA busy_timeout=5000"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        if (!q.exec(QStringLiteral(
                "CREATE TABLE IF NOT EXISTS offline_events ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, frame TEXT NOT NULL,"
                " created_at INTEGER NOT NULL)"))
            || !q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS offline_events_user ON offline_events(user_id, id)"))) {
            *error = QStringLiteral("cannot prepare %1: %2").arg(m_path, q.lastError().text());
            return;
        }
        if (q.exec(QStringLiteral("SELECT DISTINCT user_id FROM offline_events"))) {
            QMutexLocker lock(&m_usersMutex);
            while (q.next())
                m_usersWithEvents.insert(q.value(0).toString());
        }
        ok = true;
    }, Qt::BlockingQueuedConnection);
    if (!ok) {
        QMetaObject::invokeMethod(m_executor, [this] { QSqlDatabase::removeDatabase(m_connectionName); },
                                  Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_executor;
        m_executor = nullptr;
        m_path.clear();
        return false;
    }
    m_mailbox = std::make_shared<Mailbox>(m_executor);
    m_open.store(true, std::memory_order_release);
    return true;
}

void SqliteOfflineStore::close()
{
    if (!isOpen())
        return;
    m_open.store(false, std::memory_order_release);
    // Nothing new is queued from here on; what was queued runs before the last task.
    m_mailbox->close();
    QMetaObject::invokeMethod(m_executor, [this] {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
        m_leases.clear();
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_executor;
    m_executor = nullptr;
    // m_mailbox stays (closed): a late caller on another thread may still be reading it.
    m_path.clear();
    QMutexLocker lock(&m_usersMutex);
    m_usersWithEvents.clear();
}

bool SqliteOfflineStore::run(std::function<void()> task)
{
    if (QThread::currentThread() == &m_thread) {
        task();
        return true;
    }
    const std::shared_ptr<Mailbox> mailbox = isOpen() ? m_mailbox : nullptr;
    return mailbox && mailbox->post(std::move(task));
}

void SqliteOfflineStore::store(const QString &userId, const QString &frame, const Limits &limits,
                               std::function<void(const Stored &)> done)
{
    const bool queued = run([this, userId, frame, limits, done] {
        const Stored stored = storeNow(userId, frame, limits);
        if (done)
            done(stored);
    });
    if (!queued && done)
        done(Stored{false, 0, false, QStringLiteral("offline store is not open")});
}

void SqliteOfflineStore::take(const QString &userId, quint64 connectionId, std::function<void(const QList<Pending> &)> done)
{
    {
        QMutexLocker lock(&m_usersMutex);
        if (!m_usersWithEvents.contains(userId))
            return;
    }
    run([this, userId, connectionId, done = std::move(done)] {
        const QList<Pending> pending = takeNow(userId, connectionId);
        if (!pending.isEmpty())
            done(pending);
    });
}

void SqliteOfflineStore::remove(const QString &userId, qint64 rowId, std::function<void(bool)> done)
{
    Q_UNUSED(userId); // row ids are unique
    run([this, rowId, done = std::move(done)] {
        const bool removed = removeNow(rowId);
        if (done)
            done(removed);
    });
}

void SqliteOfflineStore::release(const QString &userId, quint64 connectionId)
{
    Q_UNUSED(userId);
    run([this, connectionId] {
        m_leases.removeIf([connectionId](const QHash<qint64, quint64>::iterator it) { return it.value() == connectionId; });
    });
}

int SqliteOfflineStore::pendingCount(const QString &userId)
{
    if (!isOpen())
        return 0;
    int count = 0;
    QMetaObject::invokeMethod(m_executor, [this, &count, &userId] { count = countNow(userId); }, Qt::BlockingQueuedConnection);
    return count;
}

OfflineStore::Stored SqliteOfflineStore::storeNow(const QString &userId, const QString &frame, const Limits &limits)
{
    Stored stored;
    const qint64 size = frame.toUtf8().size();
    if (size > limits.maxBytes) {
        stored.tooLarge = true;
        stored.error = QStringLiteral("the event is %1 bytes, over the %2 bytes kept per offline user")
                           .arg(size).arg(limits.maxBytes);
        return stored;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        stored.error = db.lastError().text();
        return stored;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO offline_events (user_id, frame, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(userId);
    q.addBindValue(frame);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    bool ok = q.exec();
    if (ok) {
        // Bounded per user in events and bytes: the oldest go first. At most maxEvents + 1
        // rows to walk, newest first.
        q.prepare(QStringLiteral("SELECT id, length(CAST(frame AS BLOB)) FROM offline_events WHERE user_id = ? ORDER BY id DESC"));
        q.addBindValue(userId);
        ok = q.exec();
        QList<qint64> over;
        qint64 bytes = 0;
        int count = 0;
        while (ok && q.next()) {
            bytes += q.value(1).toLongLong();
            if (++count > limits.maxEvents || bytes > limits.maxBytes)
                over.append(q.value(0).toLongLong());
        }
        q.finish();
        for (qsizetype i = 0; ok && i < over.size(); ++i) {
            q.prepare(QStringLiteral("DELETE FROM offline_events WHERE id = ?"));
            q.addBindValue(over.at(i));
            ok = q.exec();
        }
        stored.dropped = ok ? int(over.size()) : 0;
    }
    if (!ok || !db.commit()) { // the row is durable when commit() returns
        stored.error = ok ? db.lastError().text() : q.lastError().text();
        db.rollback();
        stored.dropped = 0;
        return stored;
    }
    stored.ok = true;
    QMutexLocker lock(&m_usersMutex);
    m_usersWithEvents.insert(userId);
    return stored;
}

QList<OfflineStore::Pending> SqliteOfflineStore::takeNow(const QString &userId, quint64 connectionId)
{
    QList<Pending> pending;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, frame FROM offline_events WHERE user_id = ? ORDER BY id"));
    q.addBindValue(userId);
    if (!q.exec()) {
        qCWarning(lcQueue).noquote() << "cannot read offline events of user" << userId << q.lastError().text();
        return pending;
    }
    bool any = false;
    while (q.next()) {
        any = true;
        const qint64 row = q.value(0).toLongLong();
        if (m_leases.contains(row))
            continue;
        m_leases.insert(row, connectionId);
        pending.append(Pending{row, q.value(1).toString()});
    }
    if (!any) {
        // Nothing stored any more (all acked): no asking for this user until store() again,
        // which runs on this thread too, so it cannot slip in between.
        QMutexLocker lock(&m_usersMutex);
        m_usersWithEvents.remove(userId);
    }
    return pending;
}

bool SqliteOfflineStore::removeNow(qint64 rowId)
{
    m_leases.remove(rowId);
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("DELETE FROM offline_events WHERE id = ?"));
    q.addBindValue(rowId);
    if (!q.exec()) {
        qCWarning(lcQueue).noquote() << "cannot delete acknowledged offline event" << rowId << q.lastError().text();
        return false;
    }
    return q.numRowsAffected() > 0;
}

int SqliteOfflineStore::countNow(const QString &userId)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
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
