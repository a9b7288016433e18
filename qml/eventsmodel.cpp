#include "eventsmodel.h"

#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtCore/QUrl>

#include "consolecontext.h"

namespace Switchboard {

EventsModel::EventsModel(QObject *parent) : EventsModel(ConsoleContext::source(), parent)
{
}

EventsModel::EventsModel(Server *server, QObject *parent, int capacity)
    : QAbstractListModel(parent), m_source(server), m_capacity(qMax(1, capacity))
{
    init();
}

EventsModel::EventsModel(ConsoleSource *source, QObject *parent, int capacity)
    : QAbstractListModel(parent), m_source(source), m_capacity(qMax(1, capacity))
{
    init();
}

EventsModel::~EventsModel()
{
    if (m_source)
        m_source->unsubscribe(QStringLiteral("events"));
}

// A remote node sends the log only while the page is shown (sampled under load; what it
// leaves out counts as skipped). The filters apply here, to what arrived.
void EventsModel::updateSubscription()
{
    if (!m_source)
        return;
    if (m_active)
        m_source->subscribe(QStringLiteral("events"), {{QStringLiteral("filter"), QString()}});
    else
        m_source->unsubscribe(QStringLiteral("events"));
}

void EventsModel::init()
{
    if (m_source) {
        // Start with what the server still remembers, so the page is not empty on open.
        m_skippedAtStart = m_source->eventsSkipped();
        connect(m_source.get(), &ConsoleSource::reset, this, &EventsModel::updateSubscription);
    }
    updateSubscription();
    m_timer.setInterval(200);
    connect(&m_timer, &QTimer::timeout, this, &EventsModel::poll);
    m_timer.start();
    poll();
}

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventLog::Entry &e = m_rows.at(size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return e.name;
    case SeqRole: return qint64(e.seq);
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(e.timestampMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case TimestampRole: return e.timestampMs;
    case DirectionRole: return EventLog::directionName(e.direction);
    case RoomRole: return e.room;
    case UserIdRole: return e.userId;
    case ConnectionIdRole: return qint64(e.connectionId);
    case DetailRole: return e.detail;
    }
    return {};
}

QHash<int, QByteArray> EventsModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {SeqRole, "seq"}, {TimeRole, "time"},
            {TimestampRole, "timestamp"}, {DirectionRole, "direction"}, {NameRole, "name"},
            {RoomRole, "room"}, {UserIdRole, "userId"}, {ConnectionIdRole, "connectionId"},
            {DetailRole, "detail"}};
}

qint64 EventsModel::skipped() const
{
    const quint64 serverSkipped = m_source ? m_source->eventsSkipped() - m_skippedAtStart : 0;
    return qint64(serverSkipped) + m_gaps;
}

void EventsModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged();
    if (!m_paused)
        poll();
}

void EventsModel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
    updateSubscription();
    if (m_active && m_stale) {
        m_stale = false;
        refilter();
    }
}

void EventsModel::setNameFilter(const QString &text)
{
    if (m_name == text)
        return;
    m_name = text;
    refilter();
}

void EventsModel::setRoomFilter(const QString &text)
{
    if (m_room == text)
        return;
    m_room = text;
    refilter();
}

void EventsModel::setUserFilter(const QString &text)
{
    if (m_user == text)
        return;
    m_user = text;
    refilter();
}

void EventsModel::setDirectionFilter(const QString &direction)
{
    if (m_direction == direction)
        return;
    m_direction = direction;
    refilter();
}

bool EventsModel::accepts(const EventLog::Entry &e) const
{
    if (!m_direction.isEmpty() && EventLog::directionName(e.direction) != m_direction)
        return false;
    if (!m_name.isEmpty() && !e.name.contains(m_name.trimmed(), Qt::CaseInsensitive))
        return false;
    if (!m_room.isEmpty() && !e.room.contains(m_room.trimmed(), Qt::CaseInsensitive))
        return false;
    if (!m_user.isEmpty() && !e.userId.contains(m_user.trimmed(), Qt::CaseInsensitive))
        return false;
    return true;
}

void EventsModel::refilter()
{
    m_stale = false;
    beginResetModel();
    m_rows.clear();
    for (auto it = m_all.crbegin(); it != m_all.crend(); ++it) {
        if (accepts(*it))
            m_rows.push_back(*it);
    }
    endResetModel();
    Q_EMIT filterChanged();
    Q_EMIT countChanged();
}

