#pragma once

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
QT_END_NAMESPACE

namespace Switchboard {

class Server;

/**
 * @brief Live status of the embedded server for QML, polled from server snapshots a few
 * times a second (never from the network threads directly).
 */
class ServerStatus final : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString url READ url NOTIFY changed)
    Q_PROPERTY(QString wsUrl READ wsUrl NOTIFY changed)
    Q_PROPERTY(bool running READ running NOTIFY changed)
    Q_PROPERTY(int connections READ connections NOTIFY changed)
    Q_PROPERTY(int users READ users NOTIFY changed)
    Q_PROPERTY(int rooms READ rooms NOTIFY changed)
    Q_PROPERTY(int threads READ threads NOTIFY changed)
    Q_PROPERTY(qint64 uptime READ uptime NOTIFY changed)

public:
    static void setServer(Server *server);
    static ServerStatus *create(QQmlEngine *, QJSEngine *);

    QString url() const;
    QString wsUrl() const;
    bool running() const;
    int connections() const { return m_connections; }
    int users() const { return m_users; }
    int rooms() const { return m_rooms; }
    int threads() const;
    qint64 uptime() const;

Q_SIGNALS:
    void changed();

private:
    explicit ServerStatus(Server &server);
    void refresh();

    Server &m_server;
    QTimer m_timer;
    int m_connections = 0;
    int m_users = 0;
    int m_rooms = 0;
};

} // namespace Switchboard
