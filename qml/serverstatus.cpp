#include "serverstatus.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtQml/QQmlEngine>

#include "consolecontext.h"
#include "profiles/profilestore.h"
#include "source/sourceref.h"

namespace Switchboard {

ServerStatus *ServerStatus::create(QQmlEngine *, QJSEngine *)
{
    ConsoleSource *source = ConsoleContext::source();
    Q_ASSERT_X(source, "ServerStatus", "ConsoleApp must set the source before QML loads");
    auto *status = new ServerStatus(source);
    QJSEngine::setObjectOwnership(status, QJSEngine::JavaScriptOwnership);
    return status;
}

ServerStatus::ServerStatus(Server &server, QObject *parent)
    : QObject(parent), m_source(std::make_unique<SourceRef>(&server))
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ServerStatus::refresh);
    m_timer.start();
    refresh();
}

ServerStatus::ServerStatus(ConsoleSource *source, QObject *parent)
    : QObject(parent), m_source(std::make_unique<SourceRef>(source))
{
    if (const ConnectionProfile *profile = ConsoleContext::profile()) {
        m_profileName = profile->name;
        m_profileColour = profile->colour;
        m_production = profile->production;
    }
    // First, so that the revision has moved when the bindings read it.
    connect(this, &ServerStatus::linkChanged, this, [this] { ++m_permissions; });
    connect(source, &ConsoleSource::linkChanged, this, &ServerStatus::linkChanged);
    connect(source, &ConsoleSource::roleChanged, this, &ServerStatus::linkChanged);
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ServerStatus::refresh);
    m_timer.start();
    refresh();
}

ServerStatus::~ServerStatus() = default;

void ServerStatus::refresh()
{
    const SourceStatus s = (*m_source)->status();
    m_connections = s.connections;
    m_users = s.users;
    m_rooms = s.rooms;
    m_inPerSec = s.sample.messagesInPerSec;
    m_outPerSec = s.sample.messagesOutPerSec;
    m_queueDepth = s.sample.queueDepth;
    m_errorsPerSec = s.sample.errorsPerSec;
    m_p50 = s.sample.p50Ms;
    m_p99 = s.sample.p99Ms;
    m_totalConnections = s.totalConnections;
    m_authFailures = s.authFailures;
    m_rateLimited = s.rateLimited;
    m_errorsTotal = s.errorsTotal;
    m_degradedReason = s.degradedReason;
    // The node list changes once a second.
    if (m_ticks++ % 4 == 0) {
        m_redisAddress = s.redisAddress;
        m_clusterNodes = s.nodes.toVariantList();
        m_clusterNodesUp = 0;
        for (const QVariant &node : std::as_const(m_clusterNodes)) {
            const QVariantMap map = node.toMap();
            const QString state = map.value(QStringLiteral("state")).toString();
            // A node row of the admin channel says "up": true instead of a state.
            if (state == QLatin1String("up") || state == QLatin1String("degraded")
                || (state.isEmpty() && map.value(QStringLiteral("up")).toBool()))
                ++m_clusterNodesUp;
        }
        Q_EMIT clusterChanged();
    }
    Q_EMIT changed();
}

bool ServerStatus::start()
{
    QString error;
    const bool ok = (*m_source)->start(&error);
    if (m_lastError != error) {
        m_lastError = error;
        Q_EMIT lastErrorChanged();
    }
    refresh();
    return ok;
}

void ServerStatus::stop()
{
    (*m_source)->stop();
    refresh();
}

QString ServerStatus::url() const { return (*m_source)->status().url; }
QString ServerStatus::wsUrl() const { return (*m_source)->status().wsUrl; }
bool ServerStatus::running() const { return (*m_source)->status().running && !stale(); }
int ServerStatus::threads() const { return (*m_source)->status().threads; }
qint64 ServerStatus::uptime() const { return (*m_source)->status().uptime; }
int ServerStatus::maxConnections() const { return (*m_source)->settings().maxConnections; }
bool ServerStatus::clustered() const { return (*m_source)->status().clustered; }
QString ServerStatus::nodeName() const { return (*m_source)->status().nodeName; }
bool ServerStatus::remote() const { return (*m_source)->isRemote(); }
QString ServerStatus::linkError() const { return (*m_source)->linkError(); }
bool ServerStatus::stale() const { return (*m_source)->isStale(); }
QString ServerStatus::role() const { return (*m_source)->role(); }
bool ServerStatus::readOnly() const { return (*m_source)->isReadOnly(); }
QString ServerStatus::displayName() const { return (*m_source)->displayName(); }
bool ServerStatus::canStartStop() const { return (*m_source)->canStartStop(); }
bool ServerStatus::draining() const { return (*m_source)->status().draining; }
bool ServerStatus::canReturnToLocal() const { return (*m_source)->isRemote() && ConsoleContext::canDetach(); }

void ServerStatus::returnToLocal()
{
    if (canReturnToLocal())
        ConsoleContext::detach();
}

QString ServerStatus::link() const
{
    switch ((*m_source)->link()) {
    case ConsoleSource::Link::Local: return QStringLiteral("local");
    case ConsoleSource::Link::Connecting: return QStringLiteral("connecting");
    case ConsoleSource::Link::Connected: return QStringLiteral("connected");
    case ConsoleSource::Link::Reconnecting: return QStringLiteral("reconnecting");
    case ConsoleSource::Link::Refused: return QStringLiteral("refused");
    }
    return {};
}

bool ServerStatus::allows(const QString &action) const
{
    return (*m_source)->allows(action);
}

QString ServerStatus::deniedReason(const QString &action) const
{
    const ConsoleSource *source = m_source->get();
    if (source->allows(action))
        return {};
    if (source->isReadOnly())
        return tr("This connection profile is read-only.");
    const QString needed = source->requiredRole(action);
    if (needed == QLatin1String("unknown"))
        return tr("Not connected to the node yet.");
    return tr("Needs the %1 role; you are %2.").arg(needed, source->role().isEmpty() ? tr("not signed in") : source->role());
}

} // namespace Switchboard
