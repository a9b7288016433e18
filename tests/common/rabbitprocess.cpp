#include "rabbitprocess.h"

#include <csignal>
#include <unistd.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcessEnvironment>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

#include <amqp.h>
#include <amqp_tcp_socket.h>

namespace Switchboard::Test {

namespace {

constexpr char kBin[] = "/usr/lib/rabbitmq/bin/";

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

/// One rabbitmq-c connection, logged in as guest on channel 1; closed with the object.
class AmqpSession
{
public:
    explicit AmqpSession(quint16 port) : m_conn(amqp_new_connection())
    {
        amqp_socket_t *socket = amqp_tcp_socket_new(m_conn);
        timeval timeout{2, 0};
        if (!socket || amqp_socket_open_noblock(socket, "127.0.0.1", port, &timeout) != AMQP_STATUS_OK) {
            m_error = QStringLiteral("cannot connect to 127.0.0.1:%1").arg(port);
            return;
        }
        m_open = true;
        const amqp_rpc_reply_t login = amqp_login(m_conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest");
        if (login.reply_type != AMQP_RESPONSE_NORMAL) {
            m_error = QStringLiteral("login refused");
            return;
        }
        amqp_channel_open(m_conn, 1);
        m_ready = amqp_get_rpc_reply(m_conn).reply_type == AMQP_RESPONSE_NORMAL;
        if (!m_ready)
            m_error = QStringLiteral("channel.open refused");
    }
    ~AmqpSession()
    {
        if (m_ready)
            amqp_channel_close(m_conn, 1, AMQP_REPLY_SUCCESS);
        if (m_open)
            amqp_connection_close(m_conn, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(m_conn);
    }
    bool ready() const { return m_ready; }
    QString error() const { return m_error; }
    amqp_connection_state_t conn() const { return m_conn; }

private:
    amqp_connection_state_t m_conn;
    bool m_open = false;
    bool m_ready = false;
    QString m_error;
};

amqp_bytes_t bytes(const QByteArray &b)
{
    return amqp_bytes_t{size_t(b.size()), const_cast<char *>(b.constData())};
}

} // namespace

RabbitProcess::RabbitProcess() = default;

RabbitProcess::~RabbitProcess()
{
    stop();
}

QString RabbitProcess::url() const
{
    return QStringLiteral("amqp://guest:guest@127.0.0.1:%1/%2f").arg(m_port);
}

bool RabbitProcess::acceptsLogin()
{
    AmqpSession session(m_port);
    return session.ready();
}

bool RabbitProcess::start()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    m_port = freePort();
    const quint16 distPort = freePort();
    m_epmdPort = freePort();
    const QString home = m_dir.filePath(QStringLiteral("home"));
    QDir().mkpath(home);
    QFile plugins(m_dir.filePath(QStringLiteral("enabled_plugins")));
    QFile config(m_dir.filePath(QStringLiteral("rabbitmq.conf")));
    if (!plugins.open(QIODevice::WriteOnly) || !config.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write the broker's configuration");
        return false;
    }
    plugins.write("[].\n");
    config.write("log.file.level = warning\nlog.console = false\n");
    plugins.close();
    config.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home); // the Erlang cookie is made here
    env.insert(QStringLiteral("RABBITMQ_NODENAME"), QStringLiteral("sbtest-%1-%2@localhost").arg(QCoreApplication::applicationPid()).arg(m_port));
    env.insert(QStringLiteral("RABBITMQ_MNESIA_BASE"), m_dir.filePath(QStringLiteral("mnesia")));
    env.insert(QStringLiteral("RABBITMQ_LOG_BASE"), m_dir.filePath(QStringLiteral("log")));
    env.insert(QStringLiteral("RABBITMQ_NODE_PORT"), QString::number(m_port));
    env.insert(QStringLiteral("RABBITMQ_NODE_IP_ADDRESS"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("RABBITMQ_DIST_PORT"), QString::number(distPort));
    env.insert(QStringLiteral("ERL_EPMD_PORT"), QString::number(m_epmdPort)); // an epmd of our own
    env.insert(QStringLiteral("RABBITMQ_ENABLED_PLUGINS_FILE"), plugins.fileName());
    env.insert(QStringLiteral("RABBITMQ_CONFIG_FILE"), config.fileName());
    env.insert(QStringLiteral("RABBITMQ_PID_FILE"), m_dir.filePath(QStringLiteral("rabbit.pid")));

    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(env);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_dir.filePath(QStringLiteral("server.out")));
    // A process group of its own, so stop() reaches the Erlang VM behind the start script.
    m_process->setChildProcessModifier([] { ::setsid(); });
    m_process->start(QString::fromLatin1(kBin) + QStringLiteral("rabbitmq-server"), {});
    if (!m_process->waitForStarted(5000)) {
        m_error = QStringLiteral("rabbitmq-server did not start (scripts/install-deps.sh installs it): %1").arg(m_process->errorString());
        m_process.reset();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (!acceptsLogin()) {
        if (timer.hasExpired(60000) || m_process->state() != QProcess::Running) {
            QFile out(m_dir.filePath(QStringLiteral("server.out")));
            out.open(QIODevice::ReadOnly);
            m_error = QStringLiteral("rabbitmq-server on port %1 never got ready: %2").arg(m_port).arg(QString::fromUtf8(out.readAll().right(1500)));
            stop();
            return false;
        }
        QTest::qWait(100); // polling for readiness, not a synchronisation sleep
    }
    m_error.clear();
    return true;
}

void RabbitProcess::stop()
{
    if (m_process) {
        const qint64 group = m_process->processId();
        if (group > 0)
            ::kill(-pid_t(group), SIGTERM);
        if (!m_process->waitForFinished(20000) && group > 0)
            ::kill(-pid_t(group), SIGKILL);
        m_process->waitForFinished(5000);
        m_process.reset();
    }
    if (m_epmdPort != 0) {
        QProcess epmd;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ERL_EPMD_PORT"), QString::number(m_epmdPort));
        epmd.setProcessEnvironment(env);
        epmd.start(QStringLiteral("epmd"), {QStringLiteral("-port"), QString::number(m_epmdPort), QStringLiteral("-kill")});
        epmd.waitForFinished(5000);
        m_epmdPort = 0;
    }
}

bool RabbitProcess::publish(const QString &exchange, const QString &routingKey, const QByteArray &body)
{
    AmqpSession session(m_port);
    if (!session.ready()) {
        m_error = session.error();
        return false;
    }
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = 2;
    const QByteArray x = exchange.toUtf8();
    const QByteArray key = routingKey.toUtf8();
    if (amqp_basic_publish(session.conn(), 1, bytes(x), bytes(key), 0, 0, &props, bytes(body)) != AMQP_STATUS_OK) {
        m_error = QStringLiteral("basic.publish failed");
        return false;
    }
    return true;
}

} // namespace Switchboard::Test
