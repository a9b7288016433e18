#pragma once

#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
QT_END_NAMESPACE

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief The Settings page: the server's effective configuration (read-only here), the
 * console's own preferences (theme, language; kept in QSettings) and the dev token tool.
 */
class ConsoleSettings final : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(bool darkTheme READ darkTheme WRITE setDarkTheme NOTIFY darkThemeChanged)
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    Q_PROPERTY(QStringList languages READ languages CONSTANT)
    Q_PROPERTY(QStringList languageNames READ languageNames CONSTANT)
    Q_PROPERTY(QString host READ host CONSTANT)
    Q_PROPERTY(int port READ port NOTIFY serverChanged)
    Q_PROPERTY(QString url READ url NOTIFY serverChanged)
    Q_PROPERTY(QString wsUrl READ wsUrl NOTIFY serverChanged)
    Q_PROPERTY(QString dataDir READ dataDir CONSTANT)
    Q_PROPERTY(int threads READ threads CONSTANT)
    Q_PROPERTY(int maxConnections READ maxConnections CONSTANT)
    Q_PROPERTY(int heartbeatInterval READ heartbeatInterval CONSTANT)
    Q_PROPERTY(int heartbeatTimeout READ heartbeatTimeout CONSTANT)
    Q_PROPERTY(qint64 maxMessageSize READ maxMessageSize CONSTANT)
    Q_PROPERTY(double rateLimit READ rateLimit CONSTANT)
    Q_PROPERTY(double rateBurst READ rateBurst CONSTANT)
    Q_PROPERTY(qint64 maxPendingBytes READ maxPendingBytes CONSTANT)
    Q_PROPERTY(QString redisUrl READ redisUrl CONSTANT)
    Q_PROPERTY(QString jwtSecret READ jwtSecret CONSTANT)
    Q_PROPERTY(QString internalKey READ internalKey CONSTANT)
    Q_PROPERTY(QString adminToken READ adminToken CONSTANT)
    Q_PROPERTY(QString version READ version CONSTANT)

public:
    explicit ConsoleSettings(Server *server, QObject *parent = nullptr);
    explicit ConsoleSettings(ConsoleSource *source, QObject *parent = nullptr);
    static ConsoleSettings *create(QQmlEngine *, QJSEngine *);

    bool darkTheme() const { return m_dark; }
    void setDarkTheme(bool dark);
    QString language() const;
    void setLanguage(const QString &language);
    QStringList languages() const;
    QStringList languageNames() const;

    QString host() const;
    int port() const;
    QString url() const;
    QString wsUrl() const;
    QString dataDir() const;
    int threads() const;
    int maxConnections() const;
    int heartbeatInterval() const;
    int heartbeatTimeout() const;
    qint64 maxMessageSize() const;
    double rateLimit() const;
    double rateBurst() const;
    qint64 maxPendingBytes() const;
    QString redisUrl() const;
    QString jwtSecret() const;
    QString internalKey() const;
    QString adminToken() const;
    QString version() const;

    /// A dev JWT signed with the server's secret; @p rooms is comma separated.
    Q_INVOKABLE QString mintToken(const QString &userId, const QString &role, const QString &rooms,
                                  int ttlSeconds) const;
    /// ws://host:port/ws?token=TOKEN
    Q_INVOKABLE QString connectUrl(const QString &token) const;
    Q_INVOKABLE void copyToClipboard(const QString &text) const;
    /// "1.0 MiB" etc.
    Q_INVOKABLE QString formatBytes(qint64 bytes) const;

    /// The language the console currently shows (set by ConsoleApp's translator).
    static void setCurrentLanguage(const QString &language);

Q_SIGNALS:
    void darkThemeChanged();
    void languageChanged();
    void serverChanged();

private:
    void init();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    bool m_dark = true;
};

} // namespace Switchboard
