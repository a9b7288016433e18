#include "testsupport.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QEventLoop>
#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include "auth/jwt.h"

namespace Switchboard::Test {

ServerConfig testConfig()
{
    ServerConfig c;
    c.host = QStringLiteral("127.0.0.1");
    c.port = 0;
    c.jwtSecret = QString::fromLatin1(kSecret);
    c.internalKey = QString::fromLatin1(kInternalKey);
    c.adminToken = QString::fromLatin1(kAdminToken);
    c.threads = 2;
    // Most tests start a consumer before the first message; the access rule itself is
    // tested with its own config (tst_queues::clientsConsumeOnlyKnownQueues).
    c.clientQueues = {QStringLiteral("*")};
    return c;
}

TestServer::TestServer(ServerConfig config) : m_config(std::move(config))
{
    if (m_config.dataDir.isEmpty())
        m_config.dataDir = m_dir.path();
}

TestServer::~TestServer()
{
    if (m_server)
        m_server->stop();
}

bool TestServer::start()
{
    m_server = std::make_unique<Server>(m_config);
    QString error;
    if (!m_server->start(&error)) {
        qWarning() << "server did not start:" << error;
        return false;
    }
    return true;
}

QUrl TestServer::httpUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

QUrl TestServer::wsUrl(const QByteArray &tok, const QString &extraQuery) const
{
    QUrl url(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port()));
    QUrlQuery query(extraQuery);
    if (!tok.isEmpty())
        query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(tok));
    url.setQuery(query);
    return url;
}

QByteArray token(const QString &userId, const QString &role, const QStringList &rooms,
                 const QJsonObject &extra, const QByteArray &secret)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{{QStringLiteral("sub"), userId}, {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + 3600}};
    if (!role.isEmpty())
        claims.insert(QStringLiteral("role"), role);
    if (!rooms.isEmpty())
        claims.insert(QStringLiteral("rooms"), QJsonArray::fromStringList(rooms));
    for (auto it = extra.begin(); it != extra.end(); ++it)
        claims.insert(it.key(), it.value());
    return Jwt::sign(claims, secret);
}

WsClient::WsClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = int(m_socket.closeCode());
        m_closeReason = m_socket.closeReason();
    });
}

WsClient::~WsClient()
{
    m_socket.abort();
}

