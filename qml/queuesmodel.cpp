#include "queuesmodel.h"

#include <algorithm>

#include <QtCore/QDateTime>

#include "consolecontext.h"
#include "rowdiff.h"
#include "server.h"

namespace Switchboard {

bool QueuesModel::Row::operator==(const Row &o) const
{
    return name == o.name && ready == o.ready && inFlight == o.inFlight && delayed == o.delayed && dead == o.dead
        && consumers == o.consumers && enqueuedPerSec == o.enqueuedPerSec && ackedPerSec == o.ackedPerSec
        && nackedPerSec == o.nackedPerSec && deadLetteredPerSec == o.deadLetteredPerSec && enqueued == o.enqueued
        && acked == o.acked && nacked == o.nacked && deadLettered == o.deadLettered;
}

QueuesModel::QueuesModel(QObject *parent) : QueuesModel(ConsoleContext::server(), parent)
{
}

QueuesModel::QueuesModel(Server *server, QObject *parent) : QAbstractListModel(parent), m_server(server)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &QueuesModel::refresh);
    m_timer.start();
    if (m_server)
        connect(m_server, &Server::sampled, this, &QueuesModel::sample);
    refresh();
}

int QueuesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant QueuesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return r.name;
    case ReadyRole: return r.ready;
    case InFlightRole: return r.inFlight;
    case DelayedRole: return r.delayed;
    case DeadRole: return r.dead;
    case DepthRole: return r.ready + r.inFlight + r.delayed;
    case ConsumersRole: return r.consumers;
    case EnqueuedPerSecRole: return r.enqueuedPerSec;
    case AckedPerSecRole: return r.ackedPerSec;
    case NackedPerSecRole: return r.nackedPerSec;
    case DeadLetteredPerSecRole: return r.deadLetteredPerSec;
    case EnqueuedRole: return qint64(r.enqueued);
    case AckedRole: return qint64(r.acked);
    case NackedRole: return qint64(r.nacked);
    case DeadLetteredRole: return qint64(r.deadLettered);
    }
    return {};
}

QHash<int, QByteArray> QueuesModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {NameRole, "name"}, {ReadyRole, "ready"}, {InFlightRole, "inFlight"},
            {DelayedRole, "delayed"}, {DeadRole, "dead"}, {DepthRole, "depth"}, {ConsumersRole, "consumers"},
            {EnqueuedPerSecRole, "enqueuedPerSec"}, {AckedPerSecRole, "ackedPerSec"},
            {NackedPerSecRole, "nackedPerSec"}, {DeadLetteredPerSecRole, "deadLetteredPerSec"},
            {EnqueuedRole, "enqueued"}, {AckedRole, "acked"}, {NackedRole, "nacked"},
            {DeadLetteredRole, "deadLettered"}};
}

void QueuesModel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    if (m_active) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
    }
    Q_EMIT activeChanged();
}

QString QueuesModel::nameAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).name : QString();
}

int QueuesModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == name)
            return i;
    }
    return -1;
}

qint64 QueuesModel::deadOf(const QString &name) const
{
    const int row = rowOf(name);
    return row < 0 ? 0 : m_rows.at(row).dead;
}

void QueuesModel::updateAvailability()
{
    // The service comes and goes with the server (start/stop from the Overview page).
    const QueueBackend *queues = m_server ? m_server->queueBackend() : nullptr;
    const bool available = queues && queues->isRunning();
    const QString description = queues ? queues->storeDescription() : QString();
    const bool durable = queues && queues->isDurable();
    if (available == m_available && description == m_storeDescription && durable == m_durable)
        return;
    m_available = available;
    m_storeDescription = description;
    m_durable = durable;
    Q_EMIT availableChanged();
}

