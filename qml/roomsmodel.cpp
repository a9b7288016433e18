#include "roomsmodel.h"

#include <algorithm>

#include "consolecontext.h"
#include "source/consolesource.h"
#include "rowdiff.h"

namespace Switchboard {

RoomsModel::RoomsModel(QObject *parent) : RoomsModel(ConsoleContext::source(), parent)
{
}

RoomsModel::RoomsModel(Server *server, QObject *parent) : QAbstractListModel(parent), m_data(server)
{
    init();
}

RoomsModel::RoomsModel(ConsoleSource *source, QObject *parent) : QAbstractListModel(parent), m_data(source)
{
    init();
}

RoomsModel::~RoomsModel()
{
    if (m_data)
        m_data->unsubscribe(QStringLiteral("rooms"));
}

void RoomsModel::updateSubscription()
{
    if (!m_data)
        return;
    if (!m_active) {
        m_data->unsubscribe(QStringLiteral("rooms"));
        return;
    }
    // A remote node filters and caps the list (at most 1,000 names) on its side.
    m_data->subscribe(QStringLiteral("rooms"),
                      {{QStringLiteral("source"), m_source == Users ? QStringLiteral("users") : QStringLiteral("rooms")},
                       {QStringLiteral("filter"), m_filter.trimmed()},
                       {QStringLiteral("limit"), 1000},
                       {QStringLiteral("node"), m_node}});
}

void RoomsModel::init()
{
    if (m_data) {
        connect(m_data.get(), &ConsoleSource::streamChanged, this, [this](const QString &stream) {
            if (m_active && stream == QLatin1String("rooms"))
                refresh();
        });
        connect(m_data.get(), &ConsoleSource::reset, this, &RoomsModel::updateSubscription);
    }
    updateSubscription();
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &RoomsModel::refresh);
    m_timer.start();
    refresh();
}

int RoomsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RoomsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return row.name;
    case MembersRole: return row.members;
    case NodeRole: return row.node;
    case KindRole:
        if (m_source == Users)
            return QStringLiteral("user");
        if (row.name.startsWith(QLatin1String("user:")))
            return QStringLiteral("user");
        if (row.name.startsWith(QLatin1String("role:")))
            return QStringLiteral("role");
        return QStringLiteral("room");
    }
    return {};
}

QHash<int, QByteArray> RoomsModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {NameRole, "name"}, {MembersRole, "members"}, {KindRole, "kind"}, {NodeRole, "node"}};
}

void RoomsModel::setSource(Source source)
{
    if (m_source == source)
        return;
    m_source = source;
    Q_EMIT sourceChanged();
    updateSubscription();
    beginResetModel();
    m_rows.clear();
    endResetModel();
    refresh();
}

void RoomsModel::setNode(const QString &node)
{
    if (m_node == node)
        return;
    m_node = node;
    Q_EMIT nodeChanged();
    updateSubscription();
    refresh();
}

void RoomsModel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    updateSubscription();
    if (m_active) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
    }
    Q_EMIT activeChanged();
}

void RoomsModel::setFilterText(const QString &text)
{
    if (m_filter == text)
        return;
    m_filter = text;
    Q_EMIT filterTextChanged();
    updateSubscription();
    refresh();
}

QString RoomsModel::nameAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).name : QString();
}

int RoomsModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == name)
            return i;
    }
    return -1;
}

int RoomsModel::membersOf(const QString &name) const
{
    // A room on several nodes ("node": "*") has a row on each.
    int members = 0;
    for (const Row &row : m_rows) {
        if (row.name == name)
            members += row.members;
    }
    return members;
}

void RoomsModel::refresh()
{
    if (!m_data)
        return;
    const QList<SourceRoom> rooms = m_data->rooms(m_source == Users);
    QList<Row> next;
    next.reserve(rooms.size());
    const QString filter = m_filter.trimmed();
    for (const SourceRoom &room : rooms) {
        if (filter.isEmpty() || room.name.contains(filter, Qt::CaseInsensitive))
            next.append(Row{room.name, room.count, room.node});
    }
    // By name; a room on several nodes has a row per node, by node.
    std::sort(next.begin(), next.end(), [](const Row &a, const Row &b) {
        return a.name != b.name ? a.name < b.name : a.node < b.node;
    });
    const int oldCount = int(m_rows.size());
    const int oldTotal = m_total;
    m_total = int(rooms.size());
    const QString problem = m_node.isEmpty() ? QString() : m_data->nodeQueryProblem(QStringLiteral("rooms"));
    RowDiffOps ops{
        [this](int f, int l) { beginRemoveRows({}, f, l); }, [this] { endRemoveRows(); },
        [this](int f, int l) { beginInsertRows({}, f, l); }, [this] { endInsertRows(); },
        [this] { beginResetModel(); }, [this] { endResetModel(); },
        [this](int f, int l) { Q_EMIT dataChanged(index(f), index(l)); }};
    syncRows(m_rows, next, [](const Row &r) { return r.node + QLatin1Char('/') + r.name; }, ops);
    if (oldCount != m_rows.size() || oldTotal != m_total || problem != m_nodeProblem) {
        m_nodeProblem = problem;
        Q_EMIT countChanged();
    }
}

} // namespace Switchboard
