// UI automation of the real operator console: ConsoleApp (Main.qml and its view models) shown
// offscreen against a real in-process Server, with real QWebSocket clients connected. The tests
// click and type into the window by objectName and check the effect on those clients.
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtCharts/QXYSeries>
#include <QtTest/QTest>

#include "bridge/bindings.h"
#include "connectionsmodel.h"
#include "consoleapp.h"
#include "seriesfeeder.h"
#include "eventsmodel.h"
#include "jsoncheck.h"
#include "quicktestsupport.h"
#include "socketiotestsupport.h"
#include "rabbitprocess.h"
#include "testsupport.h"

// QtCharts draws through QGraphicsView: QTEST_MAIN must create a QApplication.
#ifndef QT_WIDGETS_LIB
#error "tst_console needs QT_WIDGETS_LIB so that QTEST_MAIN creates a QApplication"
#endif

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

/// Visible, i.e. effectively visible: the item and all its ancestors.
bool shown(const QQuickItem *item)
{
    return item && item->isVisible() && item->opacity() > 0;
}

/// The delegate a TableView shows for (column, row), or nullptr when it has none on screen.
/// Delegates that left the view are pooled for reuse, culled but still "visible" and still
/// holding their old data, so a search over child items would find them: ask the view.
QQuickItem *tableCell(QQuickItem *tableView, int column, int row)
{
    QQuickItem *cell = nullptr;
    QMetaObject::invokeMethod(tableView, "itemAtCell", Q_RETURN_ARG(QQuickItem *, cell), Q_ARG(QPoint, QPoint(column, row)));
    return cell;
}

/// The delegates a ListView shows, in model order.
QList<QQuickItem *> listRows(QQuickItem *listView)
{
    QList<QQuickItem *> rows;
    const int count = listView ? listView->property("count").toInt() : 0;
    for (int i = 0; i < count; ++i) {
        QQuickItem *row = nullptr;
        QMetaObject::invokeMethod(listView, "itemAtIndex", Q_RETURN_ARG(QQuickItem *, row), Q_ARG(int, i));
        if (row)
            rows.append(row);
    }
    return rows;
}

struct Client
{
    WsClient *ws = nullptr;
    QString user;
    quint64 id = 0;
};

} // namespace

class tst_Console : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void everyPageOpens_data();
    void everyPageOpens();
    void overviewShowsLiveFigures();
    void overviewShowsASingleNode();
    void overviewShowsTheCluster();
    void overviewChartsFollowTheServer();
    void startStopFromOverview();
    void themeSwitch();
    void connectionsTableShowsClients();
    void connectionsFilter();
    void connectionsSortByClickingHeader();
    void connectionsShowProtocolAndTransport();
    void connectionsShowARealSocketIoSession();
    void disconnectFromUi_data();
    void disconnectFromUi();
    void emitToRoom();
    void roomsPageBroadcastAndRemove();
    void ackedEmitShowsAcks();
    void invalidJsonDisablesSend();
    void eventsShowConnectAndDisconnect();
    void eventsFilter();
    void languageSwitch();
    void tokenToolMintsAWorkingUrl();
    void queuesPageShowsDepthLive();
    void deadLetterBrowserRetryAndPurge();
    void enqueueTestMessageFromUi();
    void queuesPageShowsTheBridge();

private:
    Client connectClient(const QString &user, const QStringList &rooms = {});
    QQuickItem *item(const QString &objectName, QQuickItem *under = nullptr) const;
    QQuickItem *page(const QString &name) const;
    void openPage(const QString &name);
    void click(QQuickItem *target);
    void typeInto(QQuickItem *field, const QString &text);
    void choose(QQuickItem *combo, const QString &entry);
    QQuickItem *connectionCell(quint64 connectionId, int column) const;
    QList<QQuickItem *> eventRows() const;
    int currentPage() const { return m_window->property("currentPage").toInt(); }
    /// A client consuming @p queue, once the server confirmed it.
    WsClient *consumer(const QString &queue, int prefetch = 1);
    /// The Queues page's row for @p queue (a delegate with the row's figures), or nullptr.
    QQuickItem *queueRow(const QString &queue) const;
    QString kpi(const QString &tile) const;

    std::unique_ptr<TestServer> m_ts;
    std::unique_ptr<ConsoleApp> m_console;
    QQuickWindow *m_window = nullptr; // owned by the engine
    QList<WsClient *> m_clients;
};

// --- fixture ------------------------------------------------------------------------------

void tst_Console::initTestCase()
{
    // The console keeps its theme in QSettings: keep the test away from the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    m_ts = std::make_unique<TestServer>();
    QVERIFY(m_ts->start());
}

