// The console's list and table models under QAbstractItemModelTester while real clients
// connect, subscribe, disconnect and events flow through a real in-process server.
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QScopeGuard>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTranslator>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "connectionsmodel.h"
#include "consolecontext.h"
#include "deadlettersmodel.h"
#include "emitter.h"
#include "eventsmodel.h"
#include "jsoncheck.h"
#include "queueactions.h"
#include "queuesmodel.h"
#include "roomsmodel.h"
#include "seriesfeeder.h"
#include "socketiotestsupport.h"
#include "source/localsource.h"
#include "testsupport.h"

#ifndef QT_WIDGETS_LIB
#error "tst_viewmodels runs with the QApplication the console needs (QT_WIDGETS_LIB)"
#endif

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

struct Client
{
    WsClient *ws = nullptr;
    QString user;
    quint64 id = 0;
};

/// @p role of every row of @p model, top to bottom (column 0, or @p column).
QStringList column(const QAbstractItemModel &model, int role, int col = 0)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values << model.data(model.index(row, col), role).toString();
    return values;
}

/// The role names a QML delegate sees, as a sorted list.
QStringList roleNameList(const QAbstractItemModel &model)
{
    QStringList names;
    for (const QByteArray &name : model.roleNames())
        names << QString::fromLatin1(name);
    names.sort();
    return names;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

/// Commits one message with QueueService's blocking enqueue, from the test thread (which is
/// not the queue thread; the console itself never does this on the GUI thread). Its id, or 0.
qint64 enqueueDirect(Server &server, const QString &queue, const QJsonValue &payload, int maxAttempts = 5,
                     qint64 delayMs = 0)
{
    QueueService *queues = server.queues();
    if (!queues)
        return 0;
    QList<QueueMessage> batch(1);
    QueueMessage &m = batch.first();
    m.queue = queue;
    m.payload = QJsonDocument(QJsonArray{payload}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    m.maxAttempts = maxAttempts;
    m.createdAtMs = QDateTime::currentMSecsSinceEpoch();
    m.availableAtMs = m.createdAtMs + delayMs;
    QString error;
    if (!queues->enqueue(batch, &error)) {
        qWarning() << "enqueue failed:" << error;
        return 0;
    }
    return batch.first().id;
}

/// The stats snapshot of one queue (all zero when it does not exist).
QueueStats statsOf(Server &server, const QString &queue)
{
    if (QueueService *queues = server.queues()) {
        for (const QueueStats &s : queues->stats()) {
            if (s.name == queue)
                return s;
        }
    }
    return {};
}

/// A row's value of @p role, found by queue name.
QVariant queueValue(const QueuesModel &model, const QString &queue, int role)
{
    const int row = model.rowOf(queue);
    return row < 0 ? QVariant() : model.data(model.index(row, 0), role);
}

} // namespace

class tst_ViewModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void connectionsRoleNamesAndHeaders();
    void connectionsFollowLiveClients();
    void connectionsSort_data();
    void connectionsSort();
    void connectionsFilter_data();
    void connectionsFilter();
    void connectionsOfOneRoom();
    void connectionsUnderChurn();
    void connectionsSignalAroundTheViewport();
    void connectionsProtocolAndTransport();
    void connectionsTransportUpgradeIsSignalled();
    void connectionDetailsProtocolAndTransport();
    void connectionsShowARealSocketIoSession();

    void roomsFollowMembership();
    void roomsFilterAndUsers();

    void eventsFlowNewestFirst();
    void eventsFilters_data();
    void eventsFilters();
    void eventsPauseAndResume();
    void eventsInactiveBuffersWithoutRowSignals();
    void eventsBoundedByCapacity();
    void eventsExport();

    void emitHistoryAndAcks();
    void emitAckTimeoutAndErrors();
    void emitHistoryIsBounded();

    void queuesModelFollowsStats();
    void queuesModelHistoryFeedsCharts();
    void queuesModelWithoutQueueService();
    void deadLettersPagedRetriedPurged();
    void queueActionsEnqueue();
    void queueActionsRefuse_data();
    void queueActionsRefuse();

private:
    Client connectClient(const QString &user, const QStringList &rooms = {}, const QString &role = {});
    void subscribe(const Client &c, const QString &room);
    /// Sends @p n pings and waits for the pongs: the server has counted n messages in.
    void ping(const Client &c, int n);
    /// A client consuming @p queue (prefetch @p prefetch), once the server confirmed it.
    WsClient *consumer(const QString &queue, int prefetch = 1);
    /// Makes @p n dead letters in @p queue: enqueued with maxAttempts 1 and nacked by a
    /// consumer with "error <i>". Returns their ids, oldest first, and leaves the consumer
    /// consuming in @p worker.
    QList<qint64> makeDeadLetters(const QString &queue, int n, WsClient **worker = nullptr);

    std::unique_ptr<TestServer> m_ts;
    QList<WsClient *> m_clients;
    QTranslator m_english;
};

void tst_ViewModels::initTestCase()
{
    // The English catalogue carries the plural forms ("1 dead letter", "7 dead letters"); the
    // console installs it, so the models' messages are checked with it too.
    QVERIFY(m_english.load(QStringLiteral(":/i18n/switchboard_en.qm")));
    QCoreApplication::installTranslator(&m_english);
}

void tst_ViewModels::init()
{
    // A server per test: an empty registry and event log every time.
    m_ts = std::make_unique<TestServer>();
    QVERIFY(m_ts->start());
}

void tst_ViewModels::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_ts.reset();
}

Client tst_ViewModels::connectClient(const QString &user, const QStringList &rooms, const QString &role)
{
    Client c;
    c.user = user;
    c.ws = new WsClient;
    m_clients.append(c.ws);
    const QJsonObject welcome = c.ws->connectAndWelcome(m_ts->wsUrl(token(user, role, rooms)));
    c.id = welcome.value(QLatin1String("connectionId")).toString().toULongLong();
    return c;
}

void tst_ViewModels::subscribe(const Client &c, const QString &room)
{
    c.ws->send({{"type", "subscribe"}, {"channel", room}});
    QVERIFY2(c.ws->receives(QStringLiteral("subscribed"), 5000), qPrintable(c.user + QLatin1Char(' ') + room));
}

void tst_ViewModels::ping(const Client &c, int n)
{
    for (int i = 0; i < n; ++i)
        c.ws->send({{"type", "ping"}});
    for (int i = 0; i < n; ++i)
        QVERIFY(c.ws->receives(QStringLiteral("pong"), 5000));
}

WsClient *tst_ViewModels::consumer(const QString &queue, int prefetch)
{
    auto *ws = new WsClient;
    m_clients.append(ws);
    if (ws->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("worker")))).isEmpty())
        return nullptr;
    ws->send({{"type", "consume"}, {"queue", queue}, {"prefetch", prefetch}});
    const QJsonObject reply = ws->waitFor(QStringLiteral("consuming"));
    return reply.value("queue").toString() == queue ? ws : nullptr;
}

QList<qint64> tst_ViewModels::makeDeadLetters(const QString &queue, int n, WsClient **worker)
{
    WsClient *ws = consumer(queue, n);
    if (!ws)
        return {};
    QList<qint64> ids;
    for (int i = 0; i < n; ++i)
        ids << enqueueDirect(m_ts->server(), queue, QJsonObject{{"n", i}}, 1);
    for (int i = 0; i < n; ++i) {
        const QJsonObject job = ws->waitFor(QStringLiteral("job"));
        const qint64 id = job.value("id").toString().toLongLong();
        if (!ids.contains(id))
            return {};
        ws->send({{"type", "nack"}, {"id", job.value("id")}, {"error", QStringLiteral("error %1").arg(ids.indexOf(id))}});
    }
    QElapsedTimer timer;
    timer.start();
    while (statsOf(m_ts->server(), queue).dead < n && timer.elapsed() < 5000)
        QTest::qWait(10);
    if (worker)
        *worker = ws;
    return statsOf(m_ts->server(), queue).dead == n ? ids : QList<qint64>();
}

// --- ConnectionsModel ---------------------------------------------------------------------

void tst_ViewModels::connectionsRoleNamesAndHeaders()
{
    ConnectionsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(model), sorted({"display", "textAlignment", "connectionId", "userId", "roleName", "address",
                                          "connectedAt", "lastActivity", "rooms", "messagesIn", "messagesOut",
                                          "pendingBytes", "protocol", "transport", "sortKey"}));
    QCOMPARE(model.roleNames().value(ConnectionsModel::TransportRole), QByteArray("transport"));
    QCOMPARE(model.roleNames().value(ConnectionsModel::ConnectionIdRole), QByteArray("connectionId"));
    QCOMPARE(model.roleNames().value(ConnectionsModel::UserIdRole), QByteArray("userId"));
    QCOMPARE(model.columnCount(), int(ConnectionsModel::ColumnCount));
    QCOMPARE(model.rowCount(), 0);
    QStringList headers;
    for (int c = 0; c < model.columnCount(); ++c)
        headers << model.headerData(c, Qt::Horizontal).toString();
    QCOMPARE(headers, QStringList({"ID", "User", "Role", "Address", "Connected", "Last activity", "Rooms",
                                   "Msgs in", "Msgs out", "Pending", "Protocol", "Transport", "Node"}));
}

