#include "connectionsmodel.h"

#include <algorithm>

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QEvent>
#include <QtCore/QPointer>

#include "consolecontext.h"
#include "rowdiff.h"

namespace Switchboard {

QString formatAgo(qint64 epochMs)
{
    if (epochMs <= 0)
        return QStringLiteral("—");
    const qint64 s = qMax<qint64>(0, (QDateTime::currentMSecsSinceEpoch() - epochMs) / 1000);
    if (s < 60)
        return ConnectionsModel::tr("%1 s ago").arg(s);
    if (s < 3600)
        return ConnectionsModel::tr("%1 min ago").arg(s / 60);
    if (s < 86400)
        return ConnectionsModel::tr("%1 h ago").arg(s / 3600);
    return ConnectionsModel::tr("%1 d ago").arg(s / 86400);
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    if (bytes < 1024LL * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2);
}

namespace {
QString formatSince(qint64 epochMs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(epochMs);
    if (t.date() == QDate::currentDate())
        return t.toString(QStringLiteral("HH:mm:ss"));
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}
}

// Everything that can change while a connection is open, so that the row diff signals it;
// user, role and address are fixed at accept. The transport changes when a Socket.IO
// session upgrades from polling to WebSocket.
bool ConnectionsModel::Row::operator==(const Row &o) const
{
    return s.id == o.s.id && s.lastActivityMs == o.s.lastActivityMs && s.messagesIn == o.s.messagesIn
        && s.messagesOut == o.s.messagesOut && s.pendingBytes == o.s.pendingBytes && s.rooms == o.s.rooms
        && s.bytesIn == o.s.bytesIn && s.bytesOut == o.s.bytesOut && s.transport == o.s.transport
        && s.protocol == o.s.protocol;
}

QString ConnectionsModel::protocolLabel(const QString &protocol)
{
    if (protocol == QLatin1String("json"))
        return tr("native");
    if (protocol == QLatin1String("socket.io"))
        return tr("Socket.IO");
    return protocol;
}

QString ConnectionsModel::transportLabel(const QString &transport)
{
    if (transport == QLatin1String("websocket"))
        return tr("WebSocket");
    if (transport == QLatin1String("polling"))
        return tr("polling");
    return transport;
}

ConnectionsModel::Params ConnectionsModel::params() const
{
    // A remote node filtered the rows already (by its own rule, docs/console.md).
    const QString filter = m_source && m_source->pagesOnServer() ? QString() : m_filter;
    Params p{filter, m_room, m_sortColumn, m_sortOrder, {}};
    if (!filter.trimmed().isEmpty()) {
        for (const char *value : {"json", "socket.io"})
            p.labels.insert(QLatin1String(value), protocolLabel(QLatin1String(value)));
        for (const char *value : {"websocket", "polling"})
            p.labels.insert(QLatin1String(value), transportLabel(QLatin1String(value)));
    }
    return p;
}

ConnectionsModel::ConnectionsModel(QObject *parent) : ConnectionsModel(ConsoleContext::source(), parent)
{
}

ConnectionsModel::ConnectionsModel(Server *server, QObject *parent)
    : QAbstractTableModel(parent), m_source(server)
{
    init();
}

ConnectionsModel::ConnectionsModel(ConsoleSource *source, QObject *parent)
    : QAbstractTableModel(parent), m_source(source)
{
    init();
}

ConnectionsModel::~ConnectionsModel()
{
    if (m_source)
        m_source->unsubscribe(QStringLiteral("connections"));
    // A job still running reads the source: wait for it before the source can go.
    m_worker.waitForDone();
}

void ConnectionsModel::init()
{
    if (m_source) {
        // A remote page arrives in pieces; show each piece as it lands.
        connect(m_source.get(), &ConsoleSource::streamChanged, this, [this](const QString &stream) {
            if (m_active && stream == QLatin1String("connections"))
                refresh();
        });
        connect(m_source.get(), &ConsoleSource::reset, this, [this] { updateSubscription(); });
    }
    updateSubscription();
    m_timer.setInterval(250);
    // The periodic refresh snapshots, filters, sorts and diffs on m_worker; refresh() (first
    // fill, tests) does it all here.
    connect(&m_timer, &QTimer::timeout, this, &ConnectionsModel::refreshInBackground);
    m_timer.start();
    // Installing a translator sends LanguageChange to the application object only.
    if (QCoreApplication::instance())
        QCoreApplication::instance()->installEventFilter(this);
    refresh();
}

bool ConnectionsModel::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1), {Qt::DisplayRole});
    }
    return QAbstractTableModel::eventFilter(watched, event);
}

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ConnectionsModel::text(const ConnectionSnapshot &s, int column) const
{
    switch (column) {
    case IdColumn: return QString::number(s.id);
    case UserColumn: return s.userId;
    case RoleColumn: return s.role;
    case AddressColumn: return s.address;
    case SinceColumn: return formatSince(s.connectedAtMs);
    case LastActivityColumn: return formatAgo(s.lastActivityMs);
    case RoomsColumn: return s.rooms.join(QStringLiteral(", "));
    case MessagesInColumn: return QString::number(s.messagesIn);
    case MessagesOutColumn: return QString::number(s.messagesOut);
    case PendingColumn: return formatBytes(s.pendingBytes);
    case ProtocolColumn: return protocolLabel(s.protocol);
    case TransportColumn: return transportLabel(s.transport);
    case NodeColumn: return m_source ? m_source->nodeOf(s.id) : QString();
    }
    return {};
}

