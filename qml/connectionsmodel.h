#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QStringList>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

#include "rooms/registry.h"
#include "rowdiff.h"
#include "source/sourceref.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief Live connections as a sortable, filterable table.
 *
 * Protocol and transport are shown as labels ("native" / "Socket.IO", "WebSocket" /
 * "polling"); their roles and sort keys carry the registry's values ("json", "socket.io",
 * "websocket", "polling"). A Socket.IO session that upgrades from polling to WebSocket
 * updates its row like any other change.
 *
 * While active it takes a registry snapshot every refreshInterval ms (250 by default, so at
 * most four model updates a second), filters and sorts it, and applies the difference with
 * row inserts/removes and one dataChanged; only a change of sort order resets the model.
 * With @c room set it lists that room's members only (the Rooms page uses it that way).
 */
class ConnectionsModel : public QAbstractTableModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterTextChanged)
    Q_PROPERTY(QString room READ room WRITE setRoom NOTIFY roomChanged)
    Q_PROPERTY(int sortColumn READ sortColumn NOTIFY sortChanged)
    Q_PROPERTY(Qt::SortOrder sortOrder READ sortOrder NOTIFY sortChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int totalCount READ totalCount NOTIFY countChanged)
    Q_PROPERTY(int refreshInterval READ refreshInterval WRITE setRefreshInterval NOTIFY refreshIntervalChanged)
    // A remote node's connections are filtered, sorted and paged there (docs/console.md):
    // the page of pageSize rows from pageOffset, of a cluster node's connections when set.
    Q_PROPERTY(int pageOffset READ pageOffset WRITE setPageOffset NOTIFY pageChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageChanged)
    Q_PROPERTY(QString node READ node WRITE setNode NOTIFY pageChanged)
    // Why the node could not list the node asked for (an older version), else empty.
    Q_PROPERTY(QString nodeProblem READ nodeProblem NOTIFY countChanged)

public:
    enum Column { IdColumn, UserColumn, RoleColumn, AddressColumn, SinceColumn, LastActivityColumn,
                  RoomsColumn, MessagesInColumn, MessagesOutColumn, PendingColumn, ProtocolColumn,
                  TransportColumn, NodeColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role { ConnectionIdRole = Qt::UserRole + 1, UserIdRole, RoleNameRole, AddressRole,
                ConnectedAtRole, LastActivityRole, RoomsRole, MessagesInRole, MessagesOutRole,
                PendingBytesRole, ProtocolRole, TransportRole, SortRole };
    Q_ENUM(Role)

    explicit ConnectionsModel(QObject *parent = nullptr);
    ConnectionsModel(Server *server, QObject *parent);
    ConnectionsModel(ConsoleSource *source, QObject *parent);
    ~ConnectionsModel() override;

    /// "native" for the native JSON protocol ("json"), "Socket.IO" for "socket.io".
    static QString protocolLabel(const QString &protocol);
    /// "WebSocket" for "websocket", "polling" for HTTP long-polling ("polling").
    static QString transportLabel(const QString &transport);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    bool active() const { return m_active; }
    void setActive(bool active);
    QString filterText() const { return m_filter; }
    void setFilterText(const QString &text);
    QString room() const { return m_room; }
    void setRoom(const QString &room);
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    int count() const { return int(m_rows.size()); }
    int totalCount() const { return m_total; }
    int refreshInterval() const { return m_timer.interval(); }
    void setRefreshInterval(int ms);
    int pageOffset() const { return m_pageOffset; }
    void setPageOffset(int offset);
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    QString node() const { return m_node; }
    QString nodeProblem() const { return m_source ? m_source->nodeQueryProblem(QStringLiteral("connections")) : QString(); }
    void setNode(const QString &node);

    /// Sorts by @p column; the same column again flips the order.
    Q_INVOKABLE void sortBy(int column);
    Q_INVOKABLE void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /// Row of connection @p id, or -1.
    Q_INVOKABLE int rowOf(qint64 id) const;
    /// Connection id in @p row, or 0.
    Q_INVOKABLE qint64 idAt(int row) const;
    /// Takes a snapshot, filters and sorts it and applies the difference, all right now.
    Q_INVOKABLE void refresh();
    /**
     * The rows a view shows (TableView's topRow..bottomRow). Once set, changed rows outside
     * it (plus a margin) are updated without a dataChanged signal: a view of 30 rows over
     * 10,000 would otherwise walk every cell of the range four times a second. A view that
     * scrolls there reads the current data. -1, -1 (the default) signals every change.
     */
    Q_INVOKABLE void setViewport(int firstRow, int lastRow);

protected:
    /// Column titles and "… ago" texts follow a language switch.
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    void activeChanged();
    void filterTextChanged();
    void roomChanged();
    void sortChanged();
    void countChanged();
    void refreshIntervalChanged();
    void refreshed();
    void pageChanged();

private:
    struct Row
    {
        ConnectionSnapshot s;
        bool operator==(const Row &o) const;
    };
    // What a refresh filters and sorts by; copied into the worker job.
    struct Params
    {
        QString filter;
        QString room;
        int column = IdColumn;
        Qt::SortOrder order = Qt::AscendingOrder;
        // Protocol and transport values -> the labels the table shows, translated on the GUI
        // thread, so that the filter matches what the operator reads.
        QHash<QString, QString> labels;
    };
    static bool accepts(const ConnectionSnapshot &s, const Params &p);
    static QList<Row> buildRows(const QList<ConnectionSnapshot> &all, const Params &p);
    Params params() const;
    /// Timer path: snapshot, filter and sort on m_worker, then apply() on the GUI thread.
    void refreshInBackground();
    /// Brings m_rows to @p next: replays @p steps worked out on the worker, or diffs here.
    void apply(const QList<Row> &next, int total, const QList<RowDiffStep> *steps = nullptr);
    QString text(const ConnectionSnapshot &s, int column) const;
    QVariant sortKey(const ConnectionSnapshot &s, int column) const;
    void init();
    /// Tells the source which page the model shows (a remote node pages on its side).
    void updateSubscription();

    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    int m_pageOffset = 0;
    int m_pageSize = 200;
    QString m_node;
    QTimer m_timer;
    QList<Row> m_rows;
    int m_total = 0;
    bool m_active = true;
    QString m_filter;
    QString m_room;
    int m_sortColumn = IdColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_resortPending = false;
    // Bumped by every synchronous refresh and every parameter change: a background result
    // computed for an older generation is dropped.
    quint64 m_generation = 0;
    int m_viewportFirst = -1;
    int m_viewportLast = -1;
    bool m_jobRunning = false;
    // One thread, owned here: its destructor waits for a running job, and the model is
    // always destroyed before the Server it reads.
    QThreadPool m_worker;
};