void QueuesModel::refresh()
{
    updateAvailability();
    const QList<QueueStats> stats = m_available ? m_server->queueBackend()->stats() : QList<QueueStats>();
    QList<Row> next;
    next.reserve(stats.size());
    Row totals;
    for (const QueueStats &s : stats) {
        Row r;
        r.name = s.name;
        r.ready = s.ready;
        r.inFlight = s.inFlight;
        r.delayed = s.delayed;
        r.dead = s.dead;
        r.consumers = s.consumers;
        r.enqueuedPerSec = s.enqueuedPerSec;
        r.ackedPerSec = s.ackedPerSec;
        r.nackedPerSec = s.nackedPerSec;
        r.deadLetteredPerSec = s.deadLetteredPerSec;
        r.enqueued = s.enqueued;
        r.acked = s.acked;
        r.nacked = s.nacked;
        r.deadLettered = s.deadLettered;
        next.append(r);
        totals.ready += r.ready;
        totals.inFlight += r.inFlight;
        totals.delayed += r.delayed;
        totals.dead += r.dead;
        totals.consumers += r.consumers;
        totals.enqueuedPerSec += r.enqueuedPerSec;
        totals.ackedPerSec += r.ackedPerSec;
        totals.nackedPerSec += r.nackedPerSec;
        totals.deadLetteredPerSec += r.deadLetteredPerSec;
        totals.enqueued += r.enqueued;
        totals.acked += r.acked;
        totals.nacked += r.nacked;
        totals.deadLettered += r.deadLettered;
    }
    std::sort(next.begin(), next.end(), [](const Row &a, const Row &b) { return a.name < b.name; });

    const int oldCount = int(m_rows.size());
    RowDiffOps ops{
        [this](int f, int l) { beginRemoveRows({}, f, l); }, [this] { endRemoveRows(); },
        [this](int f, int l) { beginInsertRows({}, f, l); }, [this] { endInsertRows(); },
        [this] { beginResetModel(); }, [this] { endResetModel(); },
        [this](int f, int l) { Q_EMIT dataChanged(index(f), index(l)); }};
    syncRows(m_rows, next, [](const Row &r) { return r.name; }, ops);
    if (oldCount != m_rows.size())
        Q_EMIT countChanged();
    if (!(totals == m_totals)) {
        m_totals = totals;
        Q_EMIT totalsChanged();
    }
}

void QueuesModel::sample()
{
    Sample s;
    s.timestampMs = QDateTime::currentMSecsSinceEpoch();
    const QueueBackend *queues = m_server ? m_server->queueBackend() : nullptr;
    if (queues && queues->isRunning()) {
        const QList<QueueStats> stats = queues->stats();
        s.queues.reserve(stats.size());
        for (const QueueStats &q : stats) {
            Depth d;
            d.state[Ready] = q.ready;
            d.state[InFlight] = q.inFlight;
            d.state[Delayed] = q.delayed;
            d.state[Dead] = q.dead;
            for (int i = 0; i < 4; ++i)
                s.all.state[i] += d.state[i];
            s.queues.insert(q.name, d);
        }
    }
    m_history.append(std::move(s));
    while (m_history.size() > kHistorySeconds + 1)
        m_history.removeFirst();
    Q_EMIT sampled();
}

QList<QPointF> QueuesModel::depthHistory(const QString &queue, State state, int seconds, qint64 *newestMs) const
{
    const qint64 newest = m_history.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : m_history.constLast().timestampMs;
    if (newestMs)
        *newestMs = newest;
    const qint64 oldest = newest - qint64(seconds) * 1000;
    const int i = qBound(0, int(state), 3);
    QList<QPointF> points;
    points.reserve(qMin<qsizetype>(m_history.size(), seconds + 1));
    for (const Sample &s : m_history) {
        if (s.timestampMs < oldest)
            continue;
        qint64 v = 0;
        if (queue.isEmpty()) {
            v = s.all.state[i];
        } else {
            const auto it = s.queues.constFind(queue);
            if (it != s.queues.cend())
                v = it->state[i];
        }
        points.append(QPointF(double(s.timestampMs), double(v)));
    }
    return points;
}

} // namespace Switchboard