QVariant ConnectionsModel::sortKey(const ConnectionSnapshot &s, int column) const
{
    switch (column) {
    case IdColumn: return s.id;
    case SinceColumn: return s.connectedAtMs;
    case LastActivityColumn: return s.lastActivityMs;
    case RoomsColumn: return s.rooms.size();
    case MessagesInColumn: return s.messagesIn;
    case MessagesOutColumn: return s.messagesOut;
    case PendingColumn: return s.pendingBytes;
    case ProtocolColumn: return s.protocol;
    case TransportColumn: return s.transport;
    default: return text(s, column);
    }
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConnectionSnapshot &s = m_rows.at(index.row()).s;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: return text(s, index.column());
    case Qt::TextAlignmentRole:
        return index.column() >= MessagesInColumn && index.column() <= PendingColumn
            ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant(int(Qt::AlignLeft | Qt::AlignVCenter));
    case ConnectionIdRole: return qint64(s.id);
    case UserIdRole: return s.userId;
    case RoleNameRole: return s.role;
    case AddressRole: return s.address;
    case ConnectedAtRole: return s.connectedAtMs;
    case LastActivityRole: return s.lastActivityMs;
    case RoomsRole: return s.rooms;
    case MessagesInRole: return qint64(s.messagesIn);
    case MessagesOutRole: return qint64(s.messagesOut);
    case PendingBytesRole: return s.pendingBytes;
    case ProtocolRole: return s.protocol;
    case TransportRole: return s.transport;
    case SortRole: return sortKey(s, index.column());
    }
    return {};
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("ID");
    case UserColumn: return tr("User");
    case RoleColumn: return tr("Role");
    case AddressColumn: return tr("Address");
    case SinceColumn: return tr("Connected");
    case LastActivityColumn: return tr("Last activity");
    case RoomsColumn: return tr("Rooms");
    case MessagesInColumn: return tr("Msgs in");
    case MessagesOutColumn: return tr("Msgs out");
    case PendingColumn: return tr("Pending");
    case ProtocolColumn: return tr("Protocol");
    case TransportColumn: return tr("Transport");
    case NodeColumn: return tr("Node");
    }
    return {};
}

QHash<int, QByteArray> ConnectionsModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"},
            {Qt::TextAlignmentRole, "textAlignment"},
            {ConnectionIdRole, "connectionId"},
            {UserIdRole, "userId"},
            {RoleNameRole, "roleName"},
            {AddressRole, "address"},
            {ConnectedAtRole, "connectedAt"},
            {LastActivityRole, "lastActivity"},
            {RoomsRole, "rooms"},
            {MessagesInRole, "messagesIn"},
            {MessagesOutRole, "messagesOut"},
            {PendingBytesRole, "pendingBytes"},
            {ProtocolRole, "protocol"},
            {TransportRole, "transport"},
            {SortRole, "sortKey"}};
}