void EventsModel::poll()
{
    if (!m_source || m_paused)
        return;
    const QList<EventLog::Entry> fresh = m_source->eventsSince(m_lastSeq);
    if (fresh.isEmpty())
        return;
    // Rows that left the server's ring before we pulled them.
    if (m_lastSeq > 0 && fresh.first().seq > m_lastSeq + 1)
        m_gaps += qint64(fresh.first().seq - m_lastSeq - 1);
    m_lastSeq = fresh.last().seq;
    m_received += fresh.size();

    // Only the newest m_capacity rows of this batch can survive.
    const qsizetype begin = qMax<qsizetype>(0, fresh.size() - m_capacity);
    m_gaps += begin;
    QList<EventLog::Entry> visible;
    for (qsizetype i = begin; i < fresh.size(); ++i) {
        m_all.push_back(fresh.at(i));
        if (accepts(fresh.at(i)))
            visible.append(fresh.at(i));
    }
    // Drop the oldest buffered rows, and (in one removal) the displayed rows that went with them.
    if (m_all.size() > size_t(m_capacity))
        m_all.erase(m_all.begin(), m_all.begin() + qsizetype(m_all.size() - size_t(m_capacity)));
    if (!m_active) {
        // Nobody looks: keep buffering, but spare the (hidden) view hundreds of row inserts
        // a second. setActive(true) rebuilds the displayed rows in one reset.
        m_stale = true;
        Q_EMIT countChanged();
        return;
    }
    const quint64 oldestKept = m_all.empty() ? 0 : m_all.front().seq;
    int first = int(m_rows.size());
    while (first > 0 && m_rows.at(size_t(first - 1)).seq < oldestKept)
        --first;
    if (first < int(m_rows.size())) {
        beginRemoveRows({}, first, int(m_rows.size()) - 1);
        m_rows.erase(m_rows.begin() + first, m_rows.end());
        endRemoveRows();
    }
    QList<EventLog::Entry> kept;
    for (const EventLog::Entry &e : std::as_const(visible)) {
        if (e.seq >= oldestKept)
            kept.append(e);
    }
    if (!kept.isEmpty()) {
        beginInsertRows({}, 0, int(kept.size()) - 1);
        for (const EventLog::Entry &e : std::as_const(kept))
            m_rows.push_front(e); // newest ends up first
        endInsertRows();
    }
    Q_EMIT countChanged();
}

void EventsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_all.clear();
    endResetModel();
    Q_EMIT countChanged();
}

bool EventsModel::contains(const QString &name, const QString &userId) const
{
    for (const EventLog::Entry &e : m_all) {
        if (e.name == name && (userId.isEmpty() || e.userId == userId))
            return true;
    }
    return false;
}

QString EventsModel::defaultExportPath() const
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    return QDir(dir).filePath(QStringLiteral("switchboard-events-%1.jsonl")
                                  .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
}

int EventsModel::exportTo(const QString &pathOrUrl)
{
    const QUrl url(pathOrUrl);
    const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        m_lastError = tr("Cannot write %1: %2").arg(path, file.errorString());
        return -1;
    }
    int written = 0;
    for (auto it = m_rows.crbegin(); it != m_rows.crend(); ++it) {
        const EventLog::Entry &e = *it;
        QJsonObject o{{QStringLiteral("seq"), qint64(e.seq)},
                      {QStringLiteral("timestamp"), QDateTime::fromMSecsSinceEpoch(e.timestampMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                      {QStringLiteral("direction"), EventLog::directionName(e.direction)},
                      {QStringLiteral("name"), e.name}};
        if (!e.room.isEmpty())
            o.insert(QStringLiteral("room"), e.room);
        if (!e.userId.isEmpty())
            o.insert(QStringLiteral("userId"), e.userId);
        if (e.connectionId)
            o.insert(QStringLiteral("connectionId"), qint64(e.connectionId));
        if (!e.detail.isEmpty())
            o.insert(QStringLiteral("detail"), e.detail);
        file.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        file.write("\n");
        ++written;
    }
    if (!file.flush()) {
        m_lastError = tr("Cannot write %1: %2").arg(path, file.errorString());
        return -1;
    }
    m_lastError.clear();
    return written;
}

} // namespace Switchboard