void tst_ViewModels::connectionsFollowLiveClients()
{
    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setRefreshInterval(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counted(&model, &ConnectionsModel::countChanged);

    const Client alice = connectClient(QStringLiteral("alice"), {QStringLiteral("team:red")}, QStringLiteral("admin"));
    const Client bob = connectClient(QStringLiteral("bob"));
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.count(), 2);
    QCOMPARE(model.totalCount(), 2);
    QVERIFY(counted.count() >= 1);

    const int a = model.rowOf(qint64(alice.id));
    QVERIFY(a >= 0);
    QCOMPARE(model.idAt(a), qint64(alice.id));
    QCOMPARE(model.data(model.index(a, 0), ConnectionsModel::ConnectionIdRole).toULongLong(), alice.id);
    QCOMPARE(model.data(model.index(a, ConnectionsModel::UserColumn)).toString(), QStringLiteral("alice"));
    QCOMPARE(model.data(model.index(a, 0), ConnectionsModel::UserIdRole).toString(), QStringLiteral("alice"));
    QCOMPARE(model.data(model.index(a, 0), ConnectionsModel::RoleNameRole).toString(), QStringLiteral("admin"));
    QCOMPARE(model.data(model.index(a, ConnectionsModel::IdColumn)).toString(), QString::number(alice.id));
    QVERIFY(model.data(model.index(a, 0), ConnectionsModel::AddressRole).toString().contains(QStringLiteral("127.0.0.1")));
    QCOMPARE(sorted(model.data(model.index(a, 0), ConnectionsModel::RoomsRole).toStringList()),
             QStringList({"role:admin", "team:red", "user:alice"}));
    // A native client: the JSON protocol over a WebSocket.
    QCOMPARE(model.data(model.index(a, 0), ConnectionsModel::ProtocolRole).toString(), QStringLiteral("json"));
    QCOMPARE(model.data(model.index(a, 0), ConnectionsModel::TransportRole).toString(), QStringLiteral("websocket"));
    QCOMPARE(model.data(model.index(a, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("native"));
    QCOMPARE(model.data(model.index(a, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("WebSocket"));

    // Subscribing shows up in the rooms column; messages in are counted.
    subscribe(bob, QStringLiteral("chat:1"));
    QTRY_VERIFY(model.data(model.index(model.rowOf(qint64(bob.id)), 0), ConnectionsModel::RoomsRole)
                    .toStringList().contains(QStringLiteral("chat:1")));
    QTRY_VERIFY(model.data(model.index(model.rowOf(qint64(bob.id)), ConnectionsModel::RoomsColumn)).toString()
                    .contains(QStringLiteral("chat:1")));
    ping(bob, 3);
    QTRY_COMPARE(model.data(model.index(model.rowOf(qint64(bob.id)), 0), ConnectionsModel::MessagesInRole).toLongLong(), 4LL);
    QTRY_COMPARE(model.data(model.index(model.rowOf(qint64(bob.id)), ConnectionsModel::MessagesInColumn)).toString(),
                 QStringLiteral("4"));

    // A disconnect removes exactly that row.
    alice.ws->socket().close();
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowOf(qint64(alice.id)), -1);
    QCOMPARE(model.idAt(0), qint64(bob.id));
    QCOMPARE(model.idAt(5), 0);

    // Inactive: no refreshes (the Connections page hidden), caught up when active again.
    model.setActive(false);
    const Client carol = connectClient(QStringLiteral("carol"));
    QVERIFY(carol.id > 0);
    QSignalSpy refreshed(&model, &ConnectionsModel::refreshed);
    QVERIFY(!refreshed.wait(400));
    QCOMPARE(model.rowCount(), 1);
    model.setActive(true);
    QCOMPARE(model.rowCount(), 2);
}

void tst_ViewModels::connectionsSort_data()
{
    QTest::addColumn<int>("sortColumn");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QStringList>("users");
    // Connected in the order mike, anna, zoe; mike sent 2 messages, anna 5, zoe none;
    // zoe is in 3 rooms, anna in 2, mike in 1.
    QTest::addRow("id ascending") << int(ConnectionsModel::IdColumn) << Qt::AscendingOrder << QStringList{"mike", "anna", "zoe"};
    QTest::addRow("id descending") << int(ConnectionsModel::IdColumn) << Qt::DescendingOrder << QStringList{"zoe", "anna", "mike"};
    QTest::addRow("user ascending") << int(ConnectionsModel::UserColumn) << Qt::AscendingOrder << QStringList{"anna", "mike", "zoe"};
    QTest::addRow("user descending") << int(ConnectionsModel::UserColumn) << Qt::DescendingOrder << QStringList{"zoe", "mike", "anna"};
    QTest::addRow("messages in ascending") << int(ConnectionsModel::MessagesInColumn) << Qt::AscendingOrder << QStringList{"zoe", "mike", "anna"};
    QTest::addRow("messages in descending") << int(ConnectionsModel::MessagesInColumn) << Qt::DescendingOrder << QStringList{"anna", "mike", "zoe"};
    QTest::addRow("rooms ascending") << int(ConnectionsModel::RoomsColumn) << Qt::AscendingOrder << QStringList{"mike", "anna", "zoe"};
    QTest::addRow("rooms descending") << int(ConnectionsModel::RoomsColumn) << Qt::DescendingOrder << QStringList{"zoe", "anna", "mike"};
    QTest::addRow("connected since descending") << int(ConnectionsModel::SinceColumn) << Qt::DescendingOrder << QStringList{"zoe", "anna", "mike"};
}

void tst_ViewModels::connectionsSort()
{
    QFETCH(int, sortColumn);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QStringList, users);

    const Client mike = connectClient(QStringLiteral("mike"));
    QTest::qWait(5); // distinct connectedAt milliseconds for the "since" column
    const Client anna = connectClient(QStringLiteral("anna"), {QStringLiteral("a")});
    QTest::qWait(5);
    const Client zoe = connectClient(QStringLiteral("zoe"), {QStringLiteral("b"), QStringLiteral("c")});
    ping(mike, 2);
    ping(anna, 5);

    ConnectionsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    QSignalSpy sortChanged(&model, &ConnectionsModel::sortChanged);
    model.sort(sortColumn, order);
    QCOMPARE(model.sortColumn(), sortColumn);
    QCOMPARE(model.sortOrder(), order);
    QCOMPARE(sortChanged.count(), sortColumn == ConnectionsModel::IdColumn && order == Qt::AscendingOrder ? 0 : 1);
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), users);
    // The SortRole carries the key the column sorts by.
    QVERIFY(model.data(model.index(0, sortColumn), ConnectionsModel::SortRole).isValid());

    // sortBy() on the same column flips the order, as a second header click does.
    model.sortBy(sortColumn);
    QCOMPARE(model.sortOrder(), order == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
    QStringList reversed = users;
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), reversed);

    // The order holds while rows come and go.
    model.setRefreshInterval(100);
    const Client bea = connectClient(QStringLiteral("bea"));
    QTRY_COMPARE(model.rowCount(), 4);
    zoe.ws->socket().close();
    QTRY_COMPARE(model.rowCount(), 3);
    QStringList expected = reversed;
    expected.removeAll(QStringLiteral("zoe"));
    QStringList actual = column(model, ConnectionsModel::UserIdRole);
    actual.removeAll(QStringLiteral("bea"));
    QCOMPARE(actual, expected);
    Q_UNUSED(bea);
}

void tst_ViewModels::connectionsFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("users");
    QTest::addRow("user") << "alice" << QStringList{"alice", "alice"};
    QTest::addRow("user, any case") << "ALI" << QStringList{"alice", "alice"};
    QTest::addRow("role") << "admin" << QStringList{"carol"};
    QTest::addRow("room") << "team:blue" << QStringList{"bob", "carol"};
    QTest::addRow("address") << "127.0.0.1" << QStringList{"alice", "alice", "bob", "carol"};
    QTest::addRow("surrounding spaces") << "  bob " << QStringList{"bob"};
    // Protocol and transport match as the table shows them.
    QTest::addRow("protocol label") << "Native" << QStringList{"alice", "alice", "bob", "carol"};
    QTest::addRow("transport label") << "websocket" << QStringList{"alice", "alice", "bob", "carol"};
    QTest::addRow("no polling client") << "polling" << QStringList{};
    QTest::addRow("nothing matches") << "nobody" << QStringList{};
    QTest::addRow("empty") << "" << QStringList{"alice", "alice", "bob", "carol"};
}

void tst_ViewModels::connectionsFilter()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, users);

    connectClient(QStringLiteral("alice"), {QStringLiteral("team:red")});
    connectClient(QStringLiteral("alice"));
    connectClient(QStringLiteral("bob"), {QStringLiteral("team:blue")});
    connectClient(QStringLiteral("carol"), {QStringLiteral("team:blue")}, QStringLiteral("admin"));

    ConnectionsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 4);
    QSignalSpy filterChanged(&model, &ConnectionsModel::filterTextChanged);
    model.setFilterText(filter);
    QCOMPARE(filterChanged.count(), filter.isEmpty() ? 0 : 1);
    QCOMPARE(sorted(column(model, ConnectionsModel::UserIdRole)), users);
    QCOMPARE(model.count(), users.size());
    QCOMPARE(model.totalCount(), 4);

    // A connection id finds that connection (digits may match addresses too).
    const qint64 someId = model.rowCount() > 0 ? model.idAt(model.rowCount() - 1) : 0;
    if (someId > 0) {
        model.setFilterText(QString::number(someId));
        QVERIFY(model.rowOf(someId) >= 0);
    }
    model.setFilterText({});
    QCOMPARE(model.rowCount(), 4);
}

void tst_ViewModels::connectionsOfOneRoom()
{
    const Client r1 = connectClient(QStringLiteral("r1"), {QStringLiteral("team:red")});
    const Client r2 = connectClient(QStringLiteral("r2"), {QStringLiteral("team:red")});
    const Client b1 = connectClient(QStringLiteral("b1"), {QStringLiteral("team:blue")});

    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setRefreshInterval(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRoom(QStringLiteral("team:red"));
    QCOMPARE(sorted(column(model, ConnectionsModel::UserIdRole)), QStringList({"r1", "r2"}));

    subscribe(b1, QStringLiteral("team:red"));
    QTRY_COMPARE(model.rowCount(), 3);
    QVERIFY(m_ts->server().leaveRoom(r1.id, QStringLiteral("team:red")));
    QTRY_COMPARE(sorted(column(model, ConnectionsModel::UserIdRole)), QStringList({"b1", "r2"}));
    r2.ws->socket().close();
    QTRY_COMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"b1"}));
    model.setRoom(QStringLiteral("no-such-room"));
    QCOMPARE(model.rowCount(), 0);
}

void tst_ViewModels::connectionsSignalAroundTheViewport()
{
    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setActive(false); // refreshed by hand here
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<Client> clients;
    for (int i = 0; i < 40; ++i)
        clients.push_back(connectClient(QStringLiteral("v%1").arg(i, 2, 10, QLatin1Char('0'))));
    QTRY_COMPARE(m_ts->server().registry().connectionCount(), 40);
    model.refresh();
    QCOMPARE(model.rowCount(), 40);
    const int last = model.rowOf(qint64(clients.back().id));
    QCOMPARE(last, 39); // sorted by id

    // A view showing rows 0-4: a change far below (row 39, beyond the margin) updates the
    // data without a signal; one near the top is signalled.
    model.setViewport(0, 4);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    ping(clients.back(), 1);
    ping(clients.front(), 1);
    model.refresh();
    QCOMPARE(model.data(model.index(39, 0), ConnectionsModel::MessagesInRole).toLongLong(), 1LL);
    QCOMPARE(model.data(model.index(0, 0), ConnectionsModel::MessagesInRole).toLongLong(), 1LL);
    QVERIFY(!changed.isEmpty());
    for (const QList<QVariant> &signal : std::as_const(changed)) {
        QVERIFY(signal.at(0).toModelIndex().row() <= 0 + 4 + 16);
        QVERIFY(signal.at(1).toModelIndex().row() <= 4 + 16);
    }

    // No viewport: every change is signalled.
    model.setViewport(-1, -1);
    changed.clear();
    ping(clients.back(), 1);
    model.refresh();
    QCOMPARE(model.data(model.index(39, 0), ConnectionsModel::MessagesInRole).toLongLong(), 2LL);
    bool sawLast = false;
    for (const QList<QVariant> &signal : std::as_const(changed))
        sawLast = sawLast || signal.at(1).toModelIndex().row() == 39;
    QVERIFY(sawLast);
}