void ConnectionsModel::updateSubscription()
{
    if (!m_source)
        return;
    if (!m_active) {
        m_source->unsubscribe(QStringLiteral("connections"));
        return;
    }
    // The node sorts by these keys; other columns sort the page here, by id there.
    static const QHash<int, QString> keys{{IdColumn, QStringLiteral("id")}, {UserColumn, QStringLiteral("user")},
                                          {SinceColumn, QStringLiteral("connectedAt")}, {RoomsColumn, QStringLiteral("rooms")},
                                          {ProtocolColumn, QStringLiteral("protocol")}};
    // A room's members: the node filters by substring, the exact room is checked here.
    const QString filter = m_room.isEmpty() ? m_filter.trimmed() : m_room;
    m_source->subscribe(QStringLiteral("connections"),
                        {{QStringLiteral("filter"), filter},
                         {QStringLiteral("sort"), keys.value(m_sortColumn, QStringLiteral("id"))},
                         {QStringLiteral("desc"), m_sortOrder == Qt::DescendingOrder},
                         {QStringLiteral("offset"), m_pageOffset},
                         {QStringLiteral("limit"), m_pageSize},
                         {QStringLiteral("node"), m_node}});
}

void ConnectionsModel::setPageOffset(int offset)
{
    offset = qMax(0, offset);
    if (m_pageOffset == offset)
        return;
    m_pageOffset = offset;
    Q_EMIT pageChanged();
    updateSubscription();
}

void ConnectionsModel::setPageSize(int size)
{
    size = qBound(1, size, 200);
    if (m_pageSize == size)
        return;
    m_pageSize = size;
    Q_EMIT pageChanged();
    updateSubscription();
}

void ConnectionsModel::setNode(const QString &node)
{
    if (m_node == node)
        return;
    m_node = node;
    Q_EMIT pageChanged();
    updateSubscription();
}

void ConnectionsModel::setActive(bool active)
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

void ConnectionsModel::setFilterText(const QString &text)
{
    if (m_filter == text)
        return;
    m_filter = text;
    Q_EMIT filterTextChanged();
    updateSubscription();
    refresh();
}

void ConnectionsModel::setRoom(const QString &room)
{
    if (m_room == room)
        return;
    m_room = room;
    Q_EMIT roomChanged();
    updateSubscription();
    refresh();
}

void ConnectionsModel::setRefreshInterval(int ms)
{
    ms = qMax(100, ms); // at most ten updates a second
    if (m_timer.interval() == ms)
        return;
    m_timer.setInterval(ms);
    Q_EMIT refreshIntervalChanged();
}

void ConnectionsModel::sortBy(int column)
{
    if (column == m_sortColumn)
        sort(column, m_sortOrder == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
    else
        sort(column, Qt::AscendingOrder);
}

void ConnectionsModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount || (column == m_sortColumn && order == m_sortOrder))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT sortChanged();
    updateSubscription();
    refresh();
}

int ConnectionsModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (qint64(m_rows.at(i).s.id) == id)
            return i;
    }
    return -1;
}

qint64 ConnectionsModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? qint64(m_rows.at(row).s.id) : 0;
}

bool ConnectionsModel::accepts(const ConnectionSnapshot &s, const Params &p)
{
    if (!p.room.isEmpty() && !s.rooms.contains(p.room))
        return false;
    const QString f = p.filter.trimmed();
    if (f.isEmpty())
        return true;
    const auto label = [&p](const QString &value) { return p.labels.value(value, value); };
    return QString::number(s.id) == f || s.userId.contains(f, Qt::CaseInsensitive)
        || s.role.contains(f, Qt::CaseInsensitive) || s.address.contains(f, Qt::CaseInsensitive)
        || label(s.protocol).contains(f, Qt::CaseInsensitive) || label(s.transport).contains(f, Qt::CaseInsensitive)
        || std::any_of(s.rooms.cbegin(), s.rooms.cend(),
                       [&f](const QString &r) { return r.contains(f, Qt::CaseInsensitive); });
}