/**
 * @brief One connection's details for the side pane, refreshed four times a second.
 */
class ConnectionDetails : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    // A double for QML: Qt 6.4 rounds a JavaScript number on its way into a qint64 (+0.5),
    // which is off by one for odd ids from 2^52 (a cluster node's ids reach 2^53 - 1, exact as
    // doubles; docs/console.md). tests/ui/qml/tst_connectionids.qml.
    Q_PROPERTY(double connectionId READ connectionIdNumber WRITE setConnectionIdNumber NOTIFY connectionIdChanged)
    Q_PROPERTY(bool connected READ connected NOTIFY changed)
    Q_PROPERTY(QString userId READ userId NOTIFY changed)
    Q_PROPERTY(QString role READ role NOTIFY changed)
    Q_PROPERTY(QString address READ address NOTIFY changed)
    Q_PROPERTY(QString protocol READ protocol NOTIFY changed)
    Q_PROPERTY(QString protocolLabel READ protocolLabel NOTIFY changed)
    Q_PROPERTY(QString transport READ transport NOTIFY changed)
    Q_PROPERTY(QString transportLabel READ transportLabel NOTIFY changed)
    Q_PROPERTY(QString connectedAt READ connectedAt NOTIFY changed)
    Q_PROPERTY(QString lastActivity READ lastActivity NOTIFY changed)
    Q_PROPERTY(QStringList rooms READ rooms NOTIFY changed)
    Q_PROPERTY(qint64 messagesIn READ messagesIn NOTIFY changed)
    Q_PROPERTY(qint64 messagesOut READ messagesOut NOTIFY changed)
    Q_PROPERTY(qint64 bytesIn READ bytesIn NOTIFY changed)
    Q_PROPERTY(qint64 bytesOut READ bytesOut NOTIFY changed)
    Q_PROPERTY(qint64 pendingBytes READ pendingBytes NOTIFY changed)
    Q_PROPERTY(int worker READ worker NOTIFY changed)
    /// The outcome of the last action: empty, or why the node refused it.
    Q_PROPERTY(QString lastResult READ lastResult NOTIFY lastResultChanged)

public:
    explicit ConnectionDetails(QObject *parent = nullptr);
    ConnectionDetails(ConsoleSource *source, QObject *parent);
    ~ConnectionDetails() override;

    qint64 connectionId() const { return m_id; }
    double connectionIdNumber() const { return double(m_id); }
    void setConnectionIdNumber(double id) { setConnectionId(id > 0 && id < 9007199254740992.0 ? qint64(id) : 0); }
    void setConnectionId(qint64 id);
    bool connected() const { return m_connected; }
    QString userId() const { return m_s.userId; }
    QString role() const { return m_s.role; }
    QString address() const { return m_s.address; }
    QString protocol() const { return m_s.protocol; }
    QString protocolLabel() const;
    QString transport() const { return m_s.transport; }
    QString transportLabel() const;
    QString connectedAt() const;
    QString lastActivity() const;
    QStringList rooms() const { return m_s.rooms; }
    qint64 messagesIn() const { return qint64(m_s.messagesIn); }
    qint64 messagesOut() const { return qint64(m_s.messagesOut); }
    qint64 bytesIn() const { return qint64(m_s.bytesIn); }
    qint64 bytesOut() const { return qint64(m_s.bytesOut); }
    qint64 pendingBytes() const { return m_s.pendingBytes; }
    int worker() const { return m_s.worker; }
    QString lastResult() const { return m_lastResult; }

    /**
     * Asks the owning I/O thread to close the connection (a remote node: sends the action).
     * False when it is already gone or cannot be sent; a remote refusal shows in lastResult.
     */
    Q_INVOKABLE bool disconnect(int code, const QString &reason);
    Q_INVOKABLE bool joinRoom(const QString &room);
    Q_INVOKABLE bool leaveRoom(const QString &room);
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void connectionIdChanged();
    void changed();
    void lastResultChanged();

private:
    bool run(const QString &action, const QJsonObject &args);

    ConsoleSource *m_source = nullptr;
    QTimer m_timer;
    qint64 m_id = 0;
    QString m_lastResult;
    bool m_connected = false;
    ConnectionSnapshot m_s;
};

/// "3 s ago", "5 min ago", "2 h ago" for a wall-clock timestamp in ms since the epoch.
QString formatAgo(qint64 epochMs);
/// "512 B", "1.5 KiB", "3.2 MiB".
QString formatBytes(qint64 bytes);

} // namespace Switchboard
