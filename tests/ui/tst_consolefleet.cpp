// The console steering a fleet (issue 17): acks of console emits counted over every node of a
// cluster (local and remote), going back from a remote node to the embedded server, the
// rooms' node filter, and drain / undrain from the Overview. Real headless switchboard
// processes on a real redis-server, real QWebSocket clients that ack, and the real console,
// clicked through by objectName.
#include <limits>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include "auth/jwt.h"
#include "connectionsmodel.h"
#include "consoleapp.h"
#include "consolecontext.h"
#include "emitter.h"
#include "quicktestsupport.h"
#include "roomsmodel.h"
#include "source/remotesource.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

constexpr auto kNodeAdminToken = "fleet-console-admin-token";
constexpr auto kNodeJwtSecret = "fleet-console-jwt-secret";

/// A headless switchboard process on a free port, killed with the object.
struct Node
{
    quint16 port = 0;
    QTemporaryDir dir;
    std::unique_ptr<QProcess> process;

    bool start(const QStringList &extra)
    {
        port = freePort();
        process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->setStandardOutputFile(QProcess::nullDevice());
        process->start(QStringLiteral(SWITCHBOARD_BINARY),
                       QStringList{QStringLiteral("--headless"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                   QStringLiteral("--port"), QString::number(port), QStringLiteral("--admin-token"),
                                   QLatin1String(kNodeAdminToken), QStringLiteral("--jwt-secret"), QLatin1String(kNodeJwtSecret),
                                   QStringLiteral("--data-dir"), dir.path()} + extra);
        if (!process->waitForStarted())
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15000) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            if (probe.waitForConnected(200))
                return true;
            QTest::qWait(50);
        }
        return false;
    }
    ~Node()
    {
        if (process && process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)); }
};

} // namespace

class tst_ConsoleFleet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void remoteEmitCountsAcksOfEveryNode();
    void localEmitCountsAcksOfEveryNode();
    void backToTheEmbeddedServer();
    void roomsAndConnectionsOfAllNodes();
    void drainAndUndrainFromTheOverview();
    void nodeActionsFollowTheRole();

private:
    /// A client of @p port (user @p user) that acks every acked event it receives.
    QWebSocket *ackingClient(quint16 port, const QString &user, const QByteArray &secret = kNodeJwtSecret,
                             const QString &room = {});
    void attachRemote(const QUrl &url, const QString &token = QLatin1String(kNodeAdminToken));
    void showConsole();
    QQuickItem *item(const QString &name) const { return findItem(m_console->window()->contentItem(), name); }
    QString text(const QString &name) const
    {
        QQuickItem *i = item(name);
        return i ? i->property("text").toString() : QStringLiteral("<no %1>").arg(name);
    }
    QString kpi(const QString &name) const
    {
        QQuickItem *i = item(name);
        return i ? i->property("value").toString() : QStringLiteral("<no %1>").arg(name);
    }
    bool shown(const QString &name) const
    {
        QQuickItem *i = item(name);
        return i && i->isVisible();
    }
    void showPage(const QString &page);
    /// Clicks @p target's centre once it is there; @p onTop: once nothing covers it (popups sit
    /// in the overlay, which childAt() does not reach from the content item).
    void click(QQuickItem *target, bool onTop = true);
    void sendAckedBroadcast();

    std::vector<std::unique_ptr<QWebSocket>> m_clients;
    std::unique_ptr<ConsoleApp> m_console;
};

void tst_ConsoleFleet::cleanup()
{
    m_console.reset();
    m_clients.clear();
}

QWebSocket *tst_ConsoleFleet::ackingClient(quint16 port, const QString &user, const QByteArray &secret, const QString &room)
{
    auto socket = std::make_unique<QWebSocket>();
    QWebSocket *s = socket.get();
    QSignalSpy welcomed(s, &QWebSocket::textMessageReceived);
    connect(s, &QWebSocket::textMessageReceived, s, [s](const QString &text) {
        const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
        if (m.value(QLatin1String("ack")).toBool() && m.contains(QLatin1String("id")))
            s->sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("ack")},
                                                                           {QStringLiteral("id"), m.value(QLatin1String("id"))}})
                                                     .toJson(QJsonDocument::Compact)));
    });
    const QByteArray token = Jwt::mint(user, QStringLiteral("user"), room.isEmpty() ? QStringList() : QStringList{room}, 3600, secret);
    s->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(token))));
    // Connected once the server's "connected" message came.
    if (!welcomed.wait(5000))
        return nullptr;
    m_clients.push_back(std::move(socket));
    return s;
}