QList<ConnectionsModel::Row> ConnectionsModel::buildRows(const QList<ConnectionSnapshot> &all, const Params &p)
{
    QList<Row> next;
    next.reserve(all.size());
    for (const ConnectionSnapshot &s : all) {
        if (accepts(s, p))
            next.append(Row{s});
    }
    const int column = p.column;
    const bool descending = p.order == Qt::DescendingOrder;
    // Typed comparisons: this runs over every connection a few times a second.
    auto compare = [column](const ConnectionSnapshot &a, const ConnectionSnapshot &b) -> int {
        auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
        switch (column) {
        case IdColumn: return cmp(a.id, b.id);
        case UserColumn: return a.userId.compare(b.userId);
        case RoleColumn: return a.role.compare(b.role);
        case AddressColumn: return a.address.compare(b.address);
        case SinceColumn: return cmp(a.connectedAtMs, b.connectedAtMs);
        case LastActivityColumn: return cmp(a.lastActivityMs, b.lastActivityMs);
        case RoomsColumn: return cmp(a.rooms.size(), b.rooms.size());
        case MessagesInColumn: return cmp(a.messagesIn, b.messagesIn);
        case MessagesOutColumn: return cmp(a.messagesOut, b.messagesOut);
        case PendingColumn: return cmp(a.pendingBytes, b.pendingBytes);
        // By the registry's values: "json" (native) before "socket.io", "polling" before
        // "websocket", as their labels read.
        case ProtocolColumn: return a.protocol.compare(b.protocol);
        case TransportColumn: return a.transport.compare(b.transport);
        }
        return 0;
    };
    std::sort(next.begin(), next.end(), [&compare, descending](const Row &a, const Row &b) {
        int c = compare(a.s, b.s);
        if (c == 0)
            c = a.s.id < b.s.id ? -1 : (a.s.id > b.s.id ? 1 : 0);
        return descending ? c > 0 : c < 0;
    });
    return next;
}

void ConnectionsModel::refresh()
{
    if (!m_source)
        return;
    ++m_generation;
    const QList<ConnectionSnapshot> all = m_source->connections();
    apply(buildRows(all, params()), m_source->pagesOnServer() ? m_source->connectionsTotal() : int(all.size()));
}

void ConnectionsModel::refreshInBackground()
{
    if (!m_source || m_jobRunning)
        return; // the running job's result is at most one tick old
    m_jobRunning = true;
    const quint64 generation = m_generation;
    ConsoleSource *source = m_source.get();
    const Params p = params();
    const QPointer<ConnectionsModel> guard(this);
    // The rows as the view has them now (shared, not copied); only a synchronous refresh or a
    // parameter change touches m_rows before the result is back, and those bump m_generation.
    const QList<Row> current = m_rows;
    m_worker.start([source, p, generation, guard, current] {
        // connections() is thread-safe in every source.
        const QList<ConnectionSnapshot> all = source->connections();
        QList<Row> rows = buildRows(all, p);
        // The diff is worked out here too: with 10,000 rows hashing and comparing them took
        // most of a frame on the GUI thread; there only the steps are replayed.
        QList<RowDiffStep> steps = planRows(current, rows, [](const Row &r) { return r.s.id; });
        const int total = source->pagesOnServer() ? source->connectionsTotal() : int(all.size());
        // Queued to the application object, which outlives the model; the guard says
        // whether the model is still there when the result arrives.
        QMetaObject::invokeMethod(QCoreApplication::instance(), [guard, rows = std::move(rows), steps = std::move(steps), total, generation] {
            if (!guard)
                return;
            guard->m_jobRunning = false;
            if (guard->m_generation == generation && guard->m_active)
                guard->apply(rows, total, &steps);
        }, Qt::QueuedConnection);
    });
}

void ConnectionsModel::setViewport(int firstRow, int lastRow)
{
    m_viewportFirst = firstRow;
    m_viewportLast = lastRow;
}

void ConnectionsModel::apply(const QList<Row> &next, int total, const QList<RowDiffStep> *steps)
{
    const int oldCount = int(m_rows.size());
    const int oldTotal = m_total;
    m_total = total;
    // Changes are signalled for the rows a view shows (when it said which), with a margin.
    auto visible = [this](int *first, int *last) {
        if (m_viewportFirst >= 0 && m_viewportLast >= m_viewportFirst) {
            constexpr int kMargin = 16;
            *first = std::max(*first, m_viewportFirst - kMargin);
            *last = std::min(*last, m_viewportLast + kMargin);
        }
        *last = std::min(*last, int(m_rows.size()) - 1);
        return *first <= *last;
    };
    RowDiffOps ops{
        [this](int f, int l) { beginRemoveRows({}, f, l); }, [this] { endRemoveRows(); },
        [this](int f, int l) { beginInsertRows({}, f, l); }, [this] { endInsertRows(); },
        [this] { beginResetModel(); }, [this] { endResetModel(); },
        [this, visible](int f, int l) {
            if (visible(&f, &l))
                Q_EMIT dataChanged(index(f, 0), index(l, ColumnCount - 1));
        }};
    if (steps)
        replayRows(m_rows, next, *steps, ops);
    else
        syncRows(m_rows, next, [](const Row &r) { return r.s.id; }, ops);
    // "n s ago" moves on with the clock even when nothing else changed.
    int first = 0;
    int last = int(m_rows.size()) - 1;
    if (visible(&first, &last))
        Q_EMIT dataChanged(index(first, LastActivityColumn), index(last, LastActivityColumn), {Qt::DisplayRole, Qt::ToolTipRole});
    if (oldCount != m_rows.size() || oldTotal != m_total)
        Q_EMIT countChanged();
    Q_EMIT refreshed();
}

