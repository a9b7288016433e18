#include "consolesettings.h"

#include <QtCore/QPointer>
#include <QtCore/QSettings>
#include <QtCore/QUrlQuery>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlEngine>

#include "auth/jwt.h"
#include "connectionsmodel.h"
#include "consolecontext.h"
#include "server.h"

namespace Switchboard {

namespace {
QString g_language = QStringLiteral("en");
QPointer<ConsoleSettings> g_instance;
const QString kThemeKey = QStringLiteral("console/darkTheme");
}

void ConsoleSettings::setCurrentLanguage(const QString &language)
{
    if (g_language == language)
        return;
    g_language = language;
    if (g_instance)
        Q_EMIT g_instance->languageChanged();
}

ConsoleSettings *ConsoleSettings::create(QQmlEngine *, QJSEngine *)
{
    auto *settings = new ConsoleSettings(ConsoleContext::server());
    QJSEngine::setObjectOwnership(settings, QJSEngine::JavaScriptOwnership);
    return settings;
}

ConsoleSettings::ConsoleSettings(Server *server, QObject *parent) : QObject(parent), m_server(server)
{
    g_instance = this;
    m_dark = QSettings().value(kThemeKey, true).toBool();
    if (m_server) {
        connect(m_server, &Server::started, this, &ConsoleSettings::serverChanged);
        connect(m_server, &Server::stopped, this, &ConsoleSettings::serverChanged);
    }
}

void ConsoleSettings::setDarkTheme(bool dark)
{
    if (m_dark == dark)
        return;
    m_dark = dark;
    QSettings().setValue(kThemeKey, dark);
    Q_EMIT darkThemeChanged();
}

QString ConsoleSettings::language() const
{
    return g_language;
}

void ConsoleSettings::setLanguage(const QString &language)
{
    if (language == g_language)
        return;
    // The switcher installs the translator, retranslates the engine and calls setCurrentLanguage().
    ConsoleContext::switchLanguage(language);
}

QStringList ConsoleSettings::languages() const
{
    return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr")};
}

QStringList ConsoleSettings::languageNames() const
{
    // Each language in its own name, so anyone can find theirs whatever is showing.
    return {QStringLiteral("English"), QStringLiteral("Deutsch"), QStringLiteral("Français")};
}

QString ConsoleSettings::host() const { return m_server ? m_server->config().host : QString(); }
int ConsoleSettings::port() const { return m_server ? m_server->port() : 0; }
QString ConsoleSettings::url() const { return m_server ? m_server->url() : QString(); }
QString ConsoleSettings::wsUrl() const { return m_server ? m_server->wsUrl() : QString(); }
QString ConsoleSettings::dataDir() const { return m_server ? m_server->config().dataDir : QString(); }
int ConsoleSettings::threads() const { return m_server ? m_server->config().effectiveThreads() : 0; }
int ConsoleSettings::maxConnections() const { return m_server ? m_server->config().maxConnections : 0; }
int ConsoleSettings::heartbeatInterval() const { return m_server ? m_server->config().heartbeatIntervalMs : 0; }
int ConsoleSettings::heartbeatTimeout() const { return m_server ? m_server->config().heartbeatTimeoutMs : 0; }
qint64 ConsoleSettings::maxMessageSize() const { return m_server ? m_server->config().maxMessageSize : 0; }
double ConsoleSettings::rateLimit() const { return m_server ? m_server->config().rateLimit : 0; }
double ConsoleSettings::rateBurst() const { return m_server ? m_server->config().rateBurst : 0; }
qint64 ConsoleSettings::maxPendingBytes() const { return m_server ? m_server->config().maxPendingBytes : 0; }
QString ConsoleSettings::redisUrl() const { return m_server ? m_server->config().redisUrl : QString(); }
QString ConsoleSettings::jwtSecret() const { return m_server ? m_server->config().jwtSecret : QString(); }
QString ConsoleSettings::internalKey() const { return m_server ? m_server->config().internalKey : QString(); }
QString ConsoleSettings::adminToken() const { return m_server ? m_server->config().adminToken : QString(); }
QString ConsoleSettings::version() const { return QStringLiteral(SWITCHBOARD_VERSION); }

QString ConsoleSettings::mintToken(const QString &userId, const QString &role, const QString &rooms,
                                   int ttlSeconds) const
{
    if (!m_server || userId.trimmed().isEmpty())
        return {};
    QStringList roomList;
    for (const QString &room : rooms.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!room.trimmed().isEmpty())
            roomList.append(room.trimmed());
    }
    return QString::fromLatin1(Jwt::mint(userId.trimmed(), role.trimmed(), roomList,
                                         qMax(60, ttlSeconds), m_server->jwtSecret()));
}

QString ConsoleSettings::connectUrl(const QString &token) const
{
    if (!m_server || token.isEmpty())
        return {};
    return m_server->wsUrl() + QStringLiteral("?token=") + token;
}

void ConsoleSettings::copyToClipboard(const QString &text) const
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

QString ConsoleSettings::formatBytes(qint64 bytes) const
{
    return Switchboard::formatBytes(bytes);
}

} // namespace Switchboard
