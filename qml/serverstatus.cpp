#include "serverstatus.h"

#include <QtQml/QQmlEngine>

#include "server.h"

namespace Switchboard {

namespace {
Server *g_server = nullptr;
}

void ServerStatus::setServer(Server *server)
{
    g_server = server;
}

ServerStatus *ServerStatus::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT_X(g_server, "ServerStatus", "ConsoleApp must set the server before QML loads");
    auto *status = new ServerStatus(*g_server);
    QJSEngine::setObjectOwnership(status, QJSEngine::JavaScriptOwnership);
    return status;
}

ServerStatus::ServerStatus(Server &server) : m_server(server)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ServerStatus::refresh);
    m_timer.start();
    refresh();
}

void ServerStatus::refresh()
{
    m_connections = m_server.registry().connectionCount();
    m_users = m_server.registry().userCount();
    m_rooms = m_server.registry().roomCount();
    Q_EMIT changed();
}

QString ServerStatus::url() const { return m_server.url(); }
QString ServerStatus::wsUrl() const { return m_server.wsUrl(); }
bool ServerStatus::running() const { return m_server.isRunning(); }
int ServerStatus::threads() const { return m_server.threadCount(); }
qint64 ServerStatus::uptime() const { return m_server.uptimeSeconds(); }

} // namespace Switchboard
