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
    auto *settings = new ConsoleSettings(ConsoleContext::source());
    QJSEngine::setObjectOwnership(settings, QJSEngine::JavaScriptOwnership);
    return settings;
}

ConsoleSettings::ConsoleSettings(Server *server, QObject *parent) : QObject(parent), m_source(server)
{
    init();
}

ConsoleSettings::ConsoleSettings(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
    init();
}

void ConsoleSettings::init()
{
    g_instance = this;
    m_dark = QSettings().value(kThemeKey, true).toBool();
    if (m_source) {
        // Started or stopped (local), attached or reattached (remote).
        connect(m_source.get(), &ConsoleSource::linkChanged, this, &ConsoleSettings::serverChanged);
        connect(m_source.get(), &ConsoleSource::roleChanged, this, &ConsoleSettings::serverChanged);
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

QString ConsoleSettings::host() const { return m_source ? m_source->settings().host : QString(); }
int ConsoleSettings::port() const { return m_source ? m_source->settings().port : 0; }
QString ConsoleSettings::url() const { return m_source ? m_source->settings().url : QString(); }
QString ConsoleSettings::wsUrl() const { return m_source ? m_source->settings().wsUrl : QString(); }
QString ConsoleSettings::dataDir() const { return m_source ? m_source->settings().dataDir : QString(); }
int ConsoleSettings::threads() const { return m_source ? m_source->settings().threads : 0; }
int ConsoleSettings::maxConnections() const { return m_source ? m_source->settings().maxConnections : 0; }
int ConsoleSettings::heartbeatInterval() const { return m_source ? m_source->settings().heartbeatInterval : 0; }
int ConsoleSettings::heartbeatTimeout() const { return m_source ? m_source->settings().heartbeatTimeout : 0; }
qint64 ConsoleSettings::maxMessageSize() const { return m_source ? m_source->settings().maxMessageSize : 0; }
double ConsoleSettings::rateLimit() const { return m_source ? m_source->settings().rateLimit : 0; }
double ConsoleSettings::rateBurst() const { return m_source ? m_source->settings().rateBurst : 0; }
qint64 ConsoleSettings::maxPendingBytes() const { return m_source ? m_source->settings().maxPendingBytes : 0; }
QString ConsoleSettings::redisUrl() const { return m_source ? m_source->settings().redisUrl : QString(); }
QString ConsoleSettings::jwtSecret() const { return m_source ? m_source->settings().jwtSecret : QString(); }
QString ConsoleSettings::internalKey() const { return m_source ? m_source->settings().internalKey : QString(); }
QString ConsoleSettings::adminToken() const { return m_source ? m_source->settings().adminToken : QString(); }
QString ConsoleSettings::version() const { return QStringLiteral(SWITCHBOARD_VERSION); }

QString ConsoleSettings::mintToken(const QString &userId, const QString &role, const QString &rooms,
                                   int ttlSeconds) const
{
    // Only the embedded server's secret is at hand; a remote node's never leaves it.
    if (!m_source || userId.trimmed().isEmpty() || m_source->settings().jwtSecret.isEmpty())
        return {};
    QStringList roomList;
    for (const QString &room : rooms.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!room.trimmed().isEmpty())
            roomList.append(room.trimmed());
    }
    return QString::fromLatin1(Jwt::mint(userId.trimmed(), role.trimmed(), roomList,
                                         qMax(60, ttlSeconds), m_source->settings().jwtSecret.toUtf8()));
}

QString ConsoleSettings::connectUrl(const QString &token) const
{
    if (!m_source || token.isEmpty())
        return {};
    return m_source->settings().wsUrl + QStringLiteral("?token=") + token;
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
