#pragma once

#include <memory>

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QVariantList>
#include <QtGui/QColor>
#include <QtQml/qqmlregistration.h>

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
QT_END_NAMESPACE

namespace Switchboard {

class ConsoleSource;
class Server;
class SourceRef;

/**
 * @brief Live status and headline figures of the node the console shows, for QML.
 *
 * Read from the ConsoleSource four times a second (for the embedded server: lock-protected
 * counters and the per-second metrics sample, never the network threads); one change signal
 * per poll keeps bindings cheap. Also says where the console is attached (remote, link
 * state, stale data, role) and which actions the role allows.
 */
class ServerStatus final : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString url READ url NOTIFY changed)
    Q_PROPERTY(QString wsUrl READ wsUrl NOTIFY changed)
    Q_PROPERTY(bool running READ running NOTIFY changed)
    Q_PROPERTY(int threads READ threads NOTIFY changed)
    Q_PROPERTY(qint64 uptime READ uptime NOTIFY changed)
    Q_PROPERTY(int connections READ connections NOTIFY changed)
    Q_PROPERTY(int users READ users NOTIFY changed)
    Q_PROPERTY(int rooms READ rooms NOTIFY changed)
    Q_PROPERTY(double eventsInPerSec READ eventsInPerSec NOTIFY changed)
    Q_PROPERTY(double eventsOutPerSec READ eventsOutPerSec NOTIFY changed)
    Q_PROPERTY(qint64 queueDepth READ queueDepth NOTIFY changed)
    Q_PROPERTY(double errorsPerSec READ errorsPerSec NOTIFY changed)
    Q_PROPERTY(double p50Ms READ p50Ms NOTIFY changed)
    Q_PROPERTY(double p99Ms READ p99Ms NOTIFY changed)
    Q_PROPERTY(qint64 totalConnections READ totalConnections NOTIFY changed)
    Q_PROPERTY(qint64 authFailures READ authFailures NOTIFY changed)
    Q_PROPERTY(qint64 rateLimited READ rateLimited NOTIFY changed)
    Q_PROPERTY(qint64 errorsTotal READ errorsTotal NOTIFY changed)
    Q_PROPERTY(int maxConnections READ maxConnections CONSTANT)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // Cluster mode (docs/cluster.md): this node, the nodes it sees, and why it is degraded.
    Q_PROPERTY(bool clustered READ clustered NOTIFY changed)
    Q_PROPERTY(QString nodeName READ nodeName NOTIFY changed)
    Q_PROPERTY(QString redisAddress READ redisAddress NOTIFY changed)
    Q_PROPERTY(QString degradedReason READ degradedReason NOTIFY changed)
    Q_PROPERTY(QVariantList clusterNodes READ clusterNodes NOTIFY clusterChanged)
    Q_PROPERTY(int clusterNodesUp READ clusterNodesUp NOTIFY clusterChanged)
    // Where the console is attached (docs/console.md, "Remote nodes").
    Q_PROPERTY(bool remote READ remote CONSTANT)
    Q_PROPERTY(QString link READ link NOTIFY linkChanged)
    Q_PROPERTY(QString linkError READ linkError NOTIFY linkChanged)
    Q_PROPERTY(bool stale READ stale NOTIFY linkChanged)
    Q_PROPERTY(QString role READ role NOTIFY linkChanged)
    Q_PROPERTY(bool readOnly READ readOnly NOTIFY linkChanged)
    // Changes whenever what the role allows may have (link, role, read-only): a binding that
    // calls allows() or deniedReason() reads it, so that it is evaluated again (a bare read
    // as a statement is compiled away and would not make the binding depend on anything).
    Q_PROPERTY(int permissions READ permissions NOTIFY linkChanged)
    Q_PROPERTY(QString displayName READ displayName NOTIFY linkChanged)
    Q_PROPERTY(bool canStartStop READ canStartStop CONSTANT)
    // The node is draining (POST /api/admin/drain): no new sessions, the open ones closing.
    Q_PROPERTY(bool draining READ draining NOTIFY changed)
    // Attached to a remote node from a console that has an embedded server: it can go back.
    Q_PROPERTY(bool canReturnToLocal READ canReturnToLocal CONSTANT)
    // The connection profile the console was attached through (empty without one).
    Q_PROPERTY(QString profileName READ profileName CONSTANT)
    Q_PROPERTY(QColor profileColour READ profileColour CONSTANT)
    Q_PROPERTY(bool production READ production CONSTANT)

