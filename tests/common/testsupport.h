#pragma once

#include <memory>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrl>
#include <QtWebSockets/QWebSocket>

#include "server.h"

namespace Switchboard::Test {

inline constexpr char kSecret[] = "test-secret";
inline constexpr char kInternalKey[] = "test-internal-key";
inline constexpr char kAdminToken[] = "test-admin-token";

/// A config for an in-process server on 127.0.0.1, port 0, two I/O threads, known secrets.
ServerConfig testConfig();

/// A real Server on a free port with a temporary data dir. start() QVERIFYs in the caller.
class TestServer final
{
public:
    explicit TestServer(ServerConfig config = testConfig());
    ~TestServer();
    bool start();
    Server &server() { return *m_server; }
    ServerConfig &config() { return m_config; }
    quint16 port() const { return m_server->port(); }
    QUrl httpUrl(const QString &path) const;
    QUrl wsUrl(const QByteArray &token = {}, const QString &extraQuery = {}) const;
    QString dataDir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    ServerConfig m_config;
    std::unique_ptr<Server> m_server;
};

/**
 * @brief A throwaway redis-server (no persistence, its own dir) on 127.0.0.1 and a free
 * port, stopped with the object. Use from the test's thread (it owns a QProcess).
 *
 * start() picks the port (another one when a stranger takes it first) and returns once this
 * very process answers; restart() comes back on the same port, so clients can reconnect.
 */
class RedisProcess final
{
public:
    /// @p password non-empty: started with --requirepass.
    explicit RedisProcess(QByteArray password = {});
    ~RedisProcess();
    Q_DISABLE_COPY_MOVE(RedisProcess)

    /// False (errorString() says why) when redis-server is missing or never answered.
    bool start();
    /// stop(), then start() on the same port.
    bool restart();
    /// SIGTERM, then waits for the process to end.
    void stop();
    /// SIGKILL, then waits for the process to end.
    void kill();

    bool isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
    quint16 port() const { return m_port; }
    /// The redis-server process (for SIGSTOP/SIGCONT); 0 when not running.
    qint64 pid() const { return isRunning() ? m_process->processId() : 0; }
    QByteArray password() const { return m_password; }
    /// redis://[:password@]127.0.0.1:port[/db]
    QString url(int db = 0) const;
    QString errorString() const { return m_error; }

private:
    bool launch(quint16 port);
    bool answers() const;
    QString logTail() const;

    QByteArray m_password;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

/// HS256 token signed with kSecret: sub, optional role and rooms, extra claims merged in.
QByteArray token(const QString &userId, const QString &role = {}, const QStringList &rooms = {},
                 const QJsonObject &extra = {}, const QByteArray &secret = kSecret);

/**
 * @brief A real QWebSocket client that records every JSON message and the close code.
 */
class WsClient final : public QObject
{
    Q_OBJECT

public:
    explicit WsClient(QObject *parent = nullptr);
    ~WsClient() override;

    /// Opens and waits for the socket to connect (not for "connected"). False on timeout.
    bool open(const QUrl &url, int timeoutMs = 5000);
    /// open() + waits for the server's "connected" message; returns it (empty on failure).
    QJsonObject connectAndWelcome(const QUrl &url, int timeoutMs = 5000);
    void send(const QJsonObject &message);
    void sendRaw(const QString &text);
    /// Waits for the next unread message of @p type (any type when empty) and consumes it.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5000);
    /// True when a message of @p type arrives within @p timeoutMs (consumes it).
    bool receives(const QString &type, int timeoutMs);
    bool waitClosed(int timeoutMs = 5000);
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    bool isClosed() const { return m_closed; }
    QList<QJsonObject> unread() const { return m_messages; }
    /// Messages of @p type received so far and not consumed.
    int count(const QString &type) const;
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    bool m_closed = false;
    int m_closeCode = -1;
    QString m_closeReason;
};

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QJsonObject json() const;
};

/// A real HTTP request with QNetworkAccessManager; waits for the reply.
HttpReply http(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
               const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 10000);
/// POST with x-internal-key set.
HttpReply adminPost(const QUrl &url, const QJsonObject &body);
HttpReply adminGet(const QUrl &url);

} // namespace Switchboard::Test