void tst_ViewModels::connectionsUnderChurn()
{
    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setRefreshInterval(100);
    model.sort(ConnectionsModel::UserColumn, Qt::DescendingOrder);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RoomsModel rooms(&m_ts->server(), nullptr);
    QAbstractItemModelTester roomsTester(&rooms, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Waves of clients joining and leaving while the models refresh (and are refreshed by
    // hand in between, as a filter change would): every change must be a valid model change.
    QList<Client> live;
    for (int wave = 0; wave < 6; ++wave) {
        for (int i = 0; i < 6; ++i) {
            live << connectClient(QStringLiteral("churn-%1-%2").arg(wave).arg(i), {QStringLiteral("wave:%1").arg(wave % 2)});
            QVERIFY(live.last().id > 0);
        }
        model.refresh();
        rooms.refresh();
        // Drop every other client, oldest first.
        QList<Client> survivors;
        for (int i = 0; i < live.size(); ++i) {
            if (i % 2 == 0)
                live[i].ws->socket().close();
            else
                survivors << live[i];
        }
        live = survivors;
        QTest::qWait(50); // not a synchronisation: lets the refresh timers fire mid-churn
        model.setFilterText(wave % 2 ? QStringLiteral("churn") : QString());
        rooms.setFilterText(wave % 2 ? QStringLiteral("wave") : QString());
    }
    QTRY_COMPARE(model.rowCount(), live.size());
    QStringList expected;
    for (const Client &c : live)
        expected << c.user;
    expected.sort();
    std::reverse(expected.begin(), expected.end());
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), expected);
    if (QTest::currentTestFailed())
        return;

    for (const Client &c : live)
        c.ws->socket().close();
    QTRY_COMPARE(model.rowCount(), 0);
    QTRY_COMPARE(rooms.rowCount(), 0);
}

void tst_ViewModels::connectionsProtocolAndTransport()
{
    const Client native = connectClient(QStringLiteral("nat"), {QStringLiteral("team:red")});
    FakeSocketIoConnection sio(m_ts->server(), QStringLiteral("sio"), {QStringLiteral("team:red")});
    const Client native2 = connectClient(QStringLiteral("nat2"));

    ConnectionsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    const int s = model.rowOf(qint64(sio.id()));
    QVERIFY(s >= 0);
    QCOMPARE(model.data(model.index(s, 0), ConnectionsModel::ProtocolRole).toString(), QStringLiteral("socket.io"));
    QCOMPARE(model.data(model.index(s, 0), ConnectionsModel::TransportRole).toString(), QStringLiteral("polling"));
    QCOMPARE(model.data(model.index(s, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("Socket.IO"));
    QCOMPARE(model.data(model.index(s, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("polling"));
    QCOMPARE(model.data(model.index(s, ConnectionsModel::TransportColumn), Qt::ToolTipRole).toString(), QStringLiteral("polling"));
    QCOMPARE(model.data(model.index(s, ConnectionsModel::ProtocolColumn), ConnectionsModel::SortRole).toString(),
             QStringLiteral("socket.io"));
    const int n = model.rowOf(qint64(native.id));
    QCOMPARE(model.data(model.index(n, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("native"));
    QCOMPARE(model.data(model.index(n, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("WebSocket"));

    // Sorting: by protocol, native first; by transport, polling first; reversed on request.
    model.sort(ConnectionsModel::ProtocolColumn, Qt::AscendingOrder);
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"nat", "nat2", "sio"}));
    model.sort(ConnectionsModel::ProtocolColumn, Qt::DescendingOrder);
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"sio", "nat2", "nat"}));
    model.sort(ConnectionsModel::TransportColumn, Qt::AscendingOrder);
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"sio", "nat", "nat2"}));
    QCOMPARE(column(model, Qt::DisplayRole, ConnectionsModel::TransportColumn), QStringList({"polling", "WebSocket", "WebSocket"}));
    model.sortBy(ConnectionsModel::TransportColumn);
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"nat2", "nat", "sio"}));

    // Filtering by what the cells say, in any case.
    const QList<QPair<QString, QStringList>> filters{
        {QStringLiteral("socket.io"), {"sio"}},
        {QStringLiteral("POLLING"), {"sio"}},
        {QStringLiteral("native"), {"nat", "nat2"}},
        {QStringLiteral("WebSocket"), {"nat", "nat2"}},
        {QStringLiteral("socket"), {"nat", "nat2", "sio"}},  // "Socket.IO" and "WebSocket"
        {QStringLiteral("team:red"), {"nat", "sio"}},
        {QStringLiteral("json"), {}},                        // the registry's value, not shown
    };
    for (const auto &[filter, users] : filters) {
        model.setFilterText(filter);
        QCOMPARE(sorted(column(model, ConnectionsModel::UserIdRole)), users);
    }
    model.setFilterText({});

    // The Rooms page's member list (same model, one room) carries both too.
    model.setRoom(QStringLiteral("team:red"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(model.rowOf(qint64(sio.id())), 0), ConnectionsModel::TransportRole).toString(),
             QStringLiteral("polling"));
    Q_UNUSED(native2);
}