public:
    explicit ServerStatus(Server &server, QObject *parent = nullptr);
    explicit ServerStatus(ConsoleSource *source, QObject *parent = nullptr);
    ~ServerStatus() override;
    static ServerStatus *create(QQmlEngine *, QJSEngine *);

    QString url() const;
    QString wsUrl() const;
    bool running() const;
    int threads() const;
    qint64 uptime() const;
    int connections() const { return m_connections; }
    int users() const { return m_users; }
    int rooms() const { return m_rooms; }
    double eventsInPerSec() const { return m_inPerSec; }
    double eventsOutPerSec() const { return m_outPerSec; }
    qint64 queueDepth() const { return m_queueDepth; }
    double errorsPerSec() const { return m_errorsPerSec; }
    double p50Ms() const { return m_p50; }
    double p99Ms() const { return m_p99; }
    qint64 totalConnections() const { return m_totalConnections; }
    qint64 authFailures() const { return m_authFailures; }
    qint64 rateLimited() const { return m_rateLimited; }
    qint64 errorsTotal() const { return m_errorsTotal; }
    int maxConnections() const;
    QString lastError() const { return m_lastError; }
    bool clustered() const;
    QString nodeName() const;
    QString redisAddress() const { return m_redisAddress; }
    QString degradedReason() const { return m_degradedReason; }
    QVariantList clusterNodes() const { return m_clusterNodes; }
    int clusterNodesUp() const { return m_clusterNodesUp; }
    bool remote() const;
    /// "local", "connecting", "connected", "reconnecting" or "refused".
    QString link() const;
    QString linkError() const;
    bool stale() const;
    QString role() const;
    bool readOnly() const;
    int permissions() const { return m_permissions; }
    QString displayName() const;
    bool canStartStop() const;
    bool canReturnToLocal() const;
    bool draining() const;
    QString profileName() const { return m_profileName; }
    QColor profileColour() const { return m_profileColour; }
    bool production() const { return m_production; }

    /// Whether the console's role allows @p action ("disconnect", "emit", ...).
    Q_INVOKABLE bool allows(const QString &action) const;
    /// Why @p action is not allowed (for a disabled button's tooltip), empty when it is.
    Q_INVOKABLE QString deniedReason(const QString &action) const;

    /// Starts the embedded server again after stop(); false (and lastError) when it cannot bind.
    Q_INVOKABLE bool start();
    /// Closes every client with 1001 and stops listening.
    Q_INVOKABLE void stop();
    Q_INVOKABLE void refresh();
    /// Leaves the remote node and shows the embedded server again (the engine is rebuilt).
    Q_INVOKABLE void returnToLocal();

Q_SIGNALS:
    void changed();
    void lastErrorChanged();
    void clusterChanged();
    void linkChanged();

private:
    std::unique_ptr<SourceRef> m_source;
    QString m_profileName;
    QColor m_profileColour;
    bool m_production = false;
    QTimer m_timer;
    int m_connections = 0;
    int m_users = 0;
    int m_rooms = 0;
    double m_inPerSec = 0;
    double m_outPerSec = 0;
    qint64 m_queueDepth = 0;
    double m_errorsPerSec = 0;
    double m_p50 = 0;
    double m_p99 = 0;
    qint64 m_totalConnections = 0;
    qint64 m_authFailures = 0;
    qint64 m_rateLimited = 0;
    qint64 m_errorsTotal = 0;
    QString m_lastError;
    QString m_degradedReason;
    QString m_redisAddress;
    QVariantList m_clusterNodes;
    int m_clusterNodesUp = 0;
    int m_ticks = 0;
    int m_permissions = 0;
};

} // namespace Switchboard
