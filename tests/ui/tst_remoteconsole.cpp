// The console attached to a remote node, as `switchboard --connect URL --admin-token T` does
// it: a real headless switchboard process with real QWebSocket clients, and the real console
// (ConsoleApp around a RemoteSource) in this process, driven by objectName. Needs the admin
// channel on the node (issue 17); registered in CMake once that has landed.
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QTcpServer>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include "auth/jwt.h"
#include "connectionsmodel.h"
#include "consoleapp.h"
#include "quicktestsupport.h"
#include "source/remotesource.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

constexpr auto kAdminToken = "remote-console-admin-token";
constexpr auto kJwtSecret = "remote-console-jwt-secret";

} // namespace

class tst_RemoteConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void overviewAndConnectionsShowTheRemoteNode();
    void disconnectFromTheGuiClosesTheRemoteClient();
    void nodeGoingDownAndComingBack();

private:
    void startNode();
    void stopNode();
    QWebSocket *connectClient(const QString &user);
    void attachConsole();
    QQuickItem *item(const QString &name) const { return findItem(m_console->window()->contentItem(), name); }
    void click(QQuickItem *target);

    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_node;
    std::vector<std::unique_ptr<QWebSocket>> m_clients;
    std::unique_ptr<ConsoleApp> m_console;
    RemoteSource *m_source = nullptr;
};

void tst_RemoteConsole::init()
{
    m_port = freePort();
    QVERIFY(m_port != 0);
    startNode();
}

void tst_RemoteConsole::cleanup()
{
    m_console.reset();
    m_clients.clear();
    stopNode();
}

void tst_RemoteConsole::startNode()
{
    m_node = std::make_unique<QProcess>();
    m_node->setProcessChannelMode(QProcess::ForwardedOutputChannel);
    m_node->start(QStringLiteral(SWITCHBOARD_BINARY),
                  {QStringLiteral("--headless"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                   QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--admin-token"),
                   QLatin1String(kAdminToken), QStringLiteral("--jwt-secret"), QLatin1String(kJwtSecret)});
    QVERIFY(m_node->waitForStarted());
    // Listening once /health answers over a plain socket.
    QTRY_VERIFY_WITH_TIMEOUT([this] {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        return probe.waitForConnected(200);
    }(), 15000);
}

void tst_RemoteConsole::stopNode()
{
    if (m_node && m_node->state() != QProcess::NotRunning) {
        m_node->kill();
        m_node->waitForFinished(5000);
    }
}

QWebSocket *tst_RemoteConsole::connectClient(const QString &user)
{
    auto socket = std::make_unique<QWebSocket>();
    QSignalSpy connected(socket.get(), &QWebSocket::connected);
    const QByteArray token = Jwt::mint(user, QStringLiteral("user"), {}, 3600, QByteArray(kJwtSecret));
    socket->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(m_port).arg(QString::fromLatin1(token))));
    if (!connected.wait(5000))
        return nullptr;
    m_clients.push_back(std::move(socket));
    return m_clients.back().get();
}

void tst_RemoteConsole::attachConsole()
{
    auto source = std::make_unique<RemoteSource>(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)),
                                                 QLatin1String(kAdminToken));
    m_source = source.get();
    m_console = std::make_unique<ConsoleApp>(std::move(source), QString(), QStringLiteral("en"));
    QString error;
    QVERIFY2(m_console->load(&error), qPrintable(error));
    // Clicks reach only an exposed, active window (as in tst_console).
    QVERIFY(m_console->window());
    QVERIFY(QTest::qWaitForWindowExposed(m_console->window()));
    m_console->window()->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(m_console->window()));
    m_source->open();
    QTRY_COMPARE_WITH_TIMEOUT(m_source->link(), ConsoleSource::Link::Connected, 10000);
    QCOMPARE(item(QStringLiteral("linkStatePill"))->property("text").toString(), QStringLiteral("connected as admin"));
}

void tst_RemoteConsole::click(QQuickItem *target)
{
    QVERIFY(target);
    QTRY_VERIFY(target->isVisible() && target->isEnabled());
    QQuickWindow *window = m_console->window();
    // The centre of the target as laid out now, and whether a click there lands on it (the
    // topmost item under the point is the target or inside it): panes lay themselves out again
    // as the node's answers arrive.
    const auto centre = [target] {
        return target->mapToScene(QPointF(target->width() / 2, target->height() / 2)).toPoint();
    };
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
    QTRY_VERIFY2(QRect(QPoint(), window->size()).contains(centre()) && lands(),
                 qPrintable(QStringLiteral("%1 is not under its centre %2,%3")
                                .arg(target->objectName()).arg(centre().x()).arg(centre().y())));
    QTest::mouseClick(window, Qt::LeftButton, {}, centre());
}