void tst_ViewModels::connectionsTransportUpgradeIsSignalled()
{
    // A Socket.IO session that upgrades from polling to WebSocket changes nothing else in its
    // row (no message, same rooms): the row diff must still see it and signal it, on the
    // timer's worker path as on a synchronous refresh, or the view keeps showing "polling".
    const Client native = connectClient(QStringLiteral("nat"));
    FakeSocketIoConnection sio(m_ts->server(), QStringLiteral("sio"));
    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setRefreshInterval(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 2);
    const int row = model.rowOf(qint64(sio.id()));
    QCOMPARE(model.data(model.index(row, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("polling"));

    const auto signalledTransport = [](const QSignalSpy &spy, int row) {
        for (const QList<QVariant> &signal : spy) {
            const QModelIndex from = signal.at(0).toModelIndex();
            const QModelIndex to = signal.at(1).toModelIndex();
            const QList<int> roles = qvariant_cast<QList<int>>(signal.at(2));
            if (from.row() <= row && row <= to.row() && from.column() <= ConnectionsModel::TransportColumn
                && ConnectionsModel::TransportColumn <= to.column() && (roles.isEmpty() || roles.contains(Qt::DisplayRole)))
                return true;
        }
        return false;
    };

    // Background refresh (the timer).
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    sio.setTransport(0);
    QTRY_COMPARE(model.data(model.index(row, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("WebSocket"));
    QCOMPARE(model.data(model.index(row, 0), ConnectionsModel::TransportRole).toString(), QStringLiteral("websocket"));
    QVERIFY(signalledTransport(changed, row));
    QCOMPARE(model.data(model.index(row, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("Socket.IO"));

    // And back, with a synchronous refresh (a filter change, the tests).
    model.setActive(false);
    changed.clear();
    sio.setTransport(1);
    model.refresh();
    QCOMPARE(model.data(model.index(row, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("polling"));
    QVERIFY(signalledTransport(changed, row));
    Q_UNUSED(native);
}

void tst_ViewModels::connectionDetailsProtocolAndTransport()
{
    // ConnectionDetails finds its source through ConsoleContext, as in the console.
    LocalSource source(m_ts->server());
    ConsoleContext::setSource(&source);
    const auto clearContext = qScopeGuard([] { ConsoleContext::setSource(nullptr); });
    const Client native = connectClient(QStringLiteral("nat"));
    FakeSocketIoConnection sio(m_ts->server(), QStringLiteral("sio"));

    ConnectionDetails details;
    details.setConnectionId(qint64(native.id));
    QVERIFY(details.connected());
    QCOMPARE(details.protocol(), QStringLiteral("json"));
    QCOMPARE(details.protocolLabel(), QStringLiteral("native"));
    QCOMPARE(details.transport(), QStringLiteral("websocket"));
    QCOMPARE(details.transportLabel(), QStringLiteral("WebSocket"));

    details.setConnectionId(qint64(sio.id()));
    QCOMPARE(details.protocol(), QStringLiteral("socket.io"));
    QCOMPARE(details.protocolLabel(), QStringLiteral("Socket.IO"));
    QCOMPARE(details.transport(), QStringLiteral("polling"));
    QCOMPARE(details.transportLabel(), QStringLiteral("polling"));
    QSignalSpy changed(&details, &ConnectionDetails::changed);
    sio.setTransport(0);
    QTRY_COMPARE(details.transportLabel(), QStringLiteral("WebSocket"));
    QVERIFY(!changed.isEmpty());
}

void tst_ViewModels::connectionsShowARealSocketIoSession()
{
    // socket.io-client's default start: Engine.IO long-polling, upgraded to a WebSocket once
    // connected. The model shows the session as it goes, beside a native client.
    const Client native = connectClient(QStringLiteral("nat"));
    ConnectionsModel model(&m_ts->server(), nullptr);
    model.setRefreshInterval(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto sioRow = [&model] { return column(model, ConnectionsModel::UserIdRole).indexOf(QStringLiteral("sio-user")); };

    RawSocketIo sio(m_ts->port());
    QVERIFY2(sio.connect(token(QStringLiteral("sio-user"), QStringLiteral("ops"))), sio.error().constData());
    QTRY_VERIFY(sioRow() >= 0);
    QCOMPARE(model.rowCount(), 2);
    int row = sioRow();
    QCOMPARE(model.data(model.index(row, 0), ConnectionsModel::ProtocolRole).toString(), QStringLiteral("socket.io"));
    QCOMPARE(model.data(model.index(row, 0), ConnectionsModel::TransportRole).toString(), QStringLiteral("polling"));
    QCOMPARE(model.data(model.index(row, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("Socket.IO"));
    QCOMPARE(model.data(model.index(row, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("polling"));
    QCOMPARE(sorted(model.data(model.index(row, 0), ConnectionsModel::RoomsRole).toStringList()),
             QStringList({"role:ops", "user:sio-user"}));
    const int n = model.rowOf(qint64(native.id));
    QCOMPARE(model.data(model.index(n, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("native"));
    QCOMPARE(model.data(model.index(n, ConnectionsModel::TransportColumn)).toString(), QStringLiteral("WebSocket"));
    model.setFilterText(QStringLiteral("polling"));
    QCOMPARE(column(model, ConnectionsModel::UserIdRole), QStringList({"sio-user"}));
    model.setFilterText({});

    // The upgrade: same connection, same row, now on a WebSocket; the change is signalled.
    const qint64 id = model.idAt(row);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY2(sio.upgrade(), sio.error().constData());
    const auto transportOf = [&model, id] {
        const int r = model.rowOf(id);
        return r < 0 ? QStringLiteral("(no row)") : model.data(model.index(r, ConnectionsModel::TransportColumn)).toString();
    };
    QTRY_VERIFY2(transportOf() == QLatin1String("WebSocket"),
                 qPrintable(QStringLiteral("transport %1; the upgraded WebSocket: %2").arg(transportOf(), sio.webSocketState())));
    row = model.rowOf(id);
    QCOMPARE(model.data(model.index(row, 0), ConnectionsModel::TransportRole).toString(), QStringLiteral("websocket"));
    QCOMPARE(model.data(model.index(row, ConnectionsModel::ProtocolColumn)).toString(), QStringLiteral("Socket.IO"));
    QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [row](const QList<QVariant> &signal) {
        return signal.at(0).toModelIndex().row() <= row && row <= signal.at(1).toModelIndex().row()
            && signal.at(1).toModelIndex().column() >= ConnectionsModel::TransportColumn;
    }));

    // Closing the session removes its row.
    sio.close();
    QTRY_COMPARE(model.rowOf(id), -1);
    QCOMPARE(model.rowCount(), 1);
}

// --- RoomsModel ---------------------------------------------------------------------------

void tst_ViewModels::roomsFollowMembership()
{
    RoomsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(model), sorted({"display", "name", "members", "kind", "node"}));
    QCOMPARE(model.rowCount(), 0);

    const Client a = connectClient(QStringLiteral("a"), {QStringLiteral("team:red")}, QStringLiteral("ops"));
    const Client b = connectClient(QStringLiteral("b"), {QStringLiteral("team:red")});
    QTRY_COMPARE(model.rowCount(), 4);
    // Sorted by name, with member counts and kinds.
    QCOMPARE(column(model, RoomsModel::NameRole), QStringList({"role:ops", "team:red", "user:a", "user:b"}));
    QCOMPARE(column(model, Qt::DisplayRole), column(model, RoomsModel::NameRole));
    QCOMPARE(column(model, RoomsModel::MembersRole), QStringList({"1", "2", "1", "1"}));
    QCOMPARE(column(model, RoomsModel::KindRole), QStringList({"role", "room", "user", "user"}));
    QCOMPARE(model.membersOf(QStringLiteral("team:red")), 2);
    QCOMPARE(model.nameAt(1), QStringLiteral("team:red"));
    QCOMPARE(model.rowOf(QStringLiteral("user:b")), 3);
    QCOMPARE(model.rowOf(QStringLiteral("nope")), -1);

    // A subscribe adds a room in its sorted place; a second member only changes the count.
    subscribe(b, QStringLiteral("chat:1"));
    QTRY_COMPARE(model.rowOf(QStringLiteral("chat:1")), 0);
    QCOMPARE(model.membersOf(QStringLiteral("chat:1")), 1);
    subscribe(a, QStringLiteral("chat:1"));
    QTRY_COMPARE(model.membersOf(QStringLiteral("chat:1")), 2);
    QCOMPARE(model.rowCount(), 5);

    // Leaving and disconnecting shrink and remove rooms.
    a.ws->socket().close();
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(column(model, RoomsModel::NameRole), QStringList({"chat:1", "team:red", "user:b"}));
    QCOMPARE(column(model, RoomsModel::MembersRole), QStringList({"1", "1", "1"}));
    b.ws->send({{"type", "unsubscribe"}, {"channel", "chat:1"}});
    QVERIFY(b.ws->receives(QStringLiteral("unsubscribed"), 5000));
    QTRY_COMPARE(column(model, RoomsModel::NameRole), QStringList({"team:red", "user:b"}));
}

void tst_ViewModels::roomsFilterAndUsers()
{
    connectClient(QStringLiteral("ann"), {QStringLiteral("order:1"), QStringLiteral("order:2")});
    connectClient(QStringLiteral("ann"), {QStringLiteral("order:2")});
    connectClient(QStringLiteral("ben"), {QStringLiteral("chat:1")});

    RoomsModel rooms(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&rooms, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(rooms.totalCount(), 5);
    QSignalSpy countChanged(&rooms, &RoomsModel::countChanged);
    rooms.setFilterText(QStringLiteral("ORDER"));
    QCOMPARE(column(rooms, RoomsModel::NameRole), QStringList({"order:1", "order:2"}));
    QCOMPARE(column(rooms, RoomsModel::MembersRole), QStringList({"1", "2"}));
    QCOMPARE(rooms.count(), 2);
    QCOMPARE(rooms.totalCount(), 5);
    QCOMPARE(countChanged.count(), 1);
    rooms.setFilterText(QStringLiteral("zzz"));
    QCOMPARE(rooms.rowCount(), 0);
    rooms.setFilterText({});
    QCOMPARE(rooms.rowCount(), 5);

    // The same model lists users with their connection counts (the Emit page's completion).
    QSignalSpy reset(&rooms, &QAbstractItemModel::modelReset);
    rooms.setSource(RoomsModel::Users);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(column(rooms, RoomsModel::NameRole), QStringList({"ann", "ben"}));
    QCOMPARE(column(rooms, RoomsModel::MembersRole), QStringList({"2", "1"}));
    QCOMPARE(column(rooms, RoomsModel::KindRole), QStringList({"user", "user"}));
    rooms.setFilterText(QStringLiteral("be"));
    QCOMPARE(column(rooms, RoomsModel::NameRole), QStringList({"ben"}));
}

// --- EventsModel --------------------------------------------------------------------------

void tst_ViewModels::eventsFlowNewestFirst()
{
    EventsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(model), sorted({"display", "seq", "time", "timestamp", "direction", "name", "room",
                                          "userId", "connectionId", "detail"}));
    QCOMPARE(model.capacity(), 10000);

    const Client a = connectClient(QStringLiteral("ev-a"), {QStringLiteral("news")});
    QTRY_VERIFY(model.contains(QStringLiteral("connect"), QStringLiteral("ev-a")));
    const auto firstRow = [&](int role) { return model.data(model.index(0, 0), role); };
    QCOMPARE(firstRow(EventsModel::NameRole).toString(), QStringLiteral("connect"));
    QCOMPARE(firstRow(EventsModel::DirectionRole).toString(), QStringLiteral("system"));
    QCOMPARE(firstRow(EventsModel::UserIdRole).toString(), QStringLiteral("ev-a"));
    QCOMPARE(firstRow(EventsModel::ConnectionIdRole).toULongLong(), a.id);
    QVERIFY(firstRow(EventsModel::TimestampRole).toLongLong() > 0);
    QCOMPARE(firstRow(EventsModel::TimeRole).toString().size(), 12); // HH:mm:ss.zzz

    EmitRequest headline;
    headline.target = EmitRequest::Target::Room;
    headline.room = QStringLiteral("news");
    headline.event = QStringLiteral("headline");
    headline.payload = QJsonObject{{QStringLiteral("n"), 1}};
    QCOMPARE(m_ts->server().emitEvent(headline).delivered, 1);
    QTRY_COMPARE(firstRow(EventsModel::NameRole).toString(), QStringLiteral("headline"));
    QCOMPARE(firstRow(EventsModel::DirectionRole).toString(), QStringLiteral("out"));
    QCOMPARE(firstRow(EventsModel::RoomRole).toString(), QStringLiteral("news"));
    QVERIFY(firstRow(EventsModel::DetailRole).toString().contains(QStringLiteral("\"n\":1")));

    a.ws->socket().close();
    QTRY_COMPARE(firstRow(EventsModel::NameRole).toString(), QStringLiteral("disconnect"));
    QCOMPARE(firstRow(EventsModel::ConnectionIdRole).toULongLong(), a.id);

    // Newest first throughout.
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(model.data(model.index(row - 1, 0), EventsModel::SeqRole).toLongLong()
                > model.data(model.index(row, 0), EventsModel::SeqRole).toLongLong());
    QCOMPARE(model.bufferedCount(), model.rowCount());
    QCOMPARE(model.received(), qint64(model.rowCount()));
    QCOMPARE(model.skipped(), 0);

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.bufferedCount(), 0);
    // Cleared rows stay cleared; new ones still come.
    const Client b = connectClient(QStringLiteral("ev-b"));
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(firstRow(EventsModel::UserIdRole).toString(), QStringLiteral("ev-b"));
    Q_UNUSED(b);
}

void tst_ViewModels::eventsFilters_data()
{
    QTest::addColumn<QString>("direction");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("room");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("expected"); // "name/user" of each row, newest first

    QTest::addRow("everything") << "" << "" << "" << ""
                                << QStringList{"disconnect/fa", "chat/fb", "notice/", "connect/fb", "connect/fa"};
    QTest::addRow("system") << "system" << "" << "" << ""
                            << QStringList{"disconnect/fa", "connect/fb", "connect/fa"};
    QTest::addRow("in") << "in" << "" << "" << "" << QStringList{"chat/fb"};
    QTest::addRow("out") << "out" << "" << "" << "" << QStringList{"notice/"};
    QTest::addRow("name, any case") << "" << "CONN" << "" << "" << QStringList{"disconnect/fa", "connect/fb", "connect/fa"};
    QTest::addRow("name") << "" << "notice" << "" << "" << QStringList{"notice/"};
    QTest::addRow("user") << "" << "" << "" << "fa" << QStringList{"disconnect/fa", "connect/fa"};
    QTest::addRow("room") << "" << "" << "lobby" << "" << QStringList{"chat/fb", "notice/"};
    QTest::addRow("user and name") << "" << "dis" << "" << "fa" << QStringList{"disconnect/fa"};
    QTest::addRow("direction and room") << "in" << "" << "lobby" << "" << QStringList{"chat/fb"};
    QTest::addRow("no match") << "out" << "chat" << "" << "" << QStringList{};
}

void tst_ViewModels::eventsFilters()
{
    QFETCH(QString, direction);
    QFETCH(QString, name);
    QFETCH(QString, room);
    QFETCH(QString, user);
    QFETCH(QStringList, expected);

    EventsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Filters set first apply to rows as they arrive...
    model.setDirectionFilter(direction);
    model.setNameFilter(name);
    model.setRoomFilter(room);
    model.setUserFilter(user);

    const Client fa = connectClient(QStringLiteral("fa"), {QStringLiteral("lobby")});
    const Client fb = connectClient(QStringLiteral("fb"), {QStringLiteral("lobby")});
    EmitRequest notice;
    notice.target = EmitRequest::Target::Room;
    notice.room = QStringLiteral("lobby");
    notice.event = QStringLiteral("notice");
    QCOMPARE(m_ts->server().emitEvent(notice).delivered, 2);
    QVERIFY(fa.ws->receives(QStringLiteral("notice"), 5000));
    // A client emit to the room: direction "in", from fb.
    fb.ws->send({{"type", "emit"}, {"room", "lobby"}, {"event", "chat"}, {"data", "hi"}});
    QVERIFY(fa.ws->receives(QStringLiteral("chat"), 5000));
    fa.ws->socket().close();
    QTRY_COMPARE(m_ts->server().eventLog().lastSeq(), quint64(5));

    const auto rows = [&] {
        QStringList out;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex i = model.index(row, 0);
            out << model.data(i, EventsModel::NameRole).toString() + QLatin1Char('/')
                       + model.data(i, EventsModel::UserIdRole).toString();
        }
        return out;
    };
    model.poll();
    QTRY_COMPARE(rows(), expected);
    QCOMPARE(model.bufferedCount(), 5);

    // ...and set afterwards they refilter what is buffered.
    EventsModel late(&m_ts->server(), nullptr);
    QAbstractItemModelTester lateTester(&late, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(late.rowCount(), 5);
    QSignalSpy filterChanged(&late, &EventsModel::filterChanged);
    late.setDirectionFilter(direction);
    late.setNameFilter(name);
    late.setRoomFilter(room);
    late.setUserFilter(user);
    QStringList lateRows;
    for (int row = 0; row < late.rowCount(); ++row)
        lateRows << late.data(late.index(row, 0), EventsModel::NameRole).toString() + QLatin1Char('/')
                        + late.data(late.index(row, 0), EventsModel::UserIdRole).toString();
    QCOMPARE(lateRows, expected);
    QCOMPARE(late.bufferedCount(), 5);
    QCOMPARE(filterChanged.count(), int(!direction.isEmpty()) + int(!name.isEmpty()) + int(!room.isEmpty())
                                        + int(!user.isEmpty()));
}

void tst_ViewModels::eventsPauseAndResume()
{
    EventsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy pausedChanged(&model, &EventsModel::pausedChanged);
    model.setPaused(true);
    QCOMPARE(pausedChanged.count(), 1);

    const Client p = connectClient(QStringLiteral("paused-user"));
    QTRY_COMPARE(m_ts->server().eventLog().lastSeq(), quint64(1));
    model.poll(); // what the timer would do: nothing while paused
    QCOMPARE(model.rowCount(), 0);
    p.ws->socket().close();
    QTRY_COMPARE(m_ts->server().eventLog().lastSeq(), quint64(2));
    model.poll();
    QCOMPARE(model.rowCount(), 0);

    model.setPaused(false);
    QCOMPARE(model.rowCount(), 2); // caught up at once
    QCOMPARE(model.data(model.index(0, 0), EventsModel::NameRole).toString(), QStringLiteral("disconnect"));
    QCOMPARE(model.data(model.index(1, 0), EventsModel::NameRole).toString(), QStringLiteral("connect"));
    QCOMPARE(model.skipped(), 0);
}

void tst_ViewModels::eventsInactiveBuffersWithoutRowSignals()
{
    EventsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy activeChanged(&model, &EventsModel::activeChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setActive(false); // the Events page is hidden
    QCOMPARE(activeChanged.count(), 1);

    const Client c = connectClient(QStringLiteral("hidden-user"));
    QTRY_COMPARE(m_ts->server().eventLog().lastSeq(), quint64(1));
    model.poll();
    QCOMPARE(model.bufferedCount(), 1); // kept...
    QCOMPARE(model.rowCount(), 0);      // ...but not shown
    QCOMPARE(inserted.count(), 0);
    QVERIFY(model.contains(QStringLiteral("connect"), QStringLiteral("hidden-user")));

    model.setActive(true); // the page is shown: one reset brings the view up to date
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.data(model.index(0, 0), EventsModel::NameRole).toString(), QStringLiteral("connect"));
    QCOMPARE(model.data(model.index(0, 0), EventsModel::UserIdRole).toString(), QStringLiteral("hidden-user"));

    // Active again: new rows arrive as inserts at the top.
    c.ws->socket().close();
    QTRY_COMPARE(m_ts->server().eventLog().lastSeq(), quint64(2));
    model.poll();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.data(model.index(0, 0), EventsModel::NameRole).toString(), QStringLiteral("disconnect"));
}

void tst_ViewModels::eventsBoundedByCapacity()
{
    constexpr int kCapacity = 5;
    EventsModel model(&m_ts->server(), nullptr, kCapacity);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.capacity(), kCapacity);
    const Client c = connectClient(QStringLiteral("cap"), {QStringLiteral("r")});

    // Several small batches, then one batch larger than the capacity.
    for (int i = 0; i < 8; ++i) {
        EmitRequest e;
        e.target = EmitRequest::Target::Room;
        e.room = QStringLiteral("r");
        e.event = QStringLiteral("small-%1").arg(i);
        m_ts->server().emitEvent(e);
        model.poll();
        QVERIFY(model.rowCount() <= kCapacity);
    }
    QCOMPARE(model.rowCount(), kCapacity);
    QCOMPARE(model.data(model.index(0, 0), EventsModel::NameRole).toString(), QStringLiteral("small-7"));
    QCOMPARE(model.data(model.index(kCapacity - 1, 0), EventsModel::NameRole).toString(), QStringLiteral("small-3"));
    QCOMPARE(model.skipped(), 0);

    model.setPaused(true);
    for (int i = 0; i < 12; ++i) {
        EmitRequest e;
        e.target = EmitRequest::Target::Room;
        e.room = QStringLiteral("r");
        e.event = QStringLiteral("big-%1").arg(i);
        m_ts->server().emitEvent(e);
    }
    model.setPaused(false);
    QCOMPARE(model.rowCount(), kCapacity);
    QCOMPARE(model.bufferedCount(), kCapacity);
    QCOMPARE(column(model, EventsModel::NameRole), QStringList({"big-11", "big-10", "big-9", "big-8", "big-7"}));
    // The seven rows of the batch that never fitted are reported, not silently lost.
    QCOMPARE(model.skipped(), 7);
    QCOMPARE(model.received(), 1 + 8 + 12);

    // With a filter, the bound applies to the buffer and the visible rows follow it.
    model.setNameFilter(QStringLiteral("big-1"));
    QCOMPARE(column(model, EventsModel::NameRole), QStringList({"big-11", "big-10"}));
    EmitRequest e;
    e.target = EmitRequest::Target::Room;
    e.room = QStringLiteral("r");
    e.event = QStringLiteral("other");
    for (int i = 0; i < kCapacity; ++i)
        m_ts->server().emitEvent(e);
    model.poll();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.bufferedCount(), kCapacity);
    Q_UNUSED(c);
}

void tst_ViewModels::eventsExport()
{
    EventsModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Client c = connectClient(QStringLiteral("exp"), {QStringLiteral("r")});
    EmitRequest e;
    e.target = EmitRequest::Target::Room;
    e.room = QStringLiteral("r");
    e.event = QStringLiteral("exported");
    m_ts->server().emitEvent(e);
    c.ws->socket().close();
    QTRY_COMPARE(model.rowCount(), 3);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.jsonl"));
    QCOMPARE(model.exportTo(QUrl::fromLocalFile(path).toString()), 3);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4); // three lines and the empty rest after the last newline
    QStringList names;
    for (int i = 0; i < 3; ++i) {
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(lines[i], &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        names << o.value("name").toString();
        QVERIFY(o.value("timestamp").toString().endsWith(QLatin1Char('Z')));
    }
    QCOMPARE(names, QStringList({"connect", "exported", "disconnect"})); // oldest first

    // Only what passes the filters is written.
    model.setDirectionFilter(QStringLiteral("out"));
    QCOMPARE(model.exportTo(path), 1);
    // A path that cannot be written is an error with an explanation.
    QCOMPARE(model.exportTo(dir.filePath(QStringLiteral("missing/dir/x.jsonl"))), -1);
    QVERIFY(model.lastError().contains(QStringLiteral("missing/dir")));
}

// --- Emitter's history and acks ----------------------------------------------------------

void tst_ViewModels::emitHistoryAndAcks()
{
    Emitter emitter(&m_ts->server());
    AcksModel &acks = *emitter.acks();
    EmitHistoryModel &history = *emitter.history();
    QAbstractItemModelTester acksTester(&acks, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester historyTester(&history, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(acks), sorted({"display", "connectionId", "userId", "ok", "error", "latencyMs", "time"}));
    QCOMPARE(roleNameList(history), sorted({"display", "emitId", "time", "targetKind", "target", "event", "payload",
                                            "delivered", "ack", "acks", "error"}));

    const Client x = connectClient(QStringLiteral("x"), {QStringLiteral("desk")});
    const Client y = connectClient(QStringLiteral("y"), {QStringLiteral("desk")});
    const Client z = connectClient(QStringLiteral("z"));

    const QString id = emitter.send(Emitter::Room, QStringLiteral(" desk "), QStringLiteral("confirm"),
                                    QStringLiteral("{ \"n\": 1 }"), true, 10000);
    QVERIFY(!id.isEmpty());
    QCOMPARE(emitter.lastDelivered(), 2);
    QVERIFY(emitter.ackPending());
    QCOMPARE(history.rowCount(), 1);
    const auto h = [&](int row, int role) { return history.data(history.index(row, 0), role); };
    QCOMPARE(h(0, EmitHistoryModel::IdRole).toString(), id);
    QCOMPARE(h(0, EmitHistoryModel::EventRole).toString(), QStringLiteral("confirm"));
    QCOMPARE(h(0, EmitHistoryModel::TargetKindRole).toInt(), int(Emitter::Room));
    QCOMPARE(h(0, EmitHistoryModel::TargetRole).toString(), QStringLiteral("desk"));
    QCOMPARE(h(0, EmitHistoryModel::PayloadRole).toString(), QStringLiteral("{\"n\":1}"));
    QCOMPARE(h(0, EmitHistoryModel::DeliveredRole).toInt(), 2);
    QCOMPARE(h(0, EmitHistoryModel::AckRole).toBool(), true);
    QCOMPARE(h(0, EmitHistoryModel::AcksRole).toInt(), 0);

    // One ack, one nack, as the clients answer.
    QCOMPARE(x.ws->waitFor(QStringLiteral("confirm")).value("id").toString(), id);
    QCOMPARE(y.ws->waitFor(QStringLiteral("confirm")).value("id").toString(), id);
    QSignalSpy acksChanged(&emitter, &Emitter::acksChanged);
    x.ws->send({{"type", "ack"}, {"id", id}});
    QTRY_COMPARE(acks.rowCount(), 1);
    QCOMPARE(emitter.acksReceived(), 1);
    QVERIFY(emitter.ackPending());
    y.ws->send({{"type", "nack"}, {"id", id}, {"error", "busy"}});
    QTRY_COMPARE(acks.rowCount(), 2);
    QCOMPARE(emitter.acksReceived(), 1);
    QCOMPARE(emitter.acksFailed(), 1);
    QVERIFY(!emitter.ackPending());
    QVERIFY(acksChanged.count() >= 2);
    const auto a = [&](int row, int role) { return acks.data(acks.index(row, 0), role); };
    QCOMPARE(a(0, AcksModel::ConnectionIdRole).toULongLong(), x.id);
    QCOMPARE(a(0, AcksModel::UserIdRole).toString(), QStringLiteral("x"));
    QCOMPARE(a(0, AcksModel::OkRole).toBool(), true);
    QCOMPARE(a(1, AcksModel::UserIdRole).toString(), QStringLiteral("y"));
    QCOMPARE(a(1, AcksModel::OkRole).toBool(), false);
    QCOMPARE(a(1, AcksModel::ErrorRole).toString(), QStringLiteral("busy"));
    QVERIFY(a(1, AcksModel::LatencyRole).toLongLong() >= 0);
    QCOMPARE(h(0, EmitHistoryModel::AcksRole).toInt(), 2);

    // Re-send: a new emit with a new id on top; the acks list starts again.
    const QString again = emitter.resend(0);
    QVERIFY(!again.isEmpty());
    QVERIFY(again != id);
    QCOMPARE(history.rowCount(), 2);
    QCOMPARE(acks.rowCount(), 0);
    QCOMPARE(h(0, EmitHistoryModel::IdRole).toString(), again);
    QCOMPARE(h(1, EmitHistoryModel::IdRole).toString(), id);
    QCOMPARE(h(0, EmitHistoryModel::PayloadRole).toString(), h(1, EmitHistoryModel::PayloadRole).toString());
    // The Edit button loads the payload back pretty-printed.
    QVERIFY(emitter.historyPayload(1).contains(QLatin1Char('\n')));
    QCOMPARE(QJsonDocument::fromJson(emitter.historyPayload(1).toUtf8()).object(), QJsonObject({{"n", 1}}));
    QCOMPARE(x.ws->waitFor(QStringLiteral("confirm")).value("id").toString(), again);

    // A second answer to the first emit (y nacked it already) is refused to y and counted
    // nowhere: each connection answers an emit once (docs/protocol.md, unknown_ack).
    y.ws->send({{"type", "ack"}, {"id", id}});
    QCOMPARE(y.ws->waitFor(QStringLiteral("error")).value("code").toString(), QStringLiteral("unknown_ack"));
    QCOMPARE(h(1, EmitHistoryModel::AcksRole).toInt(), 2);
    QCOMPARE(acks.rowCount(), 0);
    QCOMPARE(emitter.recentEvents(), QStringList({"confirm"}));
    Q_UNUSED(z); // not in the room: lastDelivered was 2 of 3 connections
}

void tst_ViewModels::emitAckTimeoutAndErrors()
{
    Emitter emitter(&m_ts->server());
    QAbstractItemModelTester acksTester(emitter.acks(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester historyTester(emitter.history(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Client c = connectClient(QStringLiteral("slow"));

    // Nobody answers: the emit times out and says how many are missing.
    const QString id = emitter.send(Emitter::User, QStringLiteral("slow"), QStringLiteral("ping.me"), {}, true, 100);
    QVERIFY(!id.isEmpty());
    QCOMPARE(emitter.lastDelivered(), 1);
    QCOMPARE(c.ws->waitFor(QStringLiteral("ping.me")).value("id").toString(), id);
    QTRY_VERIFY(emitter.ackTimedOut());
    QVERIFY(!emitter.ackPending());

    // Refused sends: an error, nothing in the history.
    const int before = emitter.history()->rowCount();
    QVERIFY(emitter.send(Emitter::Room, QStringLiteral("r"), QStringLiteral("x"), QStringLiteral("{bad")).isEmpty());
    QVERIFY(emitter.lastError().contains(QStringLiteral("line 1")));
    QVERIFY(emitter.send(Emitter::Room, QStringLiteral("r"), QStringLiteral("  "), QStringLiteral("{}")).isEmpty());
    QVERIFY(!emitter.lastError().isEmpty());
    QVERIFY(emitter.send(Emitter::Connection, QStringLiteral("abc"), QStringLiteral("x"), {}).isEmpty());
    QVERIFY(!emitter.lastError().isEmpty());
    QVERIFY(emitter.send(Emitter::Room, QStringLiteral(" "), QStringLiteral("x"), {}).isEmpty());
    QCOMPARE(emitter.history()->rowCount(), before);

    // "#17" is accepted for a connection id, as the Connections page fills it in.
    QVERIFY(!emitter.send(Emitter::Connection, QStringLiteral("#%1").arg(c.id), QStringLiteral("direct"), {}).isEmpty());
    QCOMPARE(emitter.lastDelivered(), 1);
    QVERIFY(c.ws->receives(QStringLiteral("direct"), 5000));
    QCOMPARE(emitter.history()->rowCount(), before + 1);
}

void tst_ViewModels::emitHistoryIsBounded()
{
    Emitter emitter(&m_ts->server());
    QAbstractItemModelTester historyTester(emitter.history(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 205; ++i)
        QVERIFY(!emitter.send(Emitter::Broadcast, {}, QStringLiteral("e%1").arg(i), {}).isEmpty());
    QCOMPARE(emitter.history()->rowCount(), 200);
    const QAbstractItemModel &h = *emitter.history();
    QCOMPARE(h.data(h.index(0, 0), EmitHistoryModel::EventRole).toString(), QStringLiteral("e204"));
    QCOMPARE(h.data(h.index(199, 0), EmitHistoryModel::EventRole).toString(), QStringLiteral("e5"));
    QCOMPARE(emitter.recentEvents().size(), 12);
    QCOMPARE(emitter.recentEvents().first(), QStringLiteral("e204"));
}

// --- QueuesModel, DeadLettersModel, QueueActions ------------------------------------------

void tst_ViewModels::queuesModelFollowsStats()
{
    QueuesModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(model), sorted({"display", "name", "ready", "inFlight", "delayed", "dead", "depth", "consumers",
                                          "enqueuedPerSec", "ackedPerSec", "nackedPerSec", "deadLetteredPerSec",
                                          "enqueued", "acked", "nacked", "deadLettered"}));
    QVERIFY(model.available());
    QVERIFY(model.durable());
    QVERIFY(model.storeDescription().startsWith(QStringLiteral("sqlite:")));
    QCOMPARE(model.rowCount(), 0);
    QSignalSpy counted(&model, &QueuesModel::countChanged);
    QSignalSpy totals(&model, &QueuesModel::totalsChanged);

    // Two queues appear, sorted by name, with their depth by state.
    for (int i = 0; i < 3; ++i)
        QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("orders"), QJsonObject{{"i", i}}, 1) > 0);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("alerts"), QStringLiteral("later"), 5, 60000) > 0);
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.count(), 2);
    QVERIFY(counted.count() >= 1);
    QCOMPARE(column(model, QueuesModel::NameRole), QStringList({"alerts", "orders"}));
    QCOMPARE(model.nameAt(1), QStringLiteral("orders"));
    QCOMPARE(model.rowOf(QStringLiteral("orders")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("nope")), -1);
    QTRY_COMPARE(queueValue(model, "orders", QueuesModel::ReadyRole).toLongLong(), 3LL);
    QCOMPARE(queueValue(model, "alerts", QueuesModel::DelayedRole).toLongLong(), 1LL);
    QCOMPARE(queueValue(model, "alerts", QueuesModel::ReadyRole).toLongLong(), 0LL);
    QCOMPARE(queueValue(model, "orders", QueuesModel::EnqueuedRole).toLongLong(), 3LL);
    QCOMPARE(queueValue(model, "orders", Qt::DisplayRole).toString(), QStringLiteral("orders"));
    QCOMPARE(model.ready(), 3);
    QCOMPARE(model.delayed(), 1);
    QCOMPARE(model.depth(), 4);
    QVERIFY(totals.count() >= 1);

    // A consumer takes two (prefetch 2): in flight, one consumer.
    WsClient *worker = consumer(QStringLiteral("orders"), 2);
    QVERIFY(worker);
    const QJsonObject first = worker->waitFor(QStringLiteral("job"));
    const QJsonObject second = worker->waitFor(QStringLiteral("job"));
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    QTRY_COMPARE(queueValue(model, "orders", QueuesModel::InFlightRole).toLongLong(), 2LL);
    QCOMPARE(queueValue(model, "orders", QueuesModel::ReadyRole).toLongLong(), 1LL);
    QCOMPARE(queueValue(model, "orders", QueuesModel::ConsumersRole).toInt(), 1);
    QCOMPARE(queueValue(model, "orders", QueuesModel::DepthRole).toLongLong(), 3LL);
    QCOMPARE(model.consumers(), 1);
    QCOMPARE(model.inFlight(), 2);

    // One acked, one nacked on its only attempt: a dead letter.
    worker->send({{"type", "ack"}, {"id", first.value("id")}});
    worker->send({{"type", "nack"}, {"id", second.value("id")}, {"error", "boom"}});
    QTRY_COMPARE(queueValue(model, "orders", QueuesModel::DeadRole).toLongLong(), 1LL);
    QTRY_COMPARE(queueValue(model, "orders", QueuesModel::AckedRole).toLongLong(), 1LL);
    QCOMPARE(queueValue(model, "orders", QueuesModel::NackedRole).toLongLong(), 1LL);
    QCOMPARE(queueValue(model, "orders", QueuesModel::DeadLetteredRole).toLongLong(), 1LL);
    QCOMPARE(model.deadOf(QStringLiteral("orders")), 1);
    QCOMPARE(model.deadOf(QStringLiteral("nope")), 0);
    QTRY_COMPARE(model.dead(), 1);
    // The third job went out after the ack freed a slot; acking it makes a fresh rate.
    const QJsonObject third = worker->waitFor(QStringLiteral("job"));
    QVERIFY(!third.isEmpty());
    worker->send({{"type", "ack"}, {"id", third.value("id")}});

    // The queue thread samples rates once a second; within the second after the ack the
    // snapshot has acked/s > 0, and the model shows exactly that (row and totals).
    const auto ratesShown = [&] {
        model.refresh();
        const QueueStats s = statsOf(m_ts->server(), "orders");
        return s.ackedPerSec > 0 && queueValue(model, "orders", QueuesModel::AckedPerSecRole).toDouble() == s.ackedPerSec
            && queueValue(model, "orders", QueuesModel::NackedPerSecRole).toDouble() == s.nackedPerSec
            && model.ackedPerSec() == s.ackedPerSec;
    };
    QTRY_VERIFY_WITH_TIMEOUT(ratesShown(), 3000);

    // Hidden, it stops polling; shown again, it catches up at once.
    model.setActive(false);
    QVERIFY(!model.active());
    QueuesModel control(&m_ts->server(), nullptr); // active, polling like the page's model
    QCOMPARE(control.rowCount(), 2);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("zeta"), 1) > 0);
    // The active control sees the new queue on a tick of its own; the hidden model, whose
    // ticks would have come at the same rate, does not.
    QTRY_COMPARE(control.rowCount(), 3);
    QCOMPARE(model.rowCount(), 2);
    model.setActive(true);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.nameAt(2), QStringLiteral("zeta"));
}

void tst_ViewModels::queuesModelHistoryFeedsCharts()
{
    QueuesModel model(&m_ts->server(), nullptr);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("a"), 1) > 0);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("a"), 2) > 0);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("b"), 3, 5, 60000) > 0);
    QTRY_COMPARE(statsOf(m_ts->server(), "b").delayed, 1LL);

    QSignalSpy sampled(&model, &QueuesModel::sampled);
    model.sample();
    QCOMPARE(sampled.count(), 1);
    qint64 newest = 0;
    const QList<QPointF> readyA = model.depthHistory(QStringLiteral("a"), QueuesModel::Ready, 60, &newest);
    QVERIFY(!readyA.isEmpty());
    QCOMPARE(readyA.last().y(), 2.0);
    QCOMPARE(qint64(readyA.last().x()), newest);
    QVERIFY(qAbs(newest - QDateTime::currentMSecsSinceEpoch()) < 5000);
    QCOMPARE(model.depthHistory(QStringLiteral("b"), QueuesModel::Delayed, 60).last().y(), 1.0);
    QCOMPARE(model.depthHistory(QStringLiteral("b"), QueuesModel::Ready, 60).last().y(), 0.0);
    // Empty name: every queue summed.
    QCOMPARE(model.depthHistory({}, QueuesModel::Ready, 60).last().y(), 2.0);
    QCOMPARE(model.depthHistory({}, QueuesModel::Delayed, 60).last().y(), 1.0);
    // An unknown queue reads as zero, over the same times.
    QCOMPARE(model.depthHistory(QStringLiteral("nope"), QueuesModel::Ready, 60).size(), readyA.size());
    QCOMPARE(model.depthHistory(QStringLiteral("nope"), QueuesModel::Ready, 60).last().y(), 0.0);

    // The server's once-a-second sample drives the model's.
    QTRY_VERIFY_WITH_TIMEOUT(sampled.count() >= 2, 3000);
    QVERIFY(model.historySize() >= 2);

    // The history is bounded to the longest chart window.
    for (int i = 0; i < QueuesModel::kHistorySeconds + 20; ++i)
        model.sample();
    QCOMPARE(model.historySize(), QueuesModel::kHistorySeconds + 1);

    // A chart series fed from it follows the chosen queue and state.
    SeriesFeeder feeder(&m_ts->server(), nullptr);
    feeder.setQueues(&model);
    feeder.setMetric(SeriesFeeder::QueueReady);
    feeder.setWindowSeconds(60);
    feeder.setQueue(QStringLiteral("a"));
    QCOMPARE(feeder.lastValue(), 2.0);
    QCOMPARE(feeder.dataMax(), 2.0);
    QVERIFY(feeder.pointCount() > 0);
    feeder.setQueue({});
    QCOMPARE(feeder.lastValue(), 2.0);
    feeder.setMetric(SeriesFeeder::QueueDelayed);
    QCOMPARE(feeder.lastValue(), 1.0);
    QCOMPARE(feeder.maxTime().toMSecsSinceEpoch() - feeder.minTime().toMSecsSinceEpoch(), 60000LL);

    // Depth moves: the next sample shows it, and the feeder refreshes on it.
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("b"), 4, 5, 60000) > 0);
    QSignalSpy updated(&feeder, &SeriesFeeder::updated);
    QTRY_COMPARE(feeder.lastValue(), 2.0);
    QVERIFY(updated.count() >= 1);
}