void tst_ConsoleFleet::showConsole()
{
    QVERIFY(m_console->window());
    QVERIFY(QTest::qWaitForWindowExposed(m_console->window()));
    m_console->window()->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(m_console->window()));
}

void tst_ConsoleFleet::attachRemote(const QUrl &url, const QString &token)
{
    auto source = std::make_unique<RemoteSource>(url, token);
    RemoteSource *remote = source.get();
    m_console = std::make_unique<ConsoleApp>(std::move(source), QString(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    showConsole();
    remote->open();
    QTRY_COMPARE_WITH_TIMEOUT(remote->link(), ConsoleSource::Link::Connected, 10000);
}

void tst_ConsoleFleet::showPage(const QString &page)
{
    bool shownPage = false;
    QVERIFY(QMetaObject::invokeMethod(m_console->window(), "showPage", Q_RETURN_ARG(bool, shownPage), Q_ARG(QString, page)));
    QVERIFY(shownPage);
}

void tst_ConsoleFleet::click(QQuickItem *target, bool onTop)
{
    QVERIFY(target);
    QTRY_VERIFY2(target->isVisible() && target->isEnabled(), qPrintable(target->objectName()));
    QQuickWindow *window = m_console->window();
    const auto centre = [target] { return target->mapToScene(QPointF(target->width() / 2, target->height() / 2)).toPoint(); };
    const auto lands = [&] {
        const QPoint at = centre();
        QQuickItem *hit = window->contentItem();
        for (QQuickItem *below = hit; below;) {
            hit = below;
            const QPointF local = below->mapFromScene(at);
            below = below->childAt(local.x(), local.y());
        }
        for (; hit; hit = hit->parentItem()) {
            if (hit == target)
                return true;
        }
        return false;
    };
    QTRY_VERIFY2(QRect(QPoint(), window->size()).contains(centre()) && (!onTop || lands()),
                 qPrintable(QStringLiteral("%1 is not under its centre %2,%3 (window %4x%5)").arg(target->objectName())
                                .arg(centre().x()).arg(centre().y()).arg(window->width()).arg(window->height())));
    QTest::mouseClick(window, Qt::LeftButton, {}, centre());
}

void tst_ConsoleFleet::sendAckedBroadcast()
{
    showPage(QStringLiteral("emit"));
    // Broadcast is the default target; an event name, "Require ack", Send.
    QQuickItem *event = item(QStringLiteral("eventName"));
    QVERIFY(event);
    event->setProperty("text", QStringLiteral("fleet.check"));
    QQuickItem *ack = item(QStringLiteral("ackCheck"));
    QVERIFY(ack);
    ack->setProperty("checked", true);
    click(item(QStringLiteral("sendButton")));
}

void tst_ConsoleFleet::remoteEmitCountsAcksOfEveryNode()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    Node a, b;
    const QStringList cluster{QStringLiteral("--redis"), redis.url(), QStringLiteral("--cluster-heartbeat"), QStringLiteral("200")};
    QVERIFY(a.start(cluster + QStringList{QStringLiteral("--node-name"), QStringLiteral("node-a")}));
    QVERIFY(b.start(cluster + QStringList{QStringLiteral("--node-name"), QStringLiteral("node-b")}));
    // Two sockets on the attached node, three on the other: the acks of all five come back.
    QVERIFY(ackingClient(a.port, QStringLiteral("a1")));
    QVERIFY(ackingClient(a.port, QStringLiteral("a2")));
    for (const char *user : {"b1", "b2", "b3"})
        QVERIFY(ackingClient(b.port, QLatin1String(user)));
    attachRemote(a.url());
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(kpi(QStringLiteral("kpiConnections")), QStringLiteral("2"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(text(QStringLiteral("clusterNodeCount")).startsWith(QLatin1String("2 of 2")), 10000);
    sendAckedBroadcast();
    if (QTest::currentTestFailed())
        return;
    // The node answers once every socket of the cluster acked: 5 of 5, never more acks than
    // sockets, and the delivered count is the cluster's.
    QTRY_COMPARE_WITH_TIMEOUT(text(QStringLiteral("acksLabel")), QStringLiteral("5 / 5"), 10000);
    QCOMPARE(text(QStringLiteral("deliveredLabel")), QStringLiteral("5"));
    QCOMPARE(text(QStringLiteral("deliveredScope")), QStringLiteral("sockets, all nodes"));
    QCOMPARE(text(QStringLiteral("acksState")), QStringLiteral("all acknowledged"));
    auto *acks = item(QStringLiteral("acksList"))->property("model").value<AcksModel *>();
    QVERIFY(acks);
    QCOMPARE(acks->count(), 5);
    QStringList users;
    for (int row = 0; row < acks->count(); ++row) {
        users << acks->data(acks->index(row), AcksModel::UserIdRole).toString();
        // Pushed by the node as they came (an ack read from the emit's answer has no latency, -1).
        QVERIFY2(acks->data(acks->index(row), AcksModel::LatencyRole).toLongLong() >= 0, qPrintable(users.last()));
    }
    users.sort();
    QCOMPARE(users, (QStringList{"a1", "a2", "b1", "b2", "b3"}));
}

void tst_ConsoleFleet::localEmitCountsAcksOfEveryNode()
{
    // The embedded server is node A of a cluster; node B's clients ack too. Acks used to be
    // counted against node A's sockets alone ("Acks 4 / 1").
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
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
    QVERIFY(ackingClient(a.port(), QStringLiteral("a1"), kSecret));
    for (const char *user : {"b1", "b2", "b3"})
        QVERIFY(ackingClient(b.port(), QLatin1String(user), kSecret));
    m_console = std::make_unique<ConsoleApp>(a.server(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    showConsole();
    QTRY_VERIFY_WITH_TIMEOUT(text(QStringLiteral("clusterNodeCount")).startsWith(QLatin1String("2 of 2")), 10000);
    sendAckedBroadcast();
    if (QTest::currentTestFailed())
        return;
    // Until the nodes have reported, the acks are only counted; then set against all sockets.
    QTRY_COMPARE_WITH_TIMEOUT(text(QStringLiteral("acksLabel")), QStringLiteral("4 / 4"), 10000);
    QCOMPARE(text(QStringLiteral("deliveredLabel")), QStringLiteral("4"));
    QCOMPARE(text(QStringLiteral("deliveredScope")), QStringLiteral("sockets, all nodes"));
    QCOMPARE(text(QStringLiteral("acksState")), QStringLiteral("all acknowledged"));
    m_console.reset(); // before the servers it shows
    m_clients.clear();
}

void tst_ConsoleFleet::backToTheEmbeddedServer()
{
    // The console's own server with one client; a remote node with two.
    TestServer local;
    QVERIFY(local.start());
    QVERIFY(ackingClient(local.port(), QStringLiteral("here"), kSecret));
    Node remote;
    QVERIFY(remote.start({}));
    QVERIFY(ackingClient(remote.port, QStringLiteral("there1")));
    QVERIFY(ackingClient(remote.port, QStringLiteral("there2")));

    m_console = std::make_unique<ConsoleApp>(local.server(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    showConsole();
    QVERIFY(!shown(QStringLiteral("backToLocal")));
    QTRY_COMPARE(kpi(QStringLiteral("kpiConnections")), QStringLiteral("1"));

    // Connect to server…: the dialog attaches to the remote node.
    click(item(QStringLiteral("connectToServer")));
    QQuickWindow *before = m_console->window();
    QQuickItem *url = item(QStringLiteral("connectUrl"));
    QQuickItem *token = item(QStringLiteral("connectToken"));
    QVERIFY(url && token);
    url->setProperty("text", remote.url().toString());
    token->setProperty("text", QLatin1String(kNodeAdminToken));
    click(item(QStringLiteral("connectButton")), false);
    QTRY_VERIFY(m_console->window() && m_console->window() != before);
    showConsole();
    QTRY_COMPARE_WITH_TIMEOUT(text(QStringLiteral("railServerState")), QStringLiteral("Remote: connected"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(kpi(QStringLiteral("kpiConnections")), QStringLiteral("2"), 5000);
    showPage(QStringLiteral("connections"));
    auto *remoteRows = item(QStringLiteral("connectionsPage"))->property("model").value<ConnectionsModel *>();
    QTRY_COMPARE_WITH_TIMEOUT(remoteRows->count(), 2, 5000);

    // Back to the embedded server: the engine is rebuilt around it, nothing remote stays.
    QVERIFY(shown(QStringLiteral("backToLocal")));
    QQuickWindow *remoteWindow = m_console->window();
    click(item(QStringLiteral("backToLocal")));
    QTRY_VERIFY(m_console->window() && m_console->window() != remoteWindow);
    showConsole();
    QCOMPARE(text(QStringLiteral("railServerState")), QStringLiteral("Server running"));
    QVERIFY(!shown(QStringLiteral("backToLocal")));
    QVERIFY(!shown(QStringLiteral("linkStatePill")));
    QTRY_COMPARE(kpi(QStringLiteral("kpiConnections")), QStringLiteral("1"));
    showPage(QStringLiteral("connections"));
    auto *localRows = item(QStringLiteral("connectionsPage"))->property("model").value<ConnectionsModel *>();
    QVERIFY(localRows != remoteRows);
    QTRY_COMPARE(localRows->count(), 1);
    QCOMPARE(localRows->data(localRows->index(0, ConnectionsModel::UserColumn)).toString(), QStringLiteral("here"));
    m_console.reset();
}

void tst_ConsoleFleet::roomsAndConnectionsOfAllNodes()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    Node a, b;
    const QStringList cluster{QStringLiteral("--redis"), redis.url(), QStringLiteral("--cluster-heartbeat"), QStringLiteral("200")};
    QVERIFY(a.start(cluster + QStringList{QStringLiteral("--node-name"), QStringLiteral("node-a")}));
    QVERIFY(b.start(cluster + QStringList{QStringLiteral("--node-name"), QStringLiteral("node-b")}));
    QVERIFY(ackingClient(a.port, QStringLiteral("ann"), kNodeJwtSecret, QStringLiteral("team:a")));
    QVERIFY(ackingClient(b.port, QStringLiteral("bob"), kNodeJwtSecret, QStringLiteral("team:b")));
    attachRemote(a.url());
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(text(QStringLiteral("clusterNodeCount")).startsWith(QLatin1String("2 of 2")), 10000);

    showPage(QStringLiteral("rooms"));
    auto *rooms = item(QStringLiteral("roomsPage"))->property("model").value<RoomsModel *>();
    QVERIFY(rooms);
    // The attached node's own rooms first (no node query).
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowOf(QStringLiteral("team:a")) >= 0, 5000);
    QVERIFY(rooms->rowOf(QStringLiteral("team:b")) < 0);
    QVERIFY(shown(QStringLiteral("roomsNodeFilter_node-b")));
    click(item(QStringLiteral("roomsNodeFilter_all")));
    QCOMPARE(rooms->node(), QStringLiteral("*"));
    // The node lists every node's rooms: rows of both, each with its node.
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowOf(QStringLiteral("team:b")) >= 0, 5000);
    QVERIFY2(rooms->nodeProblem().isEmpty(), qPrintable(rooms->nodeProblem()));
    {
        const int row = rooms->rowOf(QStringLiteral("team:b"));
        QCOMPARE(rooms->data(rooms->index(row), RoomsModel::NodeRole).toString(), QStringLiteral("node-b"));
        QCOMPARE(rooms->data(rooms->index(rooms->rowOf(QStringLiteral("team:a"))), RoomsModel::NodeRole).toString(),
                 QStringLiteral("node-a"));
        QTRY_VERIFY_WITH_TIMEOUT(shown(QStringLiteral("room_node-b_team:b")), 5000); // the row's delegate follows the model
    }

    // The same on Connections: "All nodes" lists both nodes' clients, with their node.
    showPage(QStringLiteral("connections"));
    auto *connections = item(QStringLiteral("connectionsPage"))->property("model").value<ConnectionsModel *>();
    QTRY_COMPARE_WITH_TIMEOUT(connections->count(), 1, 5000);
    click(item(QStringLiteral("nodeFilter_all")));
    QCOMPARE(connections->node(), QStringLiteral("*"));
    QTRY_COMPARE_WITH_TIMEOUT(connections->count(), 2, 5000);
    QVERIFY2(connections->nodeProblem().isEmpty(), qPrintable(connections->nodeProblem()));
    {
        QStringList nodes;
        for (int row = 0; row < connections->count(); ++row)
            nodes << connections->data(connections->index(row, ConnectionsModel::NodeColumn)).toString();
        nodes.sort();
        QCOMPARE(nodes, (QStringList{"node-a", "node-b"}));
    }
    // Back to the attached node's own.
    click(item(QStringLiteral("nodeFilter_node-a")));
    QCOMPARE(connections->node(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(connections->count(), 1, 5000);
    QCOMPARE(connections->data(connections->index(0, ConnectionsModel::NodeColumn)).toString(), QStringLiteral("node-a"));
    // A cluster node's connection ids start at a per-node base above 2^31: selecting the row
    // keeps the whole id (an int in QML cut it, and an action would have gone to another id).
    const qint64 id = connections->idAt(0);
    QVERIFY2(id > std::numeric_limits<int>::max(), qPrintable(QString::number(id)));
    QQuickItem *view = item(QStringLiteral("connectionTableView"));
    QVERIFY(view);
    QQuickItem *cell = nullptr;
    QTRY_VERIFY(QMetaObject::invokeMethod(view, "itemAtCell", Q_RETURN_ARG(QQuickItem *, cell),
                                          Q_ARG(QPoint, QPoint(ConnectionsModel::UserColumn, 0)))
                && cell);
    click(cell);
    // (toDouble: QVariant's double-to-integer conversion rounds with +0.5, which is off by
    // one for odd ids above 2^52.)
    QTRY_COMPARE(qint64(item(QStringLiteral("connectionsPage"))->property("selectedId").toDouble()), id);
}

void tst_ConsoleFleet::drainAndUndrainFromTheOverview()
{
    Node node;
    QVERIFY(node.start({}));
    QWebSocket *client = ackingClient(node.port, QStringLiteral("leaving"));
    QVERIFY(client);
    QSignalSpy closed(client, &QWebSocket::disconnected);
    attachRemote(node.url());
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!shown(QStringLiteral("drainingPill")));
    QCOMPARE(text(QStringLiteral("drainButton")), QStringLiteral("Drain"));
    click(item(QStringLiteral("drainButton")));
    // The node drains: the summary says so, and its client is closed with 1001.
    QTRY_VERIFY_WITH_TIMEOUT(shown(QStringLiteral("drainingPill")), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 10000);
    QCOMPARE(int(client->closeCode()), 1001);
    QCOMPARE(text(QStringLiteral("drainButton")), QStringLiteral("Undrain"));
    click(item(QStringLiteral("drainButton")));
    // A node with POST /api/admin/undrain accepts sessions again; one without says so.
    QTRY_VERIFY_WITH_TIMEOUT(!shown(QStringLiteral("drainingPill"))
                                 || text(QStringLiteral("nodeActionMessage")).contains(QLatin1String("/api/admin/undrain")),
                             5000);
    if (!shown(QStringLiteral("drainingPill")))
        QVERIFY(ackingClient(node.port, QStringLiteral("back")));
}

void tst_ConsoleFleet::nodeActionsFollowTheRole()
{
    // Admin tokens signed with the node's admin secret, minted by the real CLI.
    const QString secret = QStringLiteral("fleet-console-admin-secret");
    const auto mint = [&](const QString &role) {
        QProcess cli;
        cli.start(QStringLiteral(SWITCHBOARD_BINARY), {QStringLiteral("admin-token"), QStringLiteral("--role"), role,
                                                      QStringLiteral("--name"), role + QStringLiteral("-olga"),
                                                      QStringLiteral("--admin-secret"), secret});
        return cli.waitForFinished(10000) && cli.exitCode() == 0 ? QString::fromLatin1(cli.readAllStandardOutput().trimmed()) : QString();
    };
    const QString viewer = mint(QStringLiteral("viewer"));
    const QString admin = mint(QStringLiteral("admin"));
    QVERIFY(!viewer.isEmpty() && !admin.isEmpty());
    Node node;
    QVERIFY(node.start({QStringLiteral("--admin-secret"), secret}));

    // A viewer: Drain and Mint are disabled, and say which role they need.
    attachRemote(node.url(), viewer);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(shown(QStringLiteral("drainButton")));
    QVERIFY(!item(QStringLiteral("drainButton"))->isEnabled());
    QVERIFY(!item(QStringLiteral("mintTokenOpen"))->isEnabled());
    QTRY_COMPARE(item(QStringLiteral("mintTokenOpen"))->parentItem()->property("reason").toString(),
                 QStringLiteral("Needs the admin role; you are viewer."));
    m_console.reset();

    // An admin mints a token in the dialog: the node's answer shows once, or, for a node
    // without POST /api/admin/tokens, the dialog says so.
    attachRemote(node.url(), admin);
    if (QTest::currentTestFailed())
        return;
    click(item(QStringLiteral("mintTokenOpen")));
    QQuickItem *name = item(QStringLiteral("tokenName"));
    QVERIFY(name);
    QTRY_VERIFY(name->isVisible());
    name->setProperty("text", QStringLiteral("ci-bot"));
    click(item(QStringLiteral("mintTokenButton")), false);
    QTRY_VERIFY_WITH_TIMEOUT(shown(QStringLiteral("mintedToken")) || text(QStringLiteral("tokenMessage")).contains(QLatin1String("/api/admin/tokens")),
                             5000);
    if (shown(QStringLiteral("mintedToken"))) {
        // The token works: a console attached with it is connected as viewer (the default role).
        QVERIFY(text(QStringLiteral("mintedToken")).count(QLatin1Char('.')) == 2);
    }
}

QTEST_MAIN(tst_ConsoleFleet)
#include "tst_consolefleet.moc"