void tst_Console::init()
{
    // Any QML error or warning from the console's files fails the test that caused it.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("qrc:/Switchboard/|\\.qml:")));

    m_console = std::make_unique<ConsoleApp>(m_ts->server(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    m_window = m_console->window();
    QVERIFY(m_window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_window->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
    QCOMPARE(currentPage(), 0);
}

void tst_Console::cleanup()
{
    m_console.reset();
    qDeleteAll(m_clients);
    m_clients.clear();
    // The next test counts connections from zero.
    QTRY_COMPARE(m_ts->server().registry().connectionCount(), 0);
}

void tst_Console::cleanupTestCase()
{
    m_ts.reset();
}

Client tst_Console::connectClient(const QString &user, const QStringList &rooms)
{
    Client c;
    c.user = user;
    c.ws = new WsClient;
    m_clients.append(c.ws);
    const QJsonObject welcome = c.ws->connectAndWelcome(m_ts->wsUrl(token(user, {}, rooms)));
    c.id = welcome.value(QLatin1String("connectionId")).toString().toULongLong();
    return c;
}

QQuickItem *tst_Console::item(const QString &objectName, QQuickItem *under) const
{
    return findItem(under ? under : m_window->contentItem(), objectName);
}

QQuickItem *tst_Console::page(const QString &name) const
{
    return item(name + QStringLiteral("Page"));
}

void tst_Console::click(QQuickItem *target)
{
    QVERIFY(target);
    QTRY_VERIFY2(shown(target), qPrintable(target->objectName() + QStringLiteral(" is not visible")));
    QVERIFY2(target->isEnabled(), qPrintable(target->objectName() + QStringLiteral(" is disabled")));
    const QPoint centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2)).toPoint();
    QVERIFY2(QRect(QPoint(), m_window->size()).contains(centre),
             qPrintable(QStringLiteral("%1 is outside the window at %2,%3")
                            .arg(target->objectName()).arg(centre.x()).arg(centre.y())));
    QTest::mouseClick(m_window, Qt::LeftButton, Qt::NoModifier, centre);
}

/// Clicks @p field, selects what it holds and types @p text over it, as a user would.
void tst_Console::typeInto(QQuickItem *field, const QString &text)
{
    click(field);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY2(field->hasActiveFocus(), qPrintable(field->objectName() + QStringLiteral(" did not take focus")));
    QTest::keyClick(m_window, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(m_window, Qt::Key_Delete);
    QCOMPARE(field->property("text").toString(), QString());
    // QTest has no keyClicks() for a QWindow: one key at a time (the tests type ASCII only).
    for (const char ch : text.toLatin1())
        QTest::keyClick(m_window, ch);
    QCOMPARE(field->property("text").toString(), text);
}

/// Opens @p combo's popup with a click and clicks the entry that reads @p entry.
void tst_Console::choose(QQuickItem *combo, const QString &entry)
{
    click(combo);
    if (QTest::currentTestFailed())
        return;
    const auto findEntry = [&]() -> QQuickItem * {
        const auto items = findItems(m_window->contentItem(), [&](QQuickItem *i) {
            return i->inherits("QQuickAbstractButton") && i->property("text").toString() == entry && shown(i)
                && i->width() > 0;
        });
        return items.isEmpty() ? nullptr : items.first();
    };
    QTRY_VERIFY2(findEntry(), qPrintable(QStringLiteral("no entry %1 in the open popup").arg(entry)));

    click(findEntry());
}

void tst_Console::openPage(const QString &name)
{
    click(item(QStringLiteral("nav_") + name));
    QTRY_COMPARE(m_window->property("currentPageName").toString(), name);
    QTRY_VERIFY(shown(page(name)));
}

/// The delegate of the Connections table that shows @p column of connection @p connectionId.
QQuickItem *tst_Console::connectionCell(quint64 connectionId, int column) const
{
    QQuickItem *view = item(QStringLiteral("connectionTableView"), page(QStringLiteral("connections")));
    const int rows = view ? view->property("rows").toInt() : 0;
    for (int row = 0; row < rows; ++row) {
        QQuickItem *cell = tableCell(view, column, row);
        if (cell && cell->property("connectionId").toULongLong() == connectionId)
            return cell;
    }
    return nullptr;
}

WsClient *tst_Console::consumer(const QString &queue, int prefetch)
{
    auto *ws = new WsClient;
    m_clients.append(ws);
    if (ws->connectAndWelcome(m_ts->wsUrl(token(QStringLiteral("worker")))).isEmpty())
        return nullptr;
    ws->send({{"type", "consume"}, {"queue", queue}, {"prefetch", prefetch}});
    return ws->waitFor(QStringLiteral("consuming")).value("queue").toString() == queue ? ws : nullptr;
}

QQuickItem *tst_Console::queueRow(const QString &queue) const
{
    for (QQuickItem *row : listRows(item(QStringLiteral("queuesList"), page(QStringLiteral("queues"))))) {
        if (row->property("name").toString() == queue)
            return row;
    }
    return nullptr;
}

QString tst_Console::kpi(const QString &tile) const
{
    QQuickItem *value = item(QStringLiteral("kpiValue"), item(tile, page(QStringLiteral("queues"))));
    return value ? value->property("text").toString() : QString();
}

/// The Events list's delegates on screen, top (newest) first.
QList<QQuickItem *> tst_Console::eventRows() const
{
    return listRows(item(QStringLiteral("eventsList"), page(QStringLiteral("events"))));
}

// --- tests --------------------------------------------------------------------------------

void tst_Console::everyPageOpens_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("title");
    const QStringList names{"overview", "connections", "rooms", "queues", "events", "emit", "settings"};
    const QStringList titles{"Overview", "Connections", "Rooms", "Queues", "Events", "Emit", "Settings"};
    for (int i = 0; i < names.size(); ++i)
        QTest::addRow("%s", qPrintable(names[i])) << names[i] << i << titles[i];
}

void tst_Console::everyPageOpens()
{
    QFETCH(QString, name);
    QFETCH(int, index);
    QFETCH(QString, title);

    // Start from another page, so that even Overview needs its button.
    const QString other = index == 6 ? QStringLiteral("events") : QStringLiteral("settings");
    openPage(other);
    QVERIFY(!shown(page(name)));

    QQuickItem *button = item(QStringLiteral("nav_") + name);
    QVERIFY(button);
    QCOMPARE(button->property("current").toBool(), false);
    openPage(name);
    QCOMPARE(currentPage(), index);
    QVERIFY(button->property("current").toBool());
    QVERIFY(!shown(page(other)));

    // Exactly one page is showing, and its header says which.
    int showing = 0;
    for (const QString &n : m_window->property("pageNames").toStringList())
        showing += shown(page(n)) ? 1 : 0;
    QCOMPARE(showing, 1);
    const auto titles = findItems(page(name), [](QQuickItem *i) {
        return i->objectName() == QLatin1String("pageTitle") && shown(i);
    });
    QVERIFY2(!titles.isEmpty(), "the page shows no title");
    QCOMPARE(titles.first()->property("text").toString(), title);
}

void tst_Console::overviewShowsLiveFigures()
{
    QQuickItem *overview = page(QStringLiteral("overview"));
    QVERIFY(shown(overview));
    const auto kpi = [&](const QString &tile) {
        QQuickItem *value = item(QStringLiteral("kpiValue"), item(tile, overview));
        return value ? value->property("text").toString() : QString();
    };
    QTRY_COMPARE(kpi(QStringLiteral("kpiConnections")), QStringLiteral("0"));
    connectClient(QStringLiteral("o1"), {QStringLiteral("ops")});
    connectClient(QStringLiteral("o1"));
    connectClient(QStringLiteral("o2"), {QStringLiteral("ops")});
    QTRY_COMPARE(kpi(QStringLiteral("kpiConnections")), QStringLiteral("3"));
    QTRY_COMPARE(kpi(QStringLiteral("kpiUsers")), QStringLiteral("2"));
    QTRY_COMPARE(kpi(QStringLiteral("kpiRooms")), QStringLiteral("3")); // ops, user:o1, user:o2
    QVERIFY(item(QStringLiteral("urlLabel"), overview)->property("text").toString().contains(QString::number(m_ts->port())));
}

void tst_Console::overviewShowsASingleNode()
{
    QQuickItem *overview = page(QStringLiteral("overview"));
    QVERIFY(shown(item(QStringLiteral("clusterPanel"), overview)));
    QVERIFY(shown(item(QStringLiteral("singleNodeLabel"), overview)));
    QVERIFY(!shown(item(QStringLiteral("clusterNodeCount"), overview)));
    QVERIFY(!shown(item(QStringLiteral("degradedBanner"), overview)));
}

void tst_Console::overviewShowsTheCluster()
{
    // The console of node A, with node B in the same process, both on a real redis-server.
    RedisProcess redis;
    QVERIFY(redis.start());
    ServerConfig configA = testConfig();
    configA.redisUrl = redis.url();
    configA.nodeName = QStringLiteral("node-a");
    configA.clusterHeartbeatMs = 200;
    ServerConfig configB = configA;
    configB.nodeName = QStringLiteral("node-b");
    TestServer a(configA);
    TestServer b(configB);
    QVERIFY(a.start());
    QVERIFY(b.start());
    m_console.reset(); // the console context holds one server at a time
    m_console = std::make_unique<ConsoleApp>(a.server(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    m_window = m_console->window();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QQuickItem *overview = page(QStringLiteral("overview"));
    QVERIFY(shown(item(QStringLiteral("clusterPanel"), overview)));
    QVERIFY(!shown(item(QStringLiteral("singleNodeLabel"), overview)));
    auto text = [&](const QString &name) {
        QQuickItem *i = item(name, overview);
        return i ? i->property("text").toString() : QString();
    };
    QTRY_COMPARE(text(QStringLiteral("clusterNodeCount")), QStringLiteral("2 of 2 nodes up"));
    QTRY_COMPARE(text(QStringLiteral("clusterNodeState_node-a")), QStringLiteral("up"));
    QTRY_COMPARE(text(QStringLiteral("clusterNodeState_node-b")), QStringLiteral("up"));
    QVERIFY(!shown(item(QStringLiteral("degradedBanner"), overview)));

    // Redis goes: the node says it is degraded, and why.
    redis.stop();
    QTRY_VERIFY(shown(item(QStringLiteral("degradedBanner"), overview)));
    QVERIFY2(text(QStringLiteral("degradedText")).contains(QLatin1String("Redis")), qPrintable(text(QStringLiteral("degradedText"))));
    QTRY_COMPARE(text(QStringLiteral("clusterNodeState_node-a")), QStringLiteral("degraded"));

    // Back: healthy again.
    QVERIFY(redis.start());
    QTRY_VERIFY_WITH_TIMEOUT(!shown(item(QStringLiteral("degradedBanner"), overview)), 15000);
    QTRY_COMPARE(text(QStringLiteral("clusterNodeState_node-a")), QStringLiteral("up"));
    m_console.reset(); // before the servers it shows
}

void tst_Console::overviewChartsFollowTheServer()
{
    // The Connections chart's first series (connections) gets a point a second from the
    // server's samples; its newest point shows the clients that are connected.
    QQuickItem *chartCard = item(QStringLiteral("connectionsChart"), page(QStringLiteral("overview")));
    QVERIFY(chartCard);
    auto *chartView = qvariant_cast<QQuickItem *>(chartCard->property("chart"));
    QVERIFY(chartView);
    const auto connectionsSeries = [chartView]() -> QXYSeries * {
        QAbstractSeries *series = nullptr;
        QMetaObject::invokeMethod(chartView, "series", Q_RETURN_ARG(QAbstractSeries *, series), Q_ARG(int, 0));
        return qobject_cast<QXYSeries *>(series);
    };
    QVERIFY(connectionsSeries());
    connectClient(QStringLiteral("c1"));
    connectClient(QStringLiteral("c2"));
    connectClient(QStringLiteral("c3"));
    QTRY_VERIFY_WITH_TIMEOUT(connectionsSeries()->count() >= 2 && connectionsSeries()->points().constLast().y() == 3.0, 10000);
    // The value axis starts at 0 and ends at a round number above the largest point. ChartAxes
    // applies the scale in a queued call after the series changed, so it may be a turn behind.
    QTRY_VERIFY(chartCard->property("axisMax").toReal() >= 3.0);
}

void tst_Console::startStopFromOverview()
{
    QQuickItem *button = item(QStringLiteral("startStopButton"), page(QStringLiteral("overview")));
    QVERIFY(button);
    QCOMPARE(button->property("text").toString(), QStringLiteral("Stop server"));
    const Client c = connectClient(QStringLiteral("s1"));
    QVERIFY(c.id > 0);

    click(button);
    // Every client is closed with 1001 (going away) and the server stops listening.
    QVERIFY(c.ws->waitClosed(10000));
    QCOMPARE(c.ws->closeCode(), 1001);
    QTRY_VERIFY(!m_ts->server().isRunning());
    QTRY_COMPARE(button->property("text").toString(), QStringLiteral("Start server"));

    click(button);
    QTRY_VERIFY(m_ts->server().isRunning());
    QTRY_COMPARE(button->property("text").toString(), QStringLiteral("Stop server"));
    const Client again = connectClient(QStringLiteral("s2"));
    QVERIFY(again.id > 0);
}

void tst_Console::themeSwitch()
{
    openPage(QStringLiteral("settings"));
    QQuickItem *selector = item(QStringLiteral("themeSelector"), page(QStringLiteral("settings")));
    QVERIFY(selector);
    const QColor dark = m_window->color();
    click(item(QStringLiteral("themeSelector_1"), selector)); // Light
    QTRY_COMPARE(selector->property("currentIndex").toInt(), 1);
    QTRY_VERIFY(m_window->color() != dark);
    QVERIFY(m_window->color().lightness() > dark.lightness());
    click(item(QStringLiteral("themeSelector_0"), selector)); // back to Dark
    QTRY_COMPARE(m_window->color(), dark);
}

void tst_Console::connectionsTableShowsClients()
{
    const QList<Client> clients{connectClient(QStringLiteral("alice")), connectClient(QStringLiteral("bob")),
                                connectClient(QStringLiteral("carol"), {QStringLiteral("team:red")})};
    for (const Client &c : clients)
        QVERIFY(c.id > 0);

    openPage(QStringLiteral("connections"));
    QQuickItem *table = item(QStringLiteral("connectionsTable"), page(QStringLiteral("connections")));
    QVERIFY(table);
    QTRY_COMPARE(table->property("rows").toInt(), clients.size());
    QTRY_COMPARE(item(QStringLiteral("connectionsCount"))->property("text").toString(), QStringLiteral("3 connections"));
    QTRY_COMPARE(item(QStringLiteral("nav_connections"))->property("badge").toInt(), 3);

    // Each client's row shows its id and user id, and the rooms it is in.
    for (const Client &c : clients) {
        QTRY_VERIFY2(connectionCell(c.id, ConnectionsModel::UserColumn), qPrintable(c.user));
        QCOMPARE(connectionCell(c.id, ConnectionsModel::UserColumn)->property("display").toString(), c.user);
        QCOMPARE(connectionCell(c.id, ConnectionsModel::IdColumn)->property("display").toString(), QString::number(c.id));
        QVERIFY(connectionCell(c.id, ConnectionsModel::RoomsColumn)->property("display").toString()
                    .contains(QStringLiteral("user:") + c.user));
        QCOMPARE(connectionCell(c.id, ConnectionsModel::ProtocolColumn)->property("display").toString(), QStringLiteral("native"));
        QCOMPARE(connectionCell(c.id, ConnectionsModel::TransportColumn)->property("display").toString(), QStringLiteral("WebSocket"));
    }
    QVERIFY(connectionCell(clients[2].id, ConnectionsModel::RoomsColumn)->property("display").toString().contains("team:red"));

    // A new client appears, a leaving one disappears.
    const Client dave = connectClient(QStringLiteral("dave"));
    QTRY_COMPARE(table->property("rows").toInt(), 4);
    QTRY_VERIFY(connectionCell(dave.id, ConnectionsModel::UserColumn));
    clients[0].ws->socket().close();
    QTRY_COMPARE(table->property("rows").toInt(), 3);
    QTRY_VERIFY(!connectionCell(clients[0].id, ConnectionsModel::UserColumn));
    QVERIFY(connectionCell(clients[1].id, ConnectionsModel::UserColumn));
}

void tst_Console::connectionsFilter()
{
    const Client alice = connectClient(QStringLiteral("alice"), {QStringLiteral("team:red")});
    const Client alice2 = connectClient(QStringLiteral("alice"));
    const Client bob = connectClient(QStringLiteral("bob"), {QStringLiteral("team:blue")});
    const Client carol = connectClient(QStringLiteral("carol"), {QStringLiteral("team:blue")});
    openPage(QStringLiteral("connections"));
    QQuickItem *connections = page(QStringLiteral("connections"));
    QQuickItem *table = item(QStringLiteral("connectionsTable"), connections);
    QQuickItem *count = item(QStringLiteral("connectionsCount"), connections);
    QTRY_COMPARE(table->property("rows").toInt(), 4);

    // By user: only alice's two connections are left.
    typeInto(item(QStringLiteral("connectionsFilter"), connections), QStringLiteral("alice"));
    QTRY_COMPARE(table->property("rows").toInt(), 2);
    QTRY_VERIFY(connectionCell(alice.id, ConnectionsModel::UserColumn));
    QVERIFY(connectionCell(alice2.id, ConnectionsModel::UserColumn));
    QVERIFY(!connectionCell(bob.id, ConnectionsModel::UserColumn));
    QCOMPARE(count->property("text").toString(), QStringLiteral("2 of 4 connections"));

    // By room.
    typeInto(item(QStringLiteral("connectionsFilter"), connections), QStringLiteral("team:blue"));
    QTRY_COMPARE(table->property("rows").toInt(), 2);
    QTRY_VERIFY(connectionCell(bob.id, ConnectionsModel::UserColumn));
    QVERIFY(connectionCell(carol.id, ConnectionsModel::UserColumn));
    QVERIFY(!connectionCell(alice.id, ConnectionsModel::UserColumn));

    // Nothing matches: the table is empty and says why.
    typeInto(item(QStringLiteral("connectionsFilter"), connections), QStringLiteral("nobody-here"));
    QTRY_COMPARE(table->property("rows").toInt(), 0);
    QCOMPARE(count->property("text").toString(), QStringLiteral("0 of 4 connections"));

    // The clear button brings every row back.
    click(item(QStringLiteral("connectionsFilterClear"), connections));
    QTRY_COMPARE(table->property("rows").toInt(), 4);
    QCOMPARE(count->property("text").toString(), QStringLiteral("4 connections"));
}

void tst_Console::connectionsSortByClickingHeader()
{
    const QList<Client> clients{connectClient(QStringLiteral("mike")), connectClient(QStringLiteral("anna")),
                                connectClient(QStringLiteral("zoe"))};
    openPage(QStringLiteral("connections"));
    QQuickItem *connections = page(QStringLiteral("connections"));
    QQuickItem *table = item(QStringLiteral("connectionsTable"), connections);
    QTRY_COMPARE(table->property("rows").toInt(), 3);

    const auto usersTopDown = [&] {
        QStringList users;
        QQuickItem *view = item(QStringLiteral("connectionTableView"), table);
        for (int row = 0; row < 3; ++row) {
            QQuickItem *cell = tableCell(view, ConnectionsModel::UserColumn, row);
            users << (cell ? cell->property("display").toString() : QString());
        }
        return users;
    };
    // By id (connection order) to begin with.
    QTRY_COMPARE(usersTopDown(), QStringList({"mike", "anna", "zoe"}));

    click(item(QStringLiteral("sortHeader_%1").arg(ConnectionsModel::UserColumn), table));
    QTRY_COMPARE(usersTopDown(), QStringList({"anna", "mike", "zoe"}));
    click(item(QStringLiteral("sortHeader_%1").arg(ConnectionsModel::UserColumn), table));
    QTRY_COMPARE(usersTopDown(), QStringList({"zoe", "mike", "anna"}));
}

void tst_Console::connectionsShowProtocolAndTransport()
{
    const Client native = connectClient(QStringLiteral("nat"));
    FakeSocketIoConnection sio(m_ts->server(), QStringLiteral("sio"));
    openPage(QStringLiteral("connections"));
    QQuickItem *connections = page(QStringLiteral("connections"));
    QQuickItem *table = item(QStringLiteral("connectionsTable"), connections);
    QTRY_COMPARE(table->property("rows").toInt(), 2);
    const auto cellText = [this](quint64 id, int column) {
        QQuickItem *cell = connectionCell(id, column);
        return cell ? cell->property("display").toString() : QString();
    };
    QTRY_COMPARE(cellText(sio.id(), ConnectionsModel::ProtocolColumn), QStringLiteral("Socket.IO"));
    QCOMPARE(cellText(sio.id(), ConnectionsModel::TransportColumn), QStringLiteral("polling"));
    QCOMPARE(cellText(native.id, ConnectionsModel::ProtocolColumn), QStringLiteral("native"));
    QCOMPARE(cellText(native.id, ConnectionsModel::TransportColumn), QStringLiteral("WebSocket"));
    // The header names the new column.
    QQuickItem *header = item(QStringLiteral("connectionTableHeader"), connections);
    QVERIFY(!findItems(header, [](QQuickItem *i) {
        return i->property("column").toInt() == ConnectionsModel::TransportColumn
            && i->property("display").toString() == QLatin1String("Transport");
    }).isEmpty());

    // The session upgrades to WebSocket: the cell follows, with nothing else in the row changed.
    sio.setTransport(0);
    QTRY_COMPARE(cellText(sio.id(), ConnectionsModel::TransportColumn), QStringLiteral("WebSocket"));
    QCOMPARE(cellText(sio.id(), ConnectionsModel::ProtocolColumn), QStringLiteral("Socket.IO"));
    sio.setTransport(1);
    QTRY_COMPARE(cellText(sio.id(), ConnectionsModel::TransportColumn), QStringLiteral("polling"));

    // Sorting by the Transport header puts polling first, then last.
    QQuickItem *view = item(QStringLiteral("connectionTableView"), table);
    const auto usersTopDown = [&] {
        QStringList users;
        for (int row = 0; row < 2; ++row) {
            QQuickItem *cell = tableCell(view, ConnectionsModel::UserColumn, row);
            users << (cell ? cell->property("display").toString() : QString());
        }
        return users;
    };
    QTRY_COMPARE(usersTopDown(), QStringList({"nat", "sio"}));
    click(item(QStringLiteral("sortHeader_%1").arg(ConnectionsModel::TransportColumn), table));
    QTRY_COMPARE(usersTopDown(), QStringList({"sio", "nat"}));
    click(item(QStringLiteral("sortHeader_%1").arg(ConnectionsModel::TransportColumn), table));
    QTRY_COMPARE(usersTopDown(), QStringList({"nat", "sio"}));

    // Filtering by what the cells say.
    typeInto(item(QStringLiteral("connectionsFilter"), connections), QStringLiteral("polling"));
    QTRY_COMPARE(table->property("rows").toInt(), 1);
    QTRY_VERIFY(connectionCell(sio.id(), ConnectionsModel::UserColumn));
    typeInto(item(QStringLiteral("connectionsFilter"), connections), QStringLiteral("native"));
    QTRY_COMPARE(table->property("rows").toInt(), 1);
    QTRY_VERIFY(connectionCell(native.id, ConnectionsModel::UserColumn));
    click(item(QStringLiteral("connectionsFilterClear"), connections));
    QTRY_COMPARE(table->property("rows").toInt(), 2);

    // The details pane names both, and follows an upgrade.
    QQuickItem *details = item(QStringLiteral("connectionDetails"), connections);
    QTRY_VERIFY(connectionCell(sio.id(), ConnectionsModel::UserColumn));
    click(connectionCell(sio.id(), ConnectionsModel::UserColumn));
    QTRY_VERIFY(shown(details));
    QTRY_COMPARE(item(QStringLiteral("detailsProtocolValue"), details)->property("text").toString(), QStringLiteral("Socket.IO"));
    QTRY_COMPARE(item(QStringLiteral("detailsTransportValue"), details)->property("text").toString(), QStringLiteral("polling"));
    sio.setTransport(0);
    QTRY_COMPARE(item(QStringLiteral("detailsTransportValue"), details)->property("text").toString(), QStringLiteral("WebSocket"));
    QTRY_VERIFY(connectionCell(native.id, ConnectionsModel::UserColumn));
    click(connectionCell(native.id, ConnectionsModel::UserColumn));
    QTRY_COMPARE(item(QStringLiteral("detailsProtocolValue"), details)->property("text").toString(), QStringLiteral("native"));
    QTRY_COMPARE(item(QStringLiteral("detailsTransportValue"), details)->property("text").toString(), QStringLiteral("WebSocket"));
}

void tst_Console::connectionsShowARealSocketIoSession()
{
    const Client native = connectClient(QStringLiteral("nat"));
    openPage(QStringLiteral("connections"));
    QQuickItem *connections = page(QStringLiteral("connections"));
    QQuickItem *table = item(QStringLiteral("connectionsTable"), connections);
    QTRY_COMPARE(table->property("rows").toInt(), 1);

    RawSocketIo sio(m_ts->port());
    QVERIFY2(sio.connect(token(QStringLiteral("sio-user"))), sio.error().constData());
    QTRY_COMPARE(table->property("rows").toInt(), 2);
    quint64 id = 0;
    for (const ConnectionSnapshot &c : m_ts->server().registry().connections())
        id = c.userId == QLatin1String("sio-user") ? c.id : id;
    QVERIFY(id > 0);
    const auto cellText = [this](quint64 id, int column) {
        QQuickItem *cell = connectionCell(id, column);
        return cell ? cell->property("display").toString() : QString();
    };
    QTRY_COMPARE(cellText(id, ConnectionsModel::UserColumn), QStringLiteral("sio-user"));
    QCOMPARE(cellText(id, ConnectionsModel::ProtocolColumn), QStringLiteral("Socket.IO"));
    QCOMPARE(cellText(id, ConnectionsModel::TransportColumn), QStringLiteral("polling"));
    QCOMPARE(cellText(native.id, ConnectionsModel::ProtocolColumn), QStringLiteral("native"));
    QCOMPARE(cellText(native.id, ConnectionsModel::TransportColumn), QStringLiteral("WebSocket"));

    // Upgraded to a WebSocket, the same row says so.
    QVERIFY2(sio.upgrade(), sio.error().constData());
    QTRY_VERIFY2(cellText(id, ConnectionsModel::TransportColumn) == QLatin1String("WebSocket"),
                 qPrintable(QStringLiteral("the cell says \"%1\"; the upgraded WebSocket: %2")
                                .arg(cellText(id, ConnectionsModel::TransportColumn), sio.webSocketState())));
    QCOMPARE(cellText(id, ConnectionsModel::ProtocolColumn), QStringLiteral("Socket.IO"));

    sio.close();
    QTRY_COMPARE(table->property("rows").toInt(), 1);
    QVERIFY(!connectionCell(id, ConnectionsModel::UserColumn));
}

void tst_Console::disconnectFromUi_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::addRow("application code 4000") << 4000 << QStringLiteral("kicked by the test");
    QTest::addRow("policy violation 1008") << 1008 << QStringLiteral("policy");
}

void tst_Console::disconnectFromUi()
{
    QFETCH(int, code);
    QFETCH(QString, reason);

    const QList<Client> clients{connectClient(QStringLiteral("u1")), connectClient(QStringLiteral("u2")),
                                connectClient(QStringLiteral("u3"))};
    const Client &victim = clients[1];
    openPage(QStringLiteral("connections"));
    QQuickItem *connections = page(QStringLiteral("connections"));
    QTRY_COMPARE(item(QStringLiteral("connectionsTable"), connections)->property("rows").toInt(), 3);

    // Select the victim's row: the details pane opens for that connection.
    QQuickItem *details = item(QStringLiteral("connectionDetails"), connections);
    QVERIFY(!shown(details));
    QTRY_VERIFY(connectionCell(victim.id, ConnectionsModel::UserColumn));
    click(connectionCell(victim.id, ConnectionsModel::UserColumn));
    QTRY_VERIFY(shown(details));
    QCOMPARE(connections->property("selectedId").toULongLong(), victim.id);
    QTRY_COMPARE(item(QStringLiteral("detailsTitle"), details)->property("text").toString(),
                 QStringLiteral("Connection #%1").arg(victim.id));
    QTRY_COMPARE(item(QStringLiteral("detailsUserValue"), details)->property("text").toString(), victim.user);
    QTRY_COMPARE(item(QStringLiteral("detailsState"), details)->property("text").toString(), QStringLiteral("connected"));

    // Code and reason, then Disconnect.
    typeInto(item(QStringLiteral("disconnectCode"), details), QString::number(code));
    typeInto(item(QStringLiteral("disconnectReason"), details), reason);
    click(item(QStringLiteral("disconnectButton"), details));

    QVERIFY(victim.ws->waitClosed());
    QCOMPARE(victim.ws->closeCode(), code);
    QCOMPARE(victim.ws->closeReason(), reason);
    QTRY_COMPARE(item(QStringLiteral("connectionsTable"), connections)->property("rows").toInt(), 2);
    QTRY_COMPARE(item(QStringLiteral("detailsState"), details)->property("text").toString(), QStringLiteral("disconnected"));
    QVERIFY(!item(QStringLiteral("disconnectButton"), details)->isEnabled());

    // The others are still connected and served.
    for (const Client &c : {clients[0], clients[2]}) {
        QVERIFY(!c.ws->isClosed());
        c.ws->send({{"type", "ping"}});
        QVERIFY2(c.ws->receives(QStringLiteral("pong"), 5000), qPrintable(c.user));
    }
}

void tst_Console::emitToRoom()
{
    const QList<Client> red{connectClient(QStringLiteral("r1"), {QStringLiteral("team:red")}),
                            connectClient(QStringLiteral("r2"), {QStringLiteral("team:red")})};
    const QList<Client> blue{connectClient(QStringLiteral("b1"), {QStringLiteral("team:blue")}),
                             connectClient(QStringLiteral("b2"), {QStringLiteral("team:blue")})};
    openPage(QStringLiteral("emit"));
    QQuickItem *emitPage = page(QStringLiteral("emit"));
    QQuickItem *delivered = item(QStringLiteral("deliveredLabel"), emitPage);
    QCOMPARE(delivered->property("text").toString(), QStringLiteral("—"));

    click(item(QStringLiteral("targetKind_1"), emitPage)); // Room
    QTRY_COMPARE(emitPage->property("targetKind").toInt(), 1);
    typeInto(item(QStringLiteral("targetField"), emitPage), QStringLiteral("team:red"));
    typeInto(item(QStringLiteral("eventName"), emitPage), QStringLiteral("alert"));
    typeInto(item(QStringLiteral("payloadText"), emitPage), QStringLiteral("{\"level\": 3}"));
    QQuickItem *send = item(QStringLiteral("sendButton"), emitPage);
    QTRY_VERIFY(send->isEnabled());
    click(send);

    for (const Client &c : red) {
        const QJsonObject event = c.ws->waitFor(QStringLiteral("alert"));
        QVERIFY2(!event.isEmpty(), qPrintable(c.user));
        QCOMPARE(event.value("room").toString(), QStringLiteral("team:red"));
        QCOMPARE(event.value("data").toObject().value("level").toInt(), 3);
    }
    QTRY_COMPARE(delivered->property("text").toString(), QStringLiteral("2"));

    // The blue clients got nothing: a later broadcast reaches them, and nothing came before it.
    EmitRequest marker;
    marker.event = QStringLiteral("marker");
    QCOMPARE(m_ts->server().emitEvent(marker).delivered, 4);
    for (const Client &c : blue) {
        QVERIFY(c.ws->receives(QStringLiteral("marker"), 5000));
        QCOMPARE(c.ws->count(QStringLiteral("alert")), 0);
    }
    for (const Client &c : red)
        QCOMPARE(c.ws->count(QStringLiteral("alert")), 0); // exactly one each, consumed above

    // The history lists it.
    QQuickItem *history = item(QStringLiteral("historyList"), emitPage);
    QTRY_COMPARE(history->property("count").toInt(), 1);
}

void tst_Console::roomsPageBroadcastAndRemove()
{
    const QList<Client> red{connectClient(QStringLiteral("red-1"), {QStringLiteral("team:red")}),
                            connectClient(QStringLiteral("red-2"), {QStringLiteral("team:red")})};
    const Client blue = connectClient(QStringLiteral("blue-1"), {QStringLiteral("team:blue")});
    openPage(QStringLiteral("rooms"));
    QQuickItem *rooms = page(QStringLiteral("rooms"));

    // The list shows each room with its member count; pick team:red.
    QTRY_VERIFY(item(QStringLiteral("room_team:red"), rooms));
    QQuickItem *roomRow = item(QStringLiteral("room_team:red"), rooms);
    QTRY_COMPARE(roomRow->property("members").toInt(), 2);
    QTRY_COMPARE(item(QStringLiteral("room_team:blue"), rooms)->property("members").toInt(), 1);
    click(roomRow);
    QTRY_COMPARE(rooms->property("selectedRoom").toString(), QStringLiteral("team:red"));
    QQuickItem *members = item(QStringLiteral("roomMembersTable"), rooms);
    QTRY_COMPARE(members->property("rows").toInt(), 2);

    // Broadcast to the room with the page's defaults.
    click(item(QStringLiteral("roomBroadcastButton"), rooms));
    for (const Client &c : red) {
        const QJsonObject event = c.ws->waitFor(QStringLiteral("announcement"));
        QCOMPARE(event.value("room").toString(), QStringLiteral("team:red"));
        QCOMPARE(event.value("data").toObject().value("message").toString(), QStringLiteral("hello"));
    }
    QTRY_COMPARE(item(QStringLiteral("roomBroadcastResult"), rooms)->property("text").toString(),
                 QStringLiteral("Delivered to 2 sockets"));
    EmitRequest marker;
    marker.event = QStringLiteral("marker");
    m_ts->server().emitEvent(marker);
    QVERIFY(blue.ws->receives(QStringLiteral("marker"), 5000));
    QCOMPARE(blue.ws->count(QStringLiteral("announcement")), 0);

    // Select red-2 among the members and remove it from the room.
    QQuickItem *view = item(QStringLiteral("connectionTableView"), members);
    QQuickItem *cell = nullptr;
    QTRY_VERIFY((cell = [&]() -> QQuickItem * {
        for (int row = 0; row < view->property("rows").toInt(); ++row) {
            QQuickItem *c = tableCell(view, ConnectionsModel::UserColumn, row);
            if (c && c->property("connectionId").toULongLong() == red[1].id)
                return c;
        }
        return nullptr;
    }()));
    QQuickItem *remove = item(QStringLiteral("removeMemberButton"), rooms);
    QVERIFY(!remove->isEnabled());
    click(cell);
    QTRY_VERIFY(remove->isEnabled());
    click(remove);
    QTRY_VERIFY(!m_ts->server().registry().isMember(red[1].id, QStringLiteral("team:red")));
    QVERIFY(m_ts->server().registry().isMember(red[0].id, QStringLiteral("team:red")));
    QVERIFY(!red[1].ws->isClosed());
    QTRY_COMPARE(members->property("rows").toInt(), 1);
    QTRY_COMPARE(roomRow->property("members").toInt(), 1);
}

void tst_Console::ackedEmitShowsAcks()
{
    const QList<Client> clients{connectClient(QStringLiteral("a1"), {QStringLiteral("ops")}),
                                connectClient(QStringLiteral("a2"), {QStringLiteral("ops")}),
                                connectClient(QStringLiteral("a3"))};
    openPage(QStringLiteral("emit"));
    QQuickItem *emitPage = page(QStringLiteral("emit"));
    click(item(QStringLiteral("targetKind_1"), emitPage));
    typeInto(item(QStringLiteral("targetField"), emitPage), QStringLiteral("ops"));
    typeInto(item(QStringLiteral("eventName"), emitPage), QStringLiteral("please.confirm"));
    QQuickItem *ack = item(QStringLiteral("ackCheck"), emitPage);
    click(ack);
    QTRY_VERIFY(ack->property("checked").toBool());
    click(item(QStringLiteral("sendButton"), emitPage));

    QQuickItem *acksLabel = item(QStringLiteral("acksLabel"), emitPage);
    QQuickItem *acksState = item(QStringLiteral("acksState"), emitPage);
    QQuickItem *acksList = item(QStringLiteral("acksList"), emitPage);
    QTRY_COMPARE(item(QStringLiteral("deliveredLabel"), emitPage)->property("text").toString(), QStringLiteral("2"));
    QTRY_VERIFY(shown(acksLabel));
    QCOMPARE(acksLabel->property("text").toString(), QStringLiteral("0 / 2"));
    QCOMPARE(acksState->property("text").toString(), QStringLiteral("waiting…"));
    QCOMPARE(acksList->property("count").toInt(), 0);

    QList<QString> ids;
    for (int i : {0, 1}) {
        const QJsonObject event = clients[i].ws->waitFor(QStringLiteral("please.confirm"));
        QCOMPARE(event.value("ack").toBool(), true);
        ids << event.value("id").toString();
    }
    QCOMPARE(ids[0], ids[1]);
    // The third client is not in the room: a later broadcast reaches it, the acked emit did not.
    EmitRequest marker;
    marker.event = QStringLiteral("marker");
    QCOMPARE(m_ts->server().emitEvent(marker).delivered, 3);
    QVERIFY(clients[2].ws->receives(QStringLiteral("marker"), 5000));
    QCOMPARE(clients[2].ws->count(QStringLiteral("please.confirm")), 0);

    // The acks show up one by one, as the clients answer.
    clients[1].ws->send({{"type", "ack"}, {"id", ids[1]}});
    QTRY_COMPARE(acksLabel->property("text").toString(), QStringLiteral("1 / 2"));
    QTRY_COMPARE(acksList->property("count").toInt(), 1);
    QCOMPARE(acksState->property("text").toString(), QStringLiteral("waiting…"));
    // The view makes its delegates when it next polishes, after the count changed.
    QTRY_COMPARE(listRows(acksList).size(), 1);
    const auto firstRows = listRows(acksList);
    QCOMPARE(firstRows.first()->property("userId").toString(), QStringLiteral("a2"));
    QCOMPARE(firstRows.first()->property("connectionId").toULongLong(), clients[1].id);
    QCOMPARE(firstRows.first()->property("ok").toBool(), true);

    clients[0].ws->send({{"type", "ack"}, {"id", ids[0]}});
    QTRY_COMPARE(acksLabel->property("text").toString(), QStringLiteral("2 / 2"));
    QTRY_COMPARE(acksList->property("count").toInt(), 2);
    QTRY_COMPARE(acksState->property("text").toString(), QStringLiteral("all acknowledged"));
    QTRY_COMPARE(listRows(acksList).size(), 2);
    QCOMPARE(listRows(acksList).at(1)->property("userId").toString(), QStringLiteral("a1"));
    QCOMPARE(listRows(acksList).at(1)->property("connectionId").toULongLong(), clients[0].id);
}

void tst_Console::invalidJsonDisablesSend()
{
    const Client c = connectClient(QStringLiteral("j1"));
    openPage(QStringLiteral("emit"));
    QQuickItem *emitPage = page(QStringLiteral("emit"));
    QQuickItem *send = item(QStringLiteral("sendButton"), emitPage);
    QQuickItem *hint = item(QStringLiteral("sendHint"), emitPage);
    QQuickItem *status = item(QStringLiteral("payloadTextStatus"), emitPage);
    typeInto(item(QStringLiteral("eventName"), emitPage), QStringLiteral("json.check"));
    QTRY_VERIFY(send->isEnabled());
    QVERIFY(!shown(hint));
    QVERIFY(status->property("text").toString().startsWith(QStringLiteral("Valid JSON")));

    // A missing colon: Send is disabled and both the editor and the hint say what and where.
    typeInto(item(QStringLiteral("payloadText"), emitPage), QStringLiteral("{\"a\" 1}"));
    QTRY_VERIFY(!send->isEnabled());
    QTRY_VERIFY(shown(hint));
    // Where exactly is JsonCheck's business (tested on its own); the UI must show what it says.
    const JsonCheck::Result parsed = JsonCheck::parse(QStringLiteral("{\"a\" 1}"));
    QVERIFY(!parsed.ok);
    QCOMPARE(parsed.line, 1);
    QCOMPARE(parsed.error, QStringLiteral("a ':' is missing after a key"));
    const QString where = QStringLiteral("Line 1, column %1: %2").arg(parsed.column).arg(parsed.error);
    QCOMPARE(status->property("text").toString(), where);
    QCOMPARE(hint->property("text").toString(), QStringLiteral("Fix the payload: ") + where);

    // A click on the disabled button sends nothing.
    const QPoint centre = send->mapToScene(QPointF(send->width() / 2, send->height() / 2)).toPoint();
    QTest::mouseClick(m_window, Qt::LeftButton, Qt::NoModifier, centre);
    QCOMPARE(item(QStringLiteral("historyList"), emitPage)->property("count").toInt(), 0);

    // Another mistake, another explanation: the hint follows the text.
    const QString unquoted = QStringLiteral("[1, two]");
    typeInto(item(QStringLiteral("payloadText"), emitPage), unquoted);
    const JsonCheck::Result second = JsonCheck::parse(unquoted);
    QVERIFY(!second.ok);
    QVERIFY(second.error != parsed.error);
    QTRY_COMPARE(hint->property("text").toString(),
                 QStringLiteral("Fix the payload: Line 1, column %1: %2").arg(second.column).arg(second.error));
    QVERIFY(!send->isEnabled());

    // Fixed: Send comes back and works.
    typeInto(item(QStringLiteral("payloadText"), emitPage), QStringLiteral("[1, 2]"));
    QTRY_VERIFY(send->isEnabled());
    QTRY_VERIFY(!shown(hint));
    QCOMPARE(status->property("text").toString(), QStringLiteral("Valid JSON (array)"));
    click(send);
    const QJsonObject event = c.ws->waitFor(QStringLiteral("json.check"));
    QCOMPARE(event.value("data").toArray(), QJsonArray({1, 2}));
}

void tst_Console::eventsShowConnectAndDisconnect()
{
    openPage(QStringLiteral("events"));
    const QString user = QStringLiteral("visitor-%1").arg(QDateTime::currentMSecsSinceEpoch());
    Client c = connectClient(user);
    QVERIFY(c.id > 0);

    const auto rowsOf = [&](const QString &name) {
        QList<QQuickItem *> rows;
        for (QQuickItem *row : eventRows()) {
            if (row->property("name").toString() == name && row->property("userId").toString() == user)
                rows << row;
        }
        return rows;
    };
    QTRY_COMPARE(rowsOf(QStringLiteral("connect")).size(), 1);
    QQuickItem *connectRow = rowsOf(QStringLiteral("connect")).first();
    QCOMPARE(connectRow->property("direction").toString(), QStringLiteral("system"));
    QCOMPARE(connectRow->property("connectionId").toULongLong(), c.id);
    QCOMPARE(rowsOf(QStringLiteral("disconnect")).size(), 0);

    c.ws->socket().close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
    QTRY_COMPARE(rowsOf(QStringLiteral("disconnect")).size(), 1);
    QQuickItem *disconnectRow = rowsOf(QStringLiteral("disconnect")).first();
    QCOMPARE(disconnectRow->property("connectionId").toULongLong(), c.id);
    QVERIFY2(disconnectRow->property("detail").toString().contains(QStringLiteral("1000")),
             qPrintable(disconnectRow->property("detail").toString()));
    // Newest first: the disconnect is above the connect.
    QVERIFY(disconnectRow->y() < rowsOf(QStringLiteral("connect")).first()->y());
}

void tst_Console::eventsFilter()
{
    const QString stamp = QString::number(QDateTime::currentMSecsSinceEpoch());
    const QString watched = QStringLiteral("watched-") + stamp;
    const QString other = QStringLiteral("other-") + stamp;
    Client a = connectClient(watched, {QStringLiteral("news")});
    Client b = connectClient(other);
    a.ws->socket().close();
    QVERIFY(a.ws->waitClosed());
    EmitRequest toNews;
    toNews.target = EmitRequest::Target::Room;
    toNews.room = QStringLiteral("news");
    toNews.event = QStringLiteral("headline");
    m_ts->server().emitEvent(toNews);

    openPage(QStringLiteral("events"));
    QQuickItem *events = page(QStringLiteral("events"));
    QQuickItem *list = item(QStringLiteral("eventsList"), events);
    QTRY_VERIFY(list->property("count").toInt() >= 4); // 2 connects, 1 disconnect, 1 out (and older rows)

    // By user: the watched user's connect and disconnect, nothing else.
    typeInto(item(QStringLiteral("eventUserFilter"), events), watched);
    QTRY_COMPARE(list->property("count").toInt(), 2);
    QTRY_COMPARE(eventRows().size(), 2);
    QStringList names;
    for (QQuickItem *row : eventRows()) {
        QCOMPARE(row->property("userId").toString(), watched);
        names << row->property("name").toString();
    }
    QCOMPARE(names, QStringList({"disconnect", "connect"}));

    // By name on top of the user.
    typeInto(item(QStringLiteral("eventNameFilter"), events), QStringLiteral("disconnect"));
    QTRY_COMPARE(list->property("count").toInt(), 1);

    // Direction "Out" with a room: only the headline to news.
    click(item(QStringLiteral("eventUserFilterClear"), events));
    click(item(QStringLiteral("eventNameFilterClear"), events));
    click(item(QStringLiteral("directionFilter_2"), events));
    typeInto(item(QStringLiteral("eventRoomFilter"), events), QStringLiteral("news"));
    QTRY_COMPARE(list->property("count").toInt(), 1);
    QTRY_COMPARE(eventRows().size(), 1);
    QCOMPARE(eventRows().first()->property("name").toString(), QStringLiteral("headline"));
    QCOMPARE(eventRows().first()->property("direction").toString(), QStringLiteral("out"));

    // Back to everything.
    click(item(QStringLiteral("eventRoomFilterClear"), events));
    click(item(QStringLiteral("directionFilter_0"), events));
    QTRY_VERIFY(list->property("count").toInt() >= 4);
    QVERIFY(item(QStringLiteral("eventsStatus"), events)->property("text").toString().startsWith(QStringLiteral("Showing ")));
    Q_UNUSED(b);
}

void tst_Console::languageSwitch()
{
    // The rail's buttons come from a Repeater whose model holds the labels: retranslating
    // recreates them, so look them up each time.
    const auto nav = [this](const char *name) {
        QQuickItem *button = item(QStringLiteral("nav_") + QLatin1String(name));
        return button ? button->property("text").toString() : QString();
    };
    QCOMPARE(nav("overview"), QStringLiteral("Overview"));
    QCOMPARE(nav("settings"), QStringLiteral("Settings"));

    openPage(QStringLiteral("settings"));
    QQuickItem *settings = page(QStringLiteral("settings"));
    QQuickItem *combo = item(QStringLiteral("languageCombo"), settings);
    QVERIFY(combo);
    QCOMPARE(combo->property("displayText").toString(), QStringLiteral("English"));

    // Open the combo box and pick Deutsch from its popup.
    choose(combo, QStringLiteral("Deutsch"));
    QTRY_COMPARE(m_console->language(), QStringLiteral("de"));
    // The German texts are whatever the shipped translation says; they must differ from English.
    const QString overviewDe = QCoreApplication::translate("NavRail", "Overview");
    const QString settingsDe = QCoreApplication::translate("NavRail", "Settings");
    QVERIFY2(overviewDe != QLatin1String("Overview"), "switchboard_de has no German for the rail's \"Overview\"");
    QTRY_COMPARE(nav("overview"), overviewDe);
    QTRY_COMPARE(nav("settings"), settingsDe);
    QTRY_COMPARE(combo->property("displayText").toString(), QStringLiteral("Deutsch"));
    // The page title follows too.
    const auto titles = findItems(settings, [](QQuickItem *i) { return i->objectName() == QLatin1String("pageTitle") && shown(i); });
    QVERIFY(!titles.isEmpty());
    QTRY_COMPARE(titles.first()->property("text").toString(), QCoreApplication::translate("SettingsPage", "Settings"));
    QVERIFY(titles.first()->property("text").toString() != QLatin1String("Settings"));

    // Column headers come from C++ (ConnectionsModel::headerData) and must follow as well.
    openPage(QStringLiteral("connections"));
    const QString userDe = QCoreApplication::translate("Switchboard::ConnectionsModel", "User");
    QVERIFY2(userDe != QLatin1String("User"), "switchboard_de has no German for the table's \"User\" column");
    QQuickItem *header = item(QStringLiteral("connectionTableHeader"), page(QStringLiteral("connections")));
    QTRY_VERIFY(!findItems(header, [&](QQuickItem *i) {
        return i->property("column").toInt() == ConnectionsModel::UserColumn && i->property("display").toString() == userDe;
    }).isEmpty());

    // And back to English, through the same control.
    openPage(QStringLiteral("settings"));
    choose(combo, QStringLiteral("English"));
    QTRY_COMPARE(m_console->language(), QStringLiteral("en"));
    QTRY_COMPARE(nav("overview"), QStringLiteral("Overview"));
}

void tst_Console::tokenToolMintsAWorkingUrl()
{
    openPage(QStringLiteral("settings"));
    QQuickItem *settings = page(QStringLiteral("settings"));
    QQuickItem *url = item(QStringLiteral("mintedUrl"), settings);
    QVERIFY(!shown(url));
    typeInto(item(QStringLiteral("tokenUser"), settings), QStringLiteral("minted"));
    typeInto(item(QStringLiteral("tokenRole"), settings), QStringLiteral("tester"));
    typeInto(item(QStringLiteral("tokenRooms"), settings), QStringLiteral("lab, bench"));
    click(item(QStringLiteral("mintButton"), settings));
    QTRY_VERIFY(shown(url));
    const QString wsUrl = url->property("text").toString();
    QVERIFY2(wsUrl.startsWith(QStringLiteral("ws://127.0.0.1:%1/ws?token=").arg(m_ts->port())), qPrintable(wsUrl));

    // The URL works as it is: a client connects with it as that user, in those rooms.
    WsClient client;
    const QJsonObject welcome = client.connectAndWelcome(QUrl(wsUrl));
    QCOMPARE(welcome.value("userId").toString(), QStringLiteral("minted"));
    QStringList rooms;
    for (const QJsonValue &room : welcome.value("rooms").toArray())
        rooms << room.toString();
    rooms.sort();
    QCOMPARE(rooms, QStringList({"bench", "lab", "role:tester", "user:minted"}));
}

namespace {

/// Commits one message with QueueService's blocking enqueue, called from the test thread
/// (not the queue thread; the console never calls it on the GUI thread). Its id, or 0.
qint64 enqueueDirect(Server &server, const QString &queue, const QJsonValue &payload, int maxAttempts = 5)
{
    QueueService *queues = server.queues();
    if (!queues)
        return 0;
    QList<QueueMessage> batch(1);
    batch[0].queue = queue;
    batch[0].payload = QJsonDocument(QJsonArray{payload}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    batch[0].maxAttempts = maxAttempts;
    batch[0].createdAtMs = batch[0].availableAtMs = QDateTime::currentMSecsSinceEpoch();
    QString error;
    return queues->enqueue(batch, &error) ? batch[0].id : 0;
}

/// Absence check with a positive control: enqueues a marker to @p queue and true when the
/// next job @p worker gets is that marker (acked), i.e. nothing was queued for it before.
bool nextJobIsMarker(Server &server, WsClient *worker, const QString &queue)
{
    const qint64 marker = enqueueDirect(server, queue, QJsonObject{{"marker", true}});
    if (marker <= 0)
        return false;
    const QJsonObject job = worker->waitFor(QStringLiteral("job"));
    worker->send({{"type", "ack"}, {"id", job.value("id")}});
    if (job.value("id").toString() != QString::number(marker)) {
        qWarning() << "expected the marker" << marker << "first, got" << job;
        return false;
    }
    return true;
}

qint64 totalOf(Server &server, qint64 QueueStats::*field)
{
    qint64 sum = 0;
    for (const QueueStats &s : server.queues()->stats())
        sum += s.*field;
    return sum;
}

} // namespace

void tst_Console::queuesPageShowsDepthLive()
{
    const QString queue = QStringLiteral("live_%1").arg(QDateTime::currentMSecsSinceEpoch());
    // Messages waiting before the page is first shown: its figures jump from what they were
    // when the (hidden) page was made to two digits as it appears, and show every digit.
    for (int i = 0; i < 12; ++i)
        QVERIFY(enqueueDirect(m_ts->server(), queue + QStringLiteral("_early"), i) > 0);
    openPage(QStringLiteral("queues"));
    const qint64 readyEarly = totalOf(m_ts->server(), &QueueStats::ready);
    QTRY_COMPARE(kpi(QStringLiteral("queueReady")), QString::number(readyEarly));
    QQuickItem *readyValue = item(QStringLiteral("kpiValue"), item(QStringLiteral("queueReady"), page(QStringLiteral("queues"))));
    QTRY_VERIFY2(!readyValue->property("truncated").toBool() && readyValue->width() >= readyValue->implicitWidth() - 0.5,
                 qPrintable(QStringLiteral("%1 px for %2 px of text").arg(readyValue->width()).arg(readyValue->implicitWidth())));

    QQuickItem *queues = page(QStringLiteral("queues"));
    QCOMPARE(item(QStringLiteral("queuesAvailability"), queues)->property("text").toString(), QStringLiteral("durable"));
    QVERIFY(!queueRow(queue));

    // Enqueued with the service's blocking call and over HTTP: the row appears and counts.
    const qint64 readyBefore = totalOf(m_ts->server(), &QueueStats::ready);
    for (int i = 0; i < 3; ++i)
        QVERIFY(enqueueDirect(m_ts->server(), queue, QJsonObject{{"i", i}}) > 0);
    QTRY_VERIFY(queueRow(queue));
    QTRY_COMPARE(queueRow(queue)->property("ready").toInt(), 3);
    QCOMPARE(adminPost(m_ts->httpUrl(QStringLiteral("/api/queues/%1/messages").arg(queue)),
                       QJsonObject{{"payload", QJsonObject{{"via", "http"}}}}).status, 202);
    QTRY_COMPARE(queueRow(queue)->property("ready").toInt(), 4);
    QTRY_COMPARE(kpi(QStringLiteral("queueReady")), QString::number(readyBefore + 4));
    // Selecting the queue points the chart at it; its "ready" series reaches 4 within a
    // sample or two (the history is sampled once a second).
    click(queueRow(queue));
    QTRY_COMPARE(queues->property("selectedQueue").toString(), queue);
    QQuickItem *chart = item(QStringLiteral("queueDepthChart"), queues);
    QVERIFY(chart);
    const auto feederOf = [&](int metric) -> SeriesFeeder * {
        for (SeriesFeeder *f : chart->findChildren<SeriesFeeder *>()) {
            if (f->metric() == metric && f->series())
                return f;
        }
        return nullptr;
    };
    QVERIFY(feederOf(SeriesFeeder::QueueReady));
    QCOMPARE(feederOf(SeriesFeeder::QueueReady)->queue(), queue);
    QTRY_COMPARE_WITH_TIMEOUT(feederOf(SeriesFeeder::QueueReady)->lastValue(), 4.0, 5000);
    QTRY_VERIFY(chart->property("axisMax").toDouble() >= 4); // the axes follow once the feeders refreshed

    // A consumer takes two: in flight, a consumer; its acks drain the queue.
    WsClient *worker = consumer(queue, 2);
    QVERIFY(worker);
    QTRY_COMPARE(queueRow(queue)->property("inFlight").toInt(), 2);
    QCOMPARE(queueRow(queue)->property("ready").toInt(), 2);
    QTRY_COMPARE(queueRow(queue)->property("consumers").toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(feederOf(SeriesFeeder::QueueInFlight)->lastValue(), 2.0, 5000);
    for (int i = 0; i < 4; ++i) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        QVERIFY(!job.isEmpty());
        worker->send({{"type", "ack"}, {"id", job.value("id")}});
    }
    QTRY_COMPARE(queueRow(queue)->property("ready").toInt(), 0);
    QTRY_COMPARE(queueRow(queue)->property("inFlight").toInt(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(feederOf(SeriesFeeder::QueueReady)->lastValue(), 0.0, 5000);

    // The totals row charts every queue again.
    click(item(QStringLiteral("queueRow_all"), queues));
    QTRY_COMPARE(queues->property("selectedQueue").toString(), QString());
    QCOMPARE(feederOf(SeriesFeeder::QueueReady)->queue(), QString());
}

void tst_Console::deadLetterBrowserRetryAndPurge()
{
    const QString queue = QStringLiteral("dlq_%1").arg(QDateTime::currentMSecsSinceEpoch());
    // Dead letters the real way: a consumer nacks messages that have one attempt.
    WsClient *worker = consumer(queue, 5);
    QVERIFY(worker);
    const qint64 first = enqueueDirect(m_ts->server(), queue, QJsonObject{{"order", 1}}, 1);
    const qint64 second = enqueueDirect(m_ts->server(), queue, QJsonObject{{"order", 2}}, 1);
    QVERIFY(first > 0 && second > 0);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject job = worker->waitFor(QStringLiteral("job"));
        QVERIFY(!job.isEmpty());
        worker->send({{"type", "nack"}, {"id", job.value("id")}, {"error", "card declined"}});
    }

    openPage(QStringLiteral("queues"));
    QQuickItem *queues = page(QStringLiteral("queues"));
    QQuickItem *list = item(QStringLiteral("dlqList"), queues);
    QVERIFY(!shown(list)); // nothing selected yet
    QTRY_VERIFY(queueRow(queue));
    QTRY_COMPARE(queueRow(queue)->property("dead").toInt(), 2);
    click(queueRow(queue));
    QTRY_VERIFY(shown(list));

    // The browser lists both, oldest first, with payload, attempts and the consumer's error.
    QTRY_COMPARE(listRows(list).size(), 2);
    const QList<QQuickItem *> rows = listRows(list);
    QCOMPARE(qint64(rows[0]->property("messageId").toDouble()), first);
    QCOMPARE(qint64(rows[1]->property("messageId").toDouble()), second);
    QCOMPARE(rows[0]->property("payload").toString(), QStringLiteral("{\"order\":1}"));
    QCOMPARE(rows[0]->property("attempts").toInt(), 1);
    QCOMPARE(rows[0]->property("maxAttempts").toInt(), 1);
    QCOMPARE(rows[0]->property("lastError").toString(), QStringLiteral("card declined"));
    QVERIFY(!rows[0]->property("deadAt").toString().isEmpty());
    QCOMPARE(item(QStringLiteral("dlqError_%1").arg(first), list)->property("text").toString(), QStringLiteral("card declined"));
    QCOMPARE(item(QStringLiteral("dlqRange"), queues)->property("text").toString(), QStringLiteral("1–2 of 2"));
    QTRY_COMPARE(kpi(QStringLiteral("queueDead")), QString::number(totalOf(m_ts->server(), &QueueStats::dead)));

    // Retry one from the UI: the consumer gets exactly that message again.
    click(item(QStringLiteral("dlqRetry_%1").arg(first), list));
    const QJsonObject again = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(again.value("id").toString(), QString::number(first));
    QCOMPARE(again.value("data").toObject().value("order").toInt(), 1);
    QCOMPARE(again.value("attempt").toInt(), 1);
    worker->send({{"type", "ack"}, {"id", again.value("id")}});
    QTRY_COMPARE(listRows(list).size(), 1);
    // The view lays its delegates out again when it next polishes.
    QTRY_COMPARE(qint64(listRows(list).first()->property("messageId").toDouble()), second);
    QQuickItem *result = item(QStringLiteral("dlqResult"), queues);
    QTRY_VERIFY(shown(result));
    QCOMPARE(result->property("text").toString(), QStringLiteral("Message %1 is back in %2, ready for a consumer.").arg(first).arg(queue));
    QVERIFY(nextJobIsMarker(m_ts->server(), worker, queue)); // only that one

    // Purge asks first; Cancel keeps the dead letter.
    QQuickItem *purge = item(QStringLiteral("dlqPurge"), queues);
    click(purge);
    QQuickItem *question = item(QStringLiteral("purgeQuestion"));
    QTRY_VERIFY(shown(question));
    QCOMPARE(question->property("text").toString(),
             QStringLiteral("This deletes the 1 dead letter of %1 for good; it cannot be retried afterwards.").arg(queue));
    click(item(QStringLiteral("purgeCancel")));
    QTRY_VERIFY(!shown(question));
    // A purge would have gone to the queue thread before the marker, which has come back:
    // the dead letter is still there, in the store and in the list.
    QVERIFY(nextJobIsMarker(m_ts->server(), worker, queue));
    qint64 dead = 0;
    m_ts->server().queues()->deadLetters(queue, 0, 10, &dead);
    QCOMPARE(dead, 1);
    QCOMPARE(listRows(list).size(), 1);

    // Confirmed, it empties the list.
    click(purge);
    QTRY_VERIFY(shown(question));
    click(item(QStringLiteral("purgeConfirm")));
    QTRY_VERIFY(!shown(question));
    QTRY_COMPARE(list->property("count").toInt(), 0);
    QTRY_COMPARE(queueRow(queue)->property("dead").toInt(), 0);
    QTRY_COMPARE(result->property("text").toString(), QStringLiteral("1 dead letter of %1 purged.").arg(queue));
    QTRY_VERIFY(shown(item(QStringLiteral("dlqEmptyState"), queues)));
    QVERIFY(!purge->isEnabled());
    QVERIFY(!item(QStringLiteral("dlqRetryAll"), queues)->isEnabled());
    QCOMPARE(item(QStringLiteral("dlqRange"), queues)->property("text").toString(), QStringLiteral("none"));
    QVERIFY(nextJobIsMarker(m_ts->server(), worker, queue));
}

void tst_Console::enqueueTestMessageFromUi()
{
    const QString queue = QStringLiteral("ui_%1").arg(QDateTime::currentMSecsSinceEpoch());
    WsClient *worker = consumer(queue);
    QVERIFY(worker);
    openPage(QStringLiteral("queues"));
    QQuickItem *queues = page(QStringLiteral("queues"));

    click(item(QStringLiteral("queueEnqueueTest"), queues));
    QQuickItem *name = item(QStringLiteral("enqueueQueue"));
    QTRY_VERIFY(shown(name));
    QQuickItem *button = item(QStringLiteral("enqueueButton"));
    QQuickItem *hint = item(QStringLiteral("enqueueHint"));
    QQuickItem *status = item(QStringLiteral("enqueuePayloadStatus"));
    QVERIFY(button->isEnabled()); // the defaults are a valid test message
    QVERIFY(!shown(hint));

    typeInto(name, queue);
    typeInto(item(QStringLiteral("enqueuePayload")), QStringLiteral("{\"hello\": \"console\"}"));
    QTRY_VERIFY(button->isEnabled());
    QCOMPARE(status->property("text").toString(), QStringLiteral("Valid JSON (object)"));
    click(button);

    // It reaches the consumer, as the page says.
    const QJsonObject job = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(job.value("queue").toString(), queue);
    QCOMPARE(job.value("data").toObject(), QJsonObject({{"hello", "console"}}));
    QQuickItem *result = item(QStringLiteral("enqueueResult"));
    QTRY_VERIFY(shown(result));
    QCOMPARE(result->property("text").toString(), QStringLiteral("Message %1 enqueued to %2.").arg(job.value("id").toString(), queue));
    worker->send({{"type", "ack"}, {"id", job.value("id")}});

    // Invalid JSON disables the button and says what is wrong and where.
    typeInto(item(QStringLiteral("enqueuePayload")), QStringLiteral("{\"a\" 1}"));
    QTRY_VERIFY(!button->isEnabled());
    QTRY_VERIFY(shown(hint));
    const JsonCheck::Result parsed = JsonCheck::parse(QStringLiteral("{\"a\" 1}"));
    const QString where = QStringLiteral("Line 1, column %1: %2").arg(parsed.column).arg(parsed.error);
    QCOMPARE(status->property("text").toString(), where);
    QCOMPARE(hint->property("text").toString(), QStringLiteral("Fix the payload: ") + where);
    // A click on the disabled button enqueues nothing.
    const QPoint centre = button->mapToScene(QPointF(button->width() / 2, button->height() / 2)).toPoint();
    QTest::mouseClick(m_window, Qt::LeftButton, Qt::NoModifier, centre);
    QVERIFY(nextJobIsMarker(m_ts->server(), worker, queue));

    // So does an empty payload and a name that is not a queue name.
    typeInto(item(QStringLiteral("enqueuePayload")), QString());
    QTRY_VERIFY(!button->isEnabled());
    typeInto(item(QStringLiteral("enqueuePayload")), QStringLiteral("[1, 2]"));
    QTRY_VERIFY(button->isEnabled());
    typeInto(name, QStringLiteral("no spaces"));
    QTRY_VERIFY(!button->isEnabled());
    QCOMPARE(hint->property("text").toString(), QStringLiteral("Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -"));
    typeInto(name, queue);
    QTRY_VERIFY(button->isEnabled());
    QVERIFY(!shown(hint));

    // High priority and a second send: it arrives too.
    choose(item(QStringLiteral("enqueuePriority")), QStringLiteral("high"));
    click(button);
    const QJsonObject second = worker->waitFor(QStringLiteral("job"));
    QCOMPARE(second.value("data").toArray(), QJsonArray({1, 2}));
    worker->send({{"type", "ack"}, {"id", second.value("id")}});

    click(item(QStringLiteral("enqueueClose")));
    QTRY_VERIFY(!shown(name));
    QTRY_VERIFY(queueRow(queue));
    QTRY_COMPARE(queueRow(queue)->property("ready").toInt() + queueRow(queue)->property("inFlight").toInt(), 0);
}

void tst_Console::queuesPageShowsTheBridge()
{
    // Without a bridge the page has no bridge section.
    openPage(QStringLiteral("queues"));
    QVERIFY(!shown(item(QStringLiteral("bridgeCard"), page(QStringLiteral("queues")))));

    // A console on a server consuming from a real rabbitmq-server.
    RabbitProcess rabbit;
    QVERIFY2(rabbit.start(), qPrintable(rabbit.errorString()));
    ServerConfig config = testConfig();
    config.amqpUrl = rabbit.url();
    QString error;
    QVERIFY2(AmqpBindings::parse(R"({"bindings": [{"exchange": "domain", "type": "topic", "queue": "ui.orders",
        "routingKeys": ["order.*"], "prefetch": 10, "event": "{routingKey}", "targets": ["user:{userId}"],
        "deadLetterExchange": "domain.dlx"}]})", &config.amqpBindings, &error), qPrintable(error));
    TestServer ts(config);
    QVERIFY(ts.start());
    m_console.reset(); // the console context holds one server at a time
    m_console = std::make_unique<ConsoleApp>(ts.server(), QStringLiteral("en"));
    QVERIFY2(m_console->load(&error), qPrintable(error));
    m_window = m_console->window();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    openPage(QStringLiteral("queues"));
    QQuickItem *queues = page(QStringLiteral("queues"));
    QTRY_VERIFY(shown(item(QStringLiteral("bridgeCard"), queues)));
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("bridgeState"), queues)->property("text").toString(), QStringLiteral("connected"), 15000);
    const auto row = [&] { return item(QStringLiteral("bridgeRow_ui.orders"), queues); };
    QTRY_VERIFY(row());
    QCOMPARE(row()->property("exchange").toString(), QStringLiteral("domain"));
    QCOMPARE(row()->property("routingKeys").toString(), QStringLiteral("order.*"));
    QCOMPARE(item(QStringLiteral("bridgeCard"), queues)->property("subtitle").toString(),
             QStringLiteral("amqp://guest:***@127.0.0.1:") + QString::number(rabbit.port()) + QStringLiteral("/%2F · connected · 1 connect"));

    // Messages published by a back end: a user in the room gets them, the row counts them;
    // a malformed one is rejected (to the dead-letter exchange) and shows as the last error.
    WsClient user;
    QVERIFY(!user.connectAndWelcome(ts.wsUrl(token(QStringLiteral("ui-bridge-user"), {}, {QStringLiteral("user:u7")}))).isEmpty());
    for (int i = 0; i < 3; ++i)
        QVERIFY2(rabbit.publish(QStringLiteral("domain"), QStringLiteral("order.created"), QJsonDocument(QJsonObject{{"userId", "u7"}, {"n", i}}).toJson(QJsonDocument::Compact)), qPrintable(rabbit.errorString()));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(user.waitFor(QStringLiteral("order.created")).value("data").toObject().value("n").toInt(), i);
    QVERIFY(rabbit.publish(QStringLiteral("domain"), QStringLiteral("order.created"), "{not json"));
    QTRY_COMPARE(row()->property("rejected").toInt(), 1);
    // Rates are differences between reads a second apart: the read that first saw the
    // rejection saw a message arrive too; once messages stop, the rates come back to zero.
    QVERIFY(row()->property("rejectedPerSec").toDouble() > 0);
    QVERIFY(row()->property("receivedPerSec").toDouble() > 0);
    QCOMPARE(row()->property("received").toInt(), 4);
    QCOMPARE(row()->property("emitted").toInt(), 3);
    QVERIFY2(row()->property("lastError").toString().startsWith(QLatin1String("malformed")), qPrintable(row()->property("lastError").toString()));
    QTRY_COMPARE_WITH_TIMEOUT(row()->property("receivedPerSec").toDouble(), 0.0, 5000);
    QCOMPARE(row()->property("rejectedPerSec").toDouble(), 0.0);

    // The broker goes: the bridge says so.
    rabbit.stop();
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("bridgeState"), queues)->property("text").toString() != QLatin1String("connected"), 15000);
    m_console.reset(); // before the server it shows
}

QTEST_MAIN(tst_Console)
#include "tst_console.moc"