void tst_ViewModels::queuesModelWithoutQueueService()
{
    QueuesModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(enqueueDirect(m_ts->server(), QStringLiteral("q1"), 1) > 0);
    QTRY_COMPARE(model.rowCount(), 1);
    QVERIFY(model.available());

    // Work already posted to the queue thread when the server stops still answers (stop()
    // drains the thread first): nothing stays busy or loading.
    QueueActions inFlight(&m_ts->server(), nullptr);
    QSignalSpy inFlightDone(&inFlight, &QueueActions::finished);
    DeadLettersModel loading(&m_ts->server(), nullptr);
    QVERIFY(inFlight.purge(QStringLiteral("q1")));
    loading.setQueue(QStringLiteral("q1"));
    QVERIFY(inFlight.busy());

    // Stopping the server takes the queue service away: no rows, not available.
    QSignalSpy availability(&model, &QueuesModel::availableChanged);
    m_ts->server().stop();
    QTRY_COMPARE(inFlightDone.count(), 1);
    QVERIFY(!inFlight.busy());
    QVERIFY2(inFlight.message() == QStringLiteral("0 dead letters of q1 purged.")
                 || inFlight.message().contains(QStringLiteral("not available")), qPrintable(inFlight.message()));
    QTRY_VERIFY(!loading.loading());
    QCOMPARE(loading.rowCount(), 0);
    QTRY_VERIFY(!model.available());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.ready(), 0);
    QVERIFY(availability.count() >= 1);
    model.sample();
    QCOMPARE(model.depthHistory({}, QueuesModel::Ready, 60).last().y(), 0.0);

    // The actions refuse plainly instead of blocking or crashing.
    QueueActions actions(&m_ts->server(), nullptr);
    QVERIFY(!actions.enqueue(QStringLiteral("q1"), QStringLiteral("{}")));
    QVERIFY(actions.failed());
    QVERIFY(actions.message().contains(QStringLiteral("not available")));
    QVERIFY(!actions.purge(QStringLiteral("q1")));
    DeadLettersModel dlq(&m_ts->server(), nullptr);
    dlq.setQueue(QStringLiteral("q1"));
    QCOMPARE(dlq.rowCount(), 0);
    QVERIFY(!dlq.loading());

    // And it all comes back with the server, from the same SQLite file.
    QVERIFY(m_ts->server().start());
    QTRY_VERIFY(model.available());
    QTRY_COMPARE(model.rowCount(), 1);
    QTRY_COMPARE(queueValue(model, "q1", QueuesModel::ReadyRole).toLongLong(), 1LL);
}