void tst_RemoteConsole::overviewAndConnectionsShowTheRemoteNode()
{
    for (const char *user : {"alice", "bob", "carol"})
        QVERIFY(connectClient(QLatin1String(user)));
    attachConsole();
    if (QTest::currentTestFailed())
        return;
    // The Overview's figures come from the node's summary.
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("kpiConnections"))->property("value").toString(), QStringLiteral("3"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("kpiUsers"))->property("value").toString(), QStringLiteral("3"), 5000);
    // The Connections page's rows come from the node's paged connections stream.
    bool shown = false;
    QVERIFY(QMetaObject::invokeMethod(m_console->window(), "showPage", Q_RETURN_ARG(bool, shown),
                                      Q_ARG(QString, QStringLiteral("connections"))));
    auto *model = item(QStringLiteral("connectionsPage"))->property("model").value<ConnectionsModel *>();
    QVERIFY(model);
    QTRY_COMPARE_WITH_TIMEOUT(model->count(), 3, 5000);
    QStringList users;
    for (int row = 0; row < model->count(); ++row)
        users << model->data(model->index(row, ConnectionsModel::UserColumn)).toString();
    users.sort();
    QCOMPARE(users, (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")}));
    // A client leaving the node leaves the table.
    m_clients.front()->close();
    QTRY_COMPARE_WITH_TIMEOUT(model->count(), 2, 5000);
}

void tst_RemoteConsole::disconnectFromTheGuiClosesTheRemoteClient()
{
    QWebSocket *victim = connectClient(QStringLiteral("victim"));
    QVERIFY(victim);
    QSignalSpy closed(victim, &QWebSocket::disconnected);
    attachConsole();
    if (QTest::currentTestFailed())
        return;
    bool shown = false;
    QVERIFY(QMetaObject::invokeMethod(m_console->window(), "showPage", Q_RETURN_ARG(bool, shown),
                                      Q_ARG(QString, QStringLiteral("connections"))));
    QQuickItem *page = item(QStringLiteral("connectionsPage"));
    auto *model = page->property("model").value<ConnectionsModel *>();
    QTRY_COMPARE_WITH_TIMEOUT(model->count(), 1, 5000);
    // Select the row with a click, as an operator would: the details pane opens for it.
    QQuickItem *view = item(QStringLiteral("connectionTableView"));
    QVERIFY(view);
    QQuickItem *cell = nullptr;
    QTRY_VERIFY(QMetaObject::invokeMethod(view, "itemAtCell", Q_RETURN_ARG(QQuickItem *, cell),
                                          Q_ARG(QPoint, QPoint(ConnectionsModel::UserColumn, 0)))
                && cell);
    click(cell);
    QTRY_COMPARE(page->property("selectedId").toULongLong(), quint64(model->idAt(0)));
    // The pane shows the node's answer for that connection before the operator acts on it
    // (as in tst_console: the pane lays itself out again when the details arrive).
    QTRY_COMPARE(item(QStringLiteral("detailsUserValue"))->property("text").toString(), QStringLiteral("victim"));
    QTRY_COMPARE(item(QStringLiteral("detailsState"))->property("text").toString(), QStringLiteral("connected"));
    QQuickItem *code = item(QStringLiteral("disconnectCode"));
    QVERIFY(code);
    code->setProperty("text", QStringLiteral("4321"));
    click(item(QStringLiteral("disconnectButton")));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
    QCOMPARE(int(victim->closeCode()), 4321);
}

void tst_RemoteConsole::nodeGoingDownAndComingBack()
{
    QVERIFY(connectClient(QStringLiteral("alice")));
    attachConsole();
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("kpiConnections"))->property("value").toString(), QStringLiteral("1"), 5000);
    stopNode();
    // Down: the rail and the banner say so, and the figures shown are flagged stale.
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("railServerState"))->property("text").toString(),
                              QStringLiteral("Remote: reconnecting…"), 5000);
    QVERIFY(item(QStringLiteral("staleLabel"))->isVisible());
    QCOMPARE(item(QStringLiteral("kpiConnections"))->property("value").toString(), QStringLiteral("1"));
    // Back on the same port: the console reattaches by itself and shows the new node.
    m_clients.clear();
    startNode();
    QVERIFY(connectClient(QStringLiteral("bob")));
    QVERIFY(connectClient(QStringLiteral("carol")));
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("railServerState"))->property("text").toString(),
                              QStringLiteral("Remote: connected"), 20000);
    QVERIFY(!item(QStringLiteral("staleLabel"))->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("kpiConnections"))->property("value").toString(), QStringLiteral("2"), 5000);
}

QTEST_MAIN(tst_RemoteConsole)
#include "tst_remoteconsole.moc"
