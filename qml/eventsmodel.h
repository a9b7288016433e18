#pragma once

#include <deque>

#include <QtCore/QAbstractListModel>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

#include "metrics/eventlog.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief The Events page's live log: newest first, bounded, filterable, exportable.
 *
 * Five times a second it pulls the rows the server's EventLog gained since the last pull
 * (one batched insert at the top, one batched removal at the bottom). It keeps at most
 * @c capacity rows; rows the server sampled away under load, and rows that left the server's
 * ring before they were pulled (while paused, say), are counted in @c skipped.
 */
class EventsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool paused READ paused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(QString nameFilter READ nameFilter WRITE setNameFilter NOTIFY filterChanged)
    Q_PROPERTY(QString roomFilter READ roomFilter WRITE setRoomFilter NOTIFY filterChanged)
    Q_PROPERTY(QString userFilter READ userFilter WRITE setUserFilter NOTIFY filterChanged)
    Q_PROPERTY(QString directionFilter READ directionFilter WRITE setDirectionFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int bufferedCount READ bufferedCount NOTIFY countChanged)
    Q_PROPERTY(qint64 received READ received NOTIFY countChanged)
    Q_PROPERTY(qint64 skipped READ skipped NOTIFY countChanged)
    Q_PROPERTY(int capacity READ capacity CONSTANT)

public:
    enum Role { SeqRole = Qt::UserRole + 1, TimeRole, TimestampRole, DirectionRole, NameRole,
                RoomRole, UserIdRole, ConnectionIdRole, DetailRole };
    Q_ENUM(Role)

    explicit EventsModel(QObject *parent = nullptr);
    EventsModel(Server *server, QObject *parent, int capacity = 10000);
    EventsModel(ConsoleSource *source, QObject *parent, int capacity = 10000);
    ~EventsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// While inactive (page hidden) rows are only buffered; the view is rebuilt on activation.
    bool active() const { return m_active; }
    void setActive(bool active);
    bool paused() const { return m_paused; }
    void setPaused(bool paused);
    QString nameFilter() const { return m_name; }
    void setNameFilter(const QString &text);
    QString roomFilter() const { return m_room; }
    void setRoomFilter(const QString &text);
    QString userFilter() const { return m_user; }
    void setUserFilter(const QString &text);
    QString directionFilter() const { return m_direction; }
    void setDirectionFilter(const QString &direction);
    int count() const { return int(m_rows.size()); }
    int bufferedCount() const { return int(m_all.size()); }
    qint64 received() const { return m_received; }
    qint64 skipped() const;
    int capacity() const { return m_capacity; }

    /// Writes the rows that pass the filters, oldest first, one JSON object a line.
    /// Returns the number of rows written, or -1 (see lastError()).
    Q_INVOKABLE int exportTo(const QString &pathOrUrl);
    Q_INVOKABLE QString lastError() const { return m_lastError; }
    Q_INVOKABLE QString defaultExportPath() const;
    Q_INVOKABLE void clear();
    Q_INVOKABLE void poll();
    /// True when any buffered row has this event/system name and user (for tests and search).
    Q_INVOKABLE bool contains(const QString &name, const QString &userId = {}) const;

Q_SIGNALS:
    void activeChanged();
    void pausedChanged();
    void filterChanged();
    void countChanged();

private:
    bool accepts(const EventLog::Entry &e) const;
    void refilter();

    void init();
    void updateSubscription();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QTimer m_timer;
    const int m_capacity;
    std::deque<EventLog::Entry> m_all;     // oldest first, every buffered row
    std::deque<EventLog::Entry> m_rows;    // newest first, the rows that pass the filters
    quint64 m_lastSeq = 0;
    qint64 m_received = 0;
    qint64 m_gaps = 0;
    quint64 m_skippedAtStart = 0;
    bool m_paused = false;
    bool m_active = true;
    bool m_stale = false;  // m_rows lags m_all because rows arrived while inactive
    QString m_name;
    QString m_room;
    QString m_user;
    QString m_direction;
    QString m_lastError;
};

} // namespace Switchboard