void tst_ViewModels::deadLettersPagedRetriedPurged()
{
    WsClient *worker = nullptr;
    const QList<qint64> ids = makeDeadLetters(QStringLiteral("dl"), 7, &worker);
    QCOMPARE(ids.size(), 7);

    DeadLettersModel model(&m_ts->server(), nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(roleNameList(model), sorted({"display", "messageId", "payload", "priority", "attempts", "maxAttempts",
                                          "lastError", "createdAt", "deadAt", "deadAtShort", "deadAtMs"}));
    QCOMPARE(model.pageSize(), 50);
    model.setPageSize(3);
    QSignalSpy loaded(&model, &DeadLettersModel::loaded);
    model.setQueue(QStringLiteral("dl"));
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.total(), 7);
    QVERIFY(!model.hasPrevious());
    QVERIFY(model.hasNext());

    // Oldest first, with payload, attempts, the consumer's error and when it died.
    for (int i = 0; i < 3; ++i) {
        const QModelIndex index = model.index(i, 0);
        QCOMPARE(model.data(index, DeadLettersModel::MessageIdRole).toLongLong(), ids[i]);
        QCOMPARE(model.idAt(i), ids[i]);
        QCOMPARE(model.data(index, DeadLettersModel::PayloadRole).toString(), QStringLiteral("{\"n\":%1}").arg(i));
        QCOMPARE(model.data(index, DeadLettersModel::AttemptsRole).toInt(), 1);
        QCOMPARE(model.data(index, DeadLettersModel::MaxAttemptsRole).toInt(), 1);
        QCOMPARE(model.data(index, DeadLettersModel::LastErrorRole).toString(), QStringLiteral("error %1").arg(i));
        QCOMPARE(model.data(index, DeadLettersModel::PriorityRole).toString(), QStringLiteral("normal"));
        QVERIFY(qAbs(model.data(index, DeadLettersModel::DeadAtMsRole).toLongLong() - QDateTime::currentMSecsSinceEpoch()) < 60000);
        const QDateTime deadAt = QDateTime::fromMSecsSinceEpoch(model.data(index, DeadLettersModel::DeadAtMsRole).toLongLong());
        QCOMPARE(model.data(index, DeadLettersModel::DeadAtRole).toString(), deadAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        // Today's: the time of day only, for the narrow column.
        QCOMPARE(model.data(index, DeadLettersModel::DeadAtShortRole).toString(),
                 deadAt.date() == QDate::currentDate() ? deadAt.toString(QStringLiteral("HH:mm:ss"))
                                                       : deadAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        QVERIFY(!model.data(index, DeadLettersModel::CreatedAtRole).toString().isEmpty());
    }
    QCOMPARE(model.prettyPayload(0), QStringLiteral("{\n    \"n\": 0\n}"));
    QCOMPARE(model.rowOfId(ids[2]), 2);

    // Paging.
    model.nextPage();
    QCOMPARE(model.offset(), 3);
    QTRY_COMPARE(model.idAt(0), ids[3]);
    QCOMPARE(model.rowCount(), 3);
    model.nextPage();
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(model.idAt(0), ids[6]);
    QVERIFY(model.hasPrevious());
    QVERIFY(!model.hasNext());
    model.nextPage(); // nothing beyond
    QCOMPARE(model.offset(), 6);

    // Retry the last one: the consumer gets it again; the page it was on is gone, so the
    // model goes back to the last page there is.
    QueueActions actions(&m_ts->server(), nullptr);
    QSignalSpy finished(&actions, &QueueActions::finished);
    QVERIFY(actions.retry(QStringLiteral("dl"), ids[6]));
    QVERIFY(actions.busy());
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(!actions.busy());
    QCOMPARE(finished.at(0).at(0).toInt(), int(QueueActions::Retry));
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QCOMPARE(actions.message(), QStringLiteral("Message %1 is back in dl, ready for a consumer.").arg(ids[6]));
    const QJsonObject again = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(again.value("id").toString().toLongLong(), ids[6]);
    worker->send({{"type", "ack"}, {"id", again.value("id")}});
    QTRY_COMPARE(model.offset(), 3);
    QTRY_COMPARE(model.total(), 6);
    QTRY_COMPARE(model.idAt(0), ids[3]);
    QVERIFY(!model.hasNext());

    // Gone already: said so, not an error that breaks anything.
    QVERIFY(actions.retry(QStringLiteral("dl"), ids[6]));
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(finished.at(1).at(1).toBool(), false);
    QVERIFY(actions.failed());
    QCOMPARE(actions.message(), QStringLiteral("Message %1 is no longer in the dead letters of dl.").arg(ids[6]));

    // A new dead letter shows up without anybody asking (the model watches the stats).
    const int loadsBefore = model.loads();
    const qint64 late = enqueueDirect(m_ts->server(), QStringLiteral("dl"), QStringLiteral("late"), 1);
    const QJsonObject lateJob = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(lateJob.value("id").toString().toLongLong(), late);
    worker->send({{"type", "nack"}, {"id", lateJob.value("id")}, {"error", "late error"}});
    QTRY_COMPARE(model.total(), 7);
    QVERIFY(model.loads() > loadsBefore);
    QTRY_VERIFY(model.hasNext());

    // Retry all; then purge what died again.
    QVERIFY(actions.retryAll(QStringLiteral("dl")));
    QTRY_COMPARE(finished.count(), 3);
    QCOMPARE(finished.at(2).at(1).toBool(), true);
    QCOMPARE(actions.message(), QStringLiteral("7 dead letters of dl moved back to ready."));
    QTRY_COMPARE(model.total(), 0);
    QTRY_COMPARE(model.rowCount(), 0);
    QCOMPARE(model.offset(), 0);
    for (int i = 0; i < 7; ++i) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        QVERIFY(!job.isEmpty());
        worker->send({{"type", "nack"}, {"id", job.value("id")}, {"error", "still broken"}});
    }
    QTRY_COMPARE(model.total(), 7);
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.data(model.index(0, 0), DeadLettersModel::LastErrorRole).toString(), QStringLiteral("still broken"));
    // A retry starts the count again: one attempt, one failure.
    QCOMPARE(model.data(model.index(0, 0), DeadLettersModel::AttemptsRole).toInt(), 1);

    QVERIFY(actions.purge(QStringLiteral("dl")));
    QTRY_COMPARE(finished.count(), 4);
    QCOMPARE(finished.at(3).at(0).toInt(), int(QueueActions::Purge));
    QCOMPARE(actions.message(), QStringLiteral("7 dead letters of dl purged."));
    QTRY_COMPARE(model.rowCount(), 0);
    QCOMPARE(model.total(), 0);
    QCOMPARE(statsOf(m_ts->server(), "dl").dead, 0LL);

    // Another queue: the rows are the new queue's only.
    QCOMPARE(makeDeadLetters(QStringLiteral("other"), 1).size(), 1);
    model.setQueue(QStringLiteral("other"));
    QCOMPARE(model.offset(), 0);
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(model.data(model.index(0, 0), DeadLettersModel::PayloadRole).toString(), QStringLiteral("{\"n\":0}"));
    QVERIFY(actions.purge(QStringLiteral("other")));
    QTRY_COMPARE(finished.count(), 5);
    QCOMPARE(actions.message(), QStringLiteral("1 dead letter of other purged."));
    QVERIFY(actions.retryAll(QStringLiteral("never-used")));
    QTRY_COMPARE(finished.count(), 6);
    QVERIFY(actions.failed());
    QCOMPARE(actions.message(), QStringLiteral("There is no queue named never-used."));
}

