#include "bridgesmodel.h"

#include <algorithm>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include "consolecontext.h"
#include "rowdiff.h"

namespace Switchboard {

BridgesModel::BridgesModel(QObject *parent) : BridgesModel(ConsoleContext::source(), parent)
{
}

BridgesModel::BridgesModel(Server *server, QObject *parent) : QAbstractListModel(parent), m_source(server)
{
    init();
}

BridgesModel::BridgesModel(ConsoleSource *source, QObject *parent) : QAbstractListModel(parent), m_source(source)
{
    init();
}

void BridgesModel::init()
{
    if (m_source) {
        connect(m_source.get(), &ConsoleSource::sampled, this, &BridgesModel::refresh);
        // Small, and re-sent by a remote node only when it changes.
        m_source->subscribe(QStringLiteral("bridges"), {});
    }
    refresh();
}

int BridgesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant BridgesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case QueueRole: return r.queue;
    case ExchangeRole: return r.exchange;
    case RoutingKeysRole: return r.routingKeys;
    case DeadLetterExchangeRole: return r.deadLetterExchange;
    case StateRole: return r.state;
    case ReceivedRole: return r.received;
    case EmittedRole: return r.emitted;
    case RejectedRole: return r.rejected;
    case RedeliveredRole: return r.redelivered;
    case ReceivedPerSecRole: return r.receivedPerSec;
    case EmittedPerSecRole: return r.emittedPerSec;
    case RejectedPerSecRole: return r.rejectedPerSec;
    case LastErrorRole: return r.lastError;
    case LastErrorAtRole: return r.lastErrorAt;
    }
    return {};
}

QHash<int, QByteArray> BridgesModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {ExchangeRole, "exchange"}, {QueueRole, "queue"},
            {RoutingKeysRole, "routingKeys"}, {DeadLetterExchangeRole, "deadLetterExchange"},
            {StateRole, "state"}, {ReceivedRole, "received"}, {EmittedRole, "emitted"},
            {RejectedRole, "rejected"}, {RedeliveredRole, "redelivered"},
            {ReceivedPerSecRole, "receivedPerSec"}, {EmittedPerSecRole, "emittedPerSec"},
            {RejectedPerSecRole, "rejectedPerSec"}, {LastErrorRole, "lastError"}, {LastErrorAtRole, "lastErrorAt"}};
}

int BridgesModel::rowOf(const QString &queue) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).queue == queue)
            return i;
    }
    return -1;
}

void BridgesModel::refresh()
{
    const QJsonArray bridges = m_source ? m_source->bridges() : QJsonArray();
    const double seconds = m_sinceRefresh.isValid() ? m_sinceRefresh.restart() / 1000.0 : 0;
    if (!m_sinceRefresh.isValid())
        m_sinceRefresh.start();
    const auto perSec = [seconds](qint64 now, qint64 before) {
        return seconds > 0 && now >= before ? double(now - before) / seconds : 0.0;
    };

    Connection connection;
    QList<Row> next;
    for (const QJsonValue &b : bridges) {
        const QJsonObject bridge = b.toObject();
        if (connection.kind.isEmpty()) {
            connection.kind = bridge.value(QLatin1String("kind")).toString();
            connection.url = bridge.value(QLatin1String("url")).toString();
            connection.state = bridge.value(QLatin1String("state")).toString();
            connection.connects = bridge.value(QLatin1String("connects")).toInteger();
            connection.lastError = bridge.value(QLatin1String("lastError")).toString();
        }
        for (const QJsonValue &v : bridge.value(QLatin1String("bindings")).toArray()) {
            const QJsonObject o = v.toObject();
            Row r;
            r.key = connection.kind + QString::number(next.size()) + QLatin1Char(' ') + o.value(QLatin1String("queue")).toString();
            r.exchange = o.value(QLatin1String("exchange")).toString();
            r.queue = o.value(QLatin1String("queue")).toString();
            QStringList keys;
            for (const QJsonValue &k : o.value(QLatin1String("routingKeys")).toArray())
                keys.append(k.toString());
            r.routingKeys = keys.join(QLatin1String(", "));
            r.deadLetterExchange = o.value(QLatin1String("deadLetterExchange")).toString();
            r.state = o.value(QLatin1String("state")).toString();
            r.received = o.value(QLatin1String("received")).toInteger();
            r.emitted = o.value(QLatin1String("emitted")).toInteger();
            r.rejected = o.value(QLatin1String("rejected")).toInteger();
            r.redelivered = o.value(QLatin1String("redelivered")).toInteger();
            r.lastError = o.value(QLatin1String("lastError")).toString();
            r.lastErrorAt = o.value(QLatin1String("lastErrorAt")).toString();
            const auto old = std::find_if(m_rows.cbegin(), m_rows.cend(), [&r](const Row &o) { return o.key == r.key; });
            if (old != m_rows.cend()) {
                r.receivedPerSec = perSec(r.received, old->received);
                r.emittedPerSec = perSec(r.emitted, old->emitted);
                r.rejectedPerSec = perSec(r.rejected, old->rejected);
            }
            next.append(r);
        }
    }

    const int oldCount = int(m_rows.size());
    RowDiffOps ops{
        [this](int f, int l) { beginRemoveRows({}, f, l); }, [this] { endRemoveRows(); },
        [this](int f, int l) { beginInsertRows({}, f, l); }, [this] { endInsertRows(); },
        [this] { beginResetModel(); }, [this] { endResetModel(); },
        [this](int f, int l) { Q_EMIT dataChanged(index(f), index(l)); }};
    syncRows(m_rows, next, [](const Row &r) { return r.key; }, ops);
    if (oldCount != m_rows.size())
        Q_EMIT countChanged();
    if (!(connection == m_connection)) {
        m_connection = connection;
        Q_EMIT connectionChanged();
    }
}

} // namespace Switchboard
