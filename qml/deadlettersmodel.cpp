#include "deadlettersmodel.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>

#include "consolecontext.h"
#include "rowdiff.h"
#include "server.h"

namespace Switchboard {

namespace {

QString timeText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

// Short, for a narrow column: the time of day today, else the date and minute.
QString shortTimeText(qint64 ms)
{
    if (ms <= 0)
        return {};
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms);
    return at.date() == QDate::currentDate() ? at.toString(QStringLiteral("HH:mm:ss"))
                                             : at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

bool DeadLettersModel::Row::operator==(const Row &o) const
{
    return id == o.id && payload == o.payload && priority == o.priority && attempts == o.attempts
        && maxAttempts == o.maxAttempts && lastError == o.lastError && createdAtMs == o.createdAtMs
        && deadAtMs == o.deadAtMs;
}

DeadLettersModel::DeadLettersModel(QObject *parent) : DeadLettersModel(ConsoleContext::server(), parent)
{
}

DeadLettersModel::DeadLettersModel(Server *server, QObject *parent) : QAbstractListModel(parent), m_server(server)
{
    m_timer.setInterval(500);
    connect(&m_timer, &QTimer::timeout, this, &DeadLettersModel::poll);
    m_timer.start();
}

int DeadLettersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DeadLettersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case PayloadRole: return r.payload;
    case MessageIdRole: return r.id;
    case PriorityRole: return r.priority;
    case AttemptsRole: return r.attempts;
    case MaxAttemptsRole: return r.maxAttempts;
    case LastErrorRole: return r.lastError;
    case CreatedAtRole: return timeText(r.createdAtMs);
    case DeadAtRole: return timeText(r.deadAtMs);
    case DeadAtShortRole: return shortTimeText(r.deadAtMs);
    case DeadAtMsRole: return r.deadAtMs;
    }
    return {};
}

QHash<int, QByteArray> DeadLettersModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {MessageIdRole, "messageId"}, {PayloadRole, "payload"},
            {PriorityRole, "priority"}, {AttemptsRole, "attempts"}, {MaxAttemptsRole, "maxAttempts"},
            {LastErrorRole, "lastError"}, {CreatedAtRole, "createdAt"}, {DeadAtRole, "deadAt"},
            {DeadAtShortRole, "deadAtShort"}, {DeadAtMsRole, "deadAtMs"}};
}

void DeadLettersModel::setQueue(const QString &queue)
{
    if (m_queue == queue)
        return;
    m_queue = queue;
    ++m_generation;
    m_seenDead = -1;
    if (m_offset != 0) {
        m_offset = 0;
        Q_EMIT offsetChanged();
    }
    // Another queue's letters must not stay on screen while the new page loads.
    if (!m_rows.isEmpty()) {
        beginResetModel();
        m_rows.clear();
        endResetModel();
    }
    m_total = 0;
    Q_EMIT queueChanged();
    Q_EMIT loaded();
    reload();
}

void DeadLettersModel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    if (m_active) {
        m_timer.start();
        poll();
    } else {
        m_timer.stop();
    }
    Q_EMIT activeChanged();
}

void DeadLettersModel::setOffset(int offset)
{
    offset = qMax(0, offset);
    if (m_offset == offset)
        return;
    m_offset = offset;
    ++m_generation;
    Q_EMIT offsetChanged();
    reload();
}

void DeadLettersModel::setPageSize(int size)
{
    size = qBound(1, size, 500); // what the store serves in one go (as GET .../dlq)
    if (m_pageSize == size)
        return;
    m_pageSize = size;
    ++m_generation;
    Q_EMIT pageSizeChanged();
    reload();
}

qint64 DeadLettersModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : 0;
}

int DeadLettersModel::rowOfId(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id)
            return i;
    }
    return -1;
}

QString DeadLettersModel::prettyPayload(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    const QString &payload = m_rows.at(row).payload;
    const QJsonDocument doc = QJsonDocument::fromJson(payload.toUtf8());
    if (doc.isObject() || doc.isArray())
        return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
    return payload;
}