void tst_ViewModels::queueActionsEnqueue()
{
    QueueActions actions(&m_ts->server(), nullptr);
    QSignalSpy finished(&actions, &QueueActions::finished);
    QCOMPARE(actions.defaultMaxAttempts(), m_ts->server().config().queueMaxAttempts);

    // Low first, then high: the consumer gets the high one first (priorities map right).
    QVERIFY(actions.enqueue(QStringLiteral("jobs.v1:test"), QStringLiteral("\"low\""), QueueActions::Low));
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY2(!actions.failed(), qPrintable(actions.message()));
    const QString lowId = actions.lastEnqueuedId();
    QCOMPARE(actions.message(), QStringLiteral("Message %1 enqueued to jobs.v1:test.").arg(lowId));
    QVERIFY(actions.enqueue(QStringLiteral(" jobs.v1:test "), QStringLiteral("{\"a\": [1, 2]}"), QueueActions::High, 0, 2));
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(finished.at(1).at(0).toInt(), int(QueueActions::Enqueue));
    QCOMPARE(finished.at(1).at(1).toBool(), true);
    const QString highId = actions.lastEnqueuedId();
    QVERIFY(highId.toLongLong() > lowId.toLongLong());
    QCOMPARE(statsOf(m_ts->server(), "jobs.v1:test").ready, 2LL);

    WsClient *worker = consumer(QStringLiteral("jobs.v1:test"));
    QVERIFY(worker);
    const QJsonObject first = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(first.value("id").toString(), highId);
    QCOMPARE(first.value("data").toObject(), QJsonObject({{"a", QJsonArray({1, 2})}}));
    // maxAttempts 2: a nack brings it back rather than to the dead letters.
    worker->send({{"type", "nack"}, {"id", first.value("id")}, {"error", "once"}});
    const QJsonObject second = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(second.value("id").toString(), lowId);
    QCOMPARE(second.value("data").toString(), QStringLiteral("low"));
    worker->send({{"type", "ack"}, {"id", second.value("id")}});
    QTRY_COMPARE(statsOf(m_ts->server(), "jobs.v1:test").dead, 0LL);
    QTRY_COMPARE(statsOf(m_ts->server(), "jobs.v1:test").nacked, quint64(1));

    // Delayed: waits in "delayed".
    QVERIFY(actions.enqueue(QStringLiteral("later"), QStringLiteral("null"), QueueActions::Normal, 60000));
    QTRY_COMPARE(finished.count(), 3);
    QVERIFY(actions.message().contains(QStringLiteral("delayed by 60 s")));
    QTRY_COMPARE(statsOf(m_ts->server(), "later").delayed, 1LL); // the stats snapshot follows the queue thread
}