bool WsClient::open(const QUrl &url, int timeoutMs)
{
    m_socket.open(url);
    QElapsedTimer timer;
    timer.start();
    while (m_socket.state() != QAbstractSocket::ConnectedState && !m_closed && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    return m_socket.state() == QAbstractSocket::ConnectedState || (m_closed && m_closeCode > 0);
}

QJsonObject WsClient::connectAndWelcome(const QUrl &url, int timeoutMs)
{
    if (!open(url, timeoutMs))
        return {};
    return waitFor(QStringLiteral("connected"), timeoutMs);
}

void WsClient::send(const QJsonObject &message)
{
    sendRaw(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void WsClient::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

QJsonObject WsClient::waitFor(const QString &type, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    forever {
        for (qsizetype i = 0; i < m_messages.size(); ++i) {
            if (type.isEmpty() || m_messages[i].value(QLatin1String("type")).toString() == type)
                return m_messages.takeAt(i);
        }
        if (timer.elapsed() >= timeoutMs || (m_closed && m_messages.isEmpty()))
            return {};
        QTest::qWait(5);
    }
}

bool WsClient::receives(const QString &type, int timeoutMs)
{
    return !waitFor(type, timeoutMs).isEmpty();
}

bool WsClient::waitClosed(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!m_closed && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    return m_closed;
}

int WsClient::count(const QString &type) const
{
    int n = 0;
    for (const QJsonObject &m : m_messages)
        n += m.value(QLatin1String("type")).toString() == type ? 1 : 0;
    return n;
}

QJsonObject HttpReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpReply http(const QByteArray &method, const QUrl &url, const QByteArray &body,
               const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    HttpReply result;
    if (reply->isFinished()) {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    }
    reply->deleteLater();
    return result;
}

HttpReply adminPost(const QUrl &url, const QJsonObject &body)
{
    return http("POST", url, QJsonDocument(body).toJson(QJsonDocument::Compact),
                {{QByteArrayLiteral("x-internal-key"), QByteArray(kInternalKey)}});
}

HttpReply adminGet(const QUrl &url)
{
    return http("GET", url, {}, {{QByteArrayLiteral("x-internal-key"), QByteArray(kInternalKey)}});
}

RedisProcess::RedisProcess(QByteArray password) : m_password(std::move(password)) {}

RedisProcess::~RedisProcess()
{
    stop();
}

bool RedisProcess::answers() const
{
    // Ours, not a stranger that took the port while our redis-server failed to bind: the
    // answering server reports our process id.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(200))
        return false;
    QByteArray request;
    if (!m_password.isEmpty())
        request += "*2\r\n$4\r\nAUTH\r\n$" + QByteArray::number(m_password.size()) + "\r\n" + m_password + "\r\n";
    request += "INFO server\r\n";
    socket.write(request);
    const QByteArray expected = "process_id:" + QByteArray::number(m_process->processId()) + "\r\n";
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains(expected) && !timer.hasExpired(1000) && socket.waitForReadyRead(200))
        answer += socket.readAll();
    return answer.contains(expected);
}

bool RedisProcess::launch(quint16 port)
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    m_port = port;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    QStringList args{QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no"),
                     QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--logfile"), m_dir.filePath(QStringLiteral("redis.log"))};
    if (!m_password.isEmpty())
        args << QStringLiteral("--requirepass") << QString::fromUtf8(m_password);
    m_process->start(QStringLiteral("redis-server"), args);
    if (!m_process->waitForStarted(5000)) {
        m_error = QStringLiteral("redis-server did not start (scripts/install-deps.sh installs it): %1").arg(m_process->errorString());
        m_process.reset();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (!answers()) {
        if (timer.hasExpired(10000) || m_process->state() != QProcess::Running) {
            m_error = QStringLiteral("redis-server on port %1 never answered: %2").arg(port).arg(logTail());
            kill();
            return false;
        }
        QTest::qWait(20); // polling for readiness, not a synchronisation sleep
    }
    m_error.clear();
    return true;
}

QString RedisProcess::logTail() const
{
    QFile log(m_dir.filePath(QStringLiteral("redis.log")));
    if (!log.open(QIODevice::ReadOnly))
        return QStringLiteral("(no log)");
    return QString::fromUtf8(log.readAll().right(800));
}

bool RedisProcess::start()
{
    if (isRunning())
        return true;
    if (m_port != 0)
        return launch(m_port);
    // The port may be taken between the probe and redis-server binding it: then another one.
    for (int attempt = 0; attempt < 5; ++attempt) {
        QTcpServer probe; // a free port, released for redis-server
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            m_error = probe.errorString();
            return false;
        }
        const quint16 port = probe.serverPort();
        probe.close();
        if (launch(port))
            return true;
        m_port = 0;
    }
    return false;
}

bool RedisProcess::restart()
{
    stop();
    // Same port on purpose (redis-server binds with SO_REUSEADDR): only a stranger taking it
    // in between makes this fail.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (launch(m_port))
            return true;
    }
    return false;
}

void RedisProcess::stop()
{
    if (!m_process)
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(5000))
        m_process->kill();
    m_process->waitForFinished(2000);
    m_process.reset();
}

void RedisProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}

QString RedisProcess::url(int db) const
{
    QUrl url;
    url.setScheme(QStringLiteral("redis"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    if (!m_password.isEmpty())
        url.setPassword(QString::fromUtf8(m_password));
    if (db != 0)
        url.setPath(QLatin1Char('/') + QString::number(db));
    return url.toString(QUrl::FullyEncoded);
}

} // namespace Switchboard::Test