void DeadLettersModel::nextPage()
{
    if (hasNext())
        setOffset(m_offset + m_pageSize);
}

void DeadLettersModel::previousPage()
{
    setOffset(qMax(0, m_offset - m_pageSize));
}

void DeadLettersModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

// Twice a second from the stats snapshot (no work for the queue thread): has the list changed?
void DeadLettersModel::poll()
{
    if (m_queue.isEmpty() || !m_server)
        return;
    QueueBackend *queues = m_server->queueBackend();
    if (!queues || !queues->isRunning())
        return;
    for (const QueueStats &s : queues->stats()) {
        if (s.name != m_queue)
            continue;
        if (s.dead != m_seenDead || s.deadLettered != m_seenDeadLettered)
            reload();
        return;
    }
}

void DeadLettersModel::reload()
{
    if (m_queue.isEmpty() || !m_server)
        return;
    QueueBackend *queues = m_server->queueBackend();
    if (!queues || !queues->isRunning()) {
        if (!m_rows.isEmpty() || m_total != 0) {
            beginResetModel();
            m_rows.clear();
            endResetModel();
            m_total = 0;
            ++m_loads;
            Q_EMIT loaded();
        }
        return;
    }
    if (m_loading) {
        // One request at a time; the newest state is asked for when this one is back.
        m_reloadWanted = true;
        return;
    }
    // Remember what the stats said when the request left, so a change after it is noticed.
    for (const QueueStats &s : queues->stats()) {
        if (s.name == m_queue) {
            m_seenDead = s.dead;
            m_seenDeadLettered = s.deadLettered;
        }
    }
    setLoading(true);
    m_reloadWanted = false;
    const QString queue = m_queue;
    const int offset = m_offset;
    const int limit = m_pageSize;
    const quint64 generation = m_generation;
    // Answered on the queue thread; applied here.
    queues->deadLettersAsync(queue, offset, limit, [self = QPointer<DeadLettersModel>(this), generation](const QueueBackend::DeadPage &dead) {
        Page page;
        page.messages = dead.messages;
        page.total = dead.total;
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, generation, page] { if (self) self->applyLoaded(generation, page); }, Qt::QueuedConnection);
    });
}

void DeadLettersModel::applyLoaded(quint64 generation, const Page &page)
{
    setLoading(false);
    if (generation == m_generation)
        apply(page);
    if (m_reloadWanted || generation != m_generation)
        reload();
}

void DeadLettersModel::apply(const Page &page)
{
    // Past the end (the last page was retried or purged away): show the last page there is.
    if (m_offset > 0 && m_offset >= page.total) {
        const int last = page.total > 0 ? int((page.total - 1) / m_pageSize) * m_pageSize : 0;
        m_offset = last;
        ++m_generation;
        Q_EMIT offsetChanged();
        m_reloadWanted = true;
        return;
    }
    QList<Row> next;
    next.reserve(page.messages.size());
    for (const QueueMessage &m : page.messages) {
        Row r;
        r.id = m.id;
        r.payload = m.payload.isEmpty() ? QStringLiteral("null") : QString::fromUtf8(m.payload);
        r.priority = priorityName(m.priority);
        r.attempts = m.attempts;
        r.maxAttempts = m.maxAttempts;
        r.lastError = m.lastError;
        r.createdAtMs = m.createdAtMs;
        r.deadAtMs = m.deadAtMs;
        next.append(r);
    }
    RowDiffOps ops{
        [this](int f, int l) { beginRemoveRows({}, f, l); }, [this] { endRemoveRows(); },
        [this](int f, int l) { beginInsertRows({}, f, l); }, [this] { endInsertRows(); },
        [this] { beginResetModel(); }, [this] { endResetModel(); },
        [this](int f, int l) { Q_EMIT dataChanged(index(f), index(l)); }};
    syncRows(m_rows, next, [](const Row &r) { return r.id; }, ops);
    m_total = page.total;
    ++m_loads;
    Q_EMIT loaded();
}

} // namespace Switchboard
