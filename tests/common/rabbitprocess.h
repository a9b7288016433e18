#pragma once

#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QTemporaryDir>

namespace Switchboard::Test {

/**
 * @brief A throwaway rabbitmq-server (Debian's 3.10) on 127.0.0.1, stopped with the object:
 * its own node name, Mnesia and log directories, Erlang cookie, free AMQP, distribution and
 * epmd ports, no plugins, no system service. Use from the test's thread (it owns a QProcess).
 *
 * start() returns once the broker accepts an AMQP login (about 5 s here); publish() sends one
 * message with rabbitmq-c, the library the bridge uses, as a back end would.
 */
class RabbitProcess final
{
public:
    RabbitProcess();
    ~RabbitProcess();
    Q_DISABLE_COPY_MOVE(RabbitProcess)

    /// False (errorString() says why) when rabbitmq-server is missing or never got ready.
    bool start();
    /// Stops the broker (SIGTERM to its process group, SIGKILL after 20 s) and its epmd.
    void stop();

    quint16 port() const { return m_port; }
    /// amqp://guest:guest@127.0.0.1:port/%2f
    QString url() const;
    QString errorString() const { return m_error; }

    /// Publishes @p body to @p exchange with @p routingKey (persistent); false with
    /// errorString() on failure. Blocking: fine in a test, never in the server.
    bool publish(const QString &exchange, const QString &routingKey, const QByteArray &body);

private:
    bool acceptsLogin();

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    quint16 m_epmdPort = 0;
    QString m_error;
};

} // namespace Switchboard::Test