// ---------------------------------------------------------------------------------------

ConnectionDetails::ConnectionDetails(QObject *parent) : ConnectionDetails(ConsoleContext::source(), parent)
{
}

ConnectionDetails::ConnectionDetails(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionDetails::refresh);
    if (m_source)
        connect(m_source, &ConsoleSource::streamChanged, this, [this](const QString &stream) {
            if (stream == QLatin1String("connection"))
                refresh();
        });
}

ConnectionDetails::~ConnectionDetails()
{
    if (m_source && m_id > 0)
        m_source->unsubscribe(QStringLiteral("connection"));
}

void ConnectionDetails::setConnectionId(qint64 id)
{
    if (m_id == id)
        return;
    m_id = id;
    Q_EMIT connectionIdChanged();
    if (m_id > 0)
        m_timer.start();
    else
        m_timer.stop();
    if (m_source) {
        if (m_id > 0)
            m_source->subscribe(QStringLiteral("connection"), {{QStringLiteral("id"), QString::number(m_id)}});
        else
            m_source->unsubscribe(QStringLiteral("connection"));
    }
    refresh();
}

QString ConnectionDetails::connectedAt() const
{
    return m_s.connectedAtMs > 0
        ? QDateTime::fromMSecsSinceEpoch(m_s.connectedAtMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
        : QString();
}

QString ConnectionDetails::protocolLabel() const
{
    return ConnectionsModel::protocolLabel(m_s.protocol);
}

QString ConnectionDetails::transportLabel() const
{
    return ConnectionsModel::transportLabel(m_s.transport);
}

QString ConnectionDetails::lastActivity() const
{
    return m_connected ? formatAgo(m_s.lastActivityMs) : QString();
}

void ConnectionDetails::refresh()
{
    if (!m_source)
        return;
    const auto snapshot = m_id > 0 ? m_source->connection(quint64(m_id)) : std::nullopt;
    m_connected = snapshot.has_value();
    // A gone connection keeps showing what it last was, flagged as disconnected.
    if (snapshot)
        m_s = *snapshot;
    else if (m_id <= 0)
        m_s = {};
    Q_EMIT changed();
}

bool ConnectionDetails::run(const QString &action, const QJsonObject &args)
{
    if (!m_source || m_id <= 0)
        return false;
    QJsonObject withId = args;
    withId.insert(QStringLiteral("id"), QString::number(m_id));
    // A local source answers before action() returns; a remote one later, maybe after us.
    struct Answer { bool inCall = true; bool ok = false; };
    auto answer = std::make_shared<Answer>();
    const QPointer<ConnectionDetails> guard(this);
    const bool sent = m_source->action(action, withId, [guard, answer](const SourceResult &r) {
        if (answer->inCall)
            answer->ok = r.ok;
        if (!guard)
            return;
        const QString text = r.ok ? QString() : (r.message.isEmpty() ? r.result : r.message);
        if (guard->m_lastResult != text) {
            guard->m_lastResult = text;
            Q_EMIT guard->lastResultChanged();
        }
        guard->refresh();
    });
    answer->inCall = false;
    return sent && (m_source->isRemote() || answer->ok);
}

bool ConnectionDetails::disconnect(int code, const QString &reason)
{
    return run(QStringLiteral("disconnect"), {{QStringLiteral("code"), code}, {QStringLiteral("reason"), reason}});
}

bool ConnectionDetails::joinRoom(const QString &room)
{
    if (room.trimmed().isEmpty())
        return false;
    return run(QStringLiteral("join"), {{QStringLiteral("room"), room.trimmed()}});
}

bool ConnectionDetails::leaveRoom(const QString &room)
{
    return run(QStringLiteral("leave"), {{QStringLiteral("room"), room}});
}

} // namespace Switchboard