void tst_ViewModels::queueActionsRefuse_data()
{
    QTest::addColumn<QString>("queue");
    QTest::addColumn<QString>("payload");
    QTest::addColumn<int>("priority");
    QTest::addColumn<qint64>("delayMs");
    QTest::addColumn<int>("maxAttempts");
    QTest::addColumn<QString>("message");
    QTest::addRow("no name") << "" << "{}" << 1 << 0LL << 0 << "Enter a queue name.";
    QTest::addRow("bad name") << "a b" << "{}" << 1 << 0LL << 0 << "Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -";
    QTest::addRow("long name") << QString(129, QLatin1Char('q')) << "{}" << 1 << 0LL << 0 << "Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -";
    // Where and what exactly is JsonCheck's business (tested on its own); the action must say it.
    for (const QString &bad : {QStringLiteral("{\"a\" 1}"), QStringLiteral("  ")}) {
        const JsonCheck::Result r = JsonCheck::parse(bad, false);
        QVERIFY(!r.ok);
        QTest::addRow("bad json '%s'", qPrintable(bad)) << "q" << bad << 1 << 0LL << 0
            << QStringLiteral("The payload is not valid JSON (line %1, column %2): %3").arg(r.line).arg(r.column).arg(r.error);
    }
    QTest::addRow("priority") << "q" << "1" << 3 << 0LL << 0 << "Choose a priority: high, normal or low.";
    QTest::addRow("attempts") << "q" << "1" << 1 << 0LL << 1001 << "Max attempts must be a whole number from 1 to 1000.";
    QTest::addRow("negative delay") << "q" << "1" << 1 << -1LL << 0 << "The delay must be from 0 to 30 days.";
    QTest::addRow("delay too long") << "q" << "1" << 1 << (QueueActions::kMaxDelayMs + 1) << 0 << "The delay must be from 0 to 30 days.";
    const QString big = QStringLiteral("\"%1\"").arg(QString(300 * 1024, QLatin1Char('x')));
    QTest::addRow("too large") << "q" << big << 1 << 0LL << 0
                               << QStringLiteral("The payload is %1 bytes as JSON; the limit is %2.").arg(big.size()).arg(256 * 1024);
}

void tst_ViewModels::queueActionsRefuse()
{
    QFETCH(QString, queue);
    QFETCH(QString, payload);
    QFETCH(int, priority);
    QFETCH(qint64, delayMs);
    QFETCH(int, maxAttempts);
    QFETCH(QString, message);

    QueueActions actions(&m_ts->server(), nullptr);
    QSignalSpy finished(&actions, &QueueActions::finished);
    QVERIFY(!actions.enqueue(queue, payload, priority, delayMs, maxAttempts));
    QVERIFY(!actions.busy());
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QVERIFY(actions.failed());
    QCOMPARE(actions.message(), message);
    QCOMPARE(actions.queueNameProblem(queue.trimmed()).isEmpty(), queue == QLatin1String("q"));
    // Nothing reached the store. Positive control: a valid enqueue made afterwards reaches it
    // (through the same queue thread), and it is the only queue there.
    QueueActions control(&m_ts->server(), nullptr);
    QSignalSpy controlFinished(&control, &QueueActions::finished);
    QVERIFY(control.enqueue(QStringLiteral("control"), QStringLiteral("1"), 1, 0, 1));
    QTRY_COMPARE(controlFinished.count(), 1);
    QCOMPARE(controlFinished.at(0).at(1).toBool(), true);
    QTRY_COMPARE(m_ts->server().queues()->stats().size(), 1);
    QCOMPARE(m_ts->server().queues()->stats().first().name, QStringLiteral("control"));
}

QTEST_MAIN(tst_ViewModels)
#include "tst_viewmodels.moc"
