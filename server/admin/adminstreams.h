#pragma once

#include <functional>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

class Server;

/**
 * @brief A page of keyed rows as the admin channel last sent it: update() answers a full
 * snapshot, or a diff of the rows that changed, came or went (with the page's order), or
 * nothing when nothing changed. What an open page costs is the rows that change, never the
 * whole table.
 */
class KeyedPage final
{
public:
    using Row = QPair<QString, QJsonObject>; // key, row

    /// The message to send for @p rows (in page order) of @p total matching; empty when
    /// nothing changed (rows, order, total and @p extra alike). @p full: a snapshot whatever
    /// changed. @p extra goes into either.
    QJsonObject update(const QString &stream, const QList<Row> &rows, qint64 total, bool full,
                       const QJsonObject &extra = {});

private:
    QStringList m_order;
    QHash<QString, QByteArray> m_rows; // key -> the row as sent (compact JSON)
    qint64 m_total = -1;
    QByteArray m_extra; // the extra fields as last sent: a change of them is a change too
};

/**
 * @brief One subscription of an admin channel (docs/admin-channel.md, "Streams"): its query,
 * and what it sends on each tick of the channel's hub. Lives in the hub's thread.
 */
class AdminStream
{
public:
    virtual ~AdminStream() = default;

    using Send = std::function<void(const QJsonObject &message)>;

    /// The stream named @p name, or null when there is no such stream.
    static std::unique_ptr<AdminStream> make(const QString &name, Server &server);
    static QStringList names();
    /// The role-table read (AdminRoles) a subscription needs.
    static QString tableAction(const QString &name);

    /// Takes a subscribe's query; the reason when it is not valid (nothing changes then).
    virtual QString setQuery(const QJsonObject &query) = 0;
    /// Called every tick (250 ms); @p full right after a subscribe: a snapshot is due.
    virtual void tick(qint64 nowMs, bool full, const Send &send) = 0;

protected:
    /// At most once a second, and at once when @p full.
    bool due(qint64 nowMs, bool full, qint64 periodMs = 1000)
    {
        if (!full && nowMs - m_lastMs < periodMs)
            return false;
        m_lastMs = nowMs;
        return true;
    }

private:
    qint64 m_lastMs = 0;
};

} // namespace Switchboard
