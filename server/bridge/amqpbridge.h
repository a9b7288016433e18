#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QString>

#include "bridge/bindings.h"
#include "bridge/bridge.h"

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief The RabbitMQ bridge (SPEC section 10): consumes the queues of --amqp-bindings with
 * rabbitmq-c and emits each message to the rooms its binding names.
 *
 * rabbitmq-c is blocking, so the whole AMQP conversation runs on one thread of its own,
 * "switchboard-amqp": one connection, one channel per binding. A message is acked only once
 * its emit was handed to the I/O threads (and, with persist, committed for offline users);
 * one that cannot be routed or whose emit is refused is rejected without requeue, which
 * sends it to the queue's dead-letter exchange. A lost connection is retried with backoff.
 */
class AmqpBridge final : public Bridge
{
    Q_DISABLE_COPY_MOVE(AmqpBridge)

public:
    /// @p tls applies to an amqps:// URL (the broker's certificate is always verified).
    AmqpBridge(const QString &url, const AmqpTls &tls, const QList<AmqpBinding> &bindings, Emitter emitter);
    ~AmqpBridge() override;

    void start() override;
    void stop() override;
    QJsonObject statusJson() const override;
    QByteArray prometheusText() const override;

    /// The URL without its password, for logs and the API.
    static QString redactedUrl(const QString &url);

    struct Counters
    {
        std::atomic<quint64> received{0};
        std::atomic<quint64> emitted{0};
        std::atomic<quint64> rejected{0};
        std::atomic<quint64> redelivered{0};
    };
    /// The outcome of a message whose emit finished on another thread (persist, cluster).
    struct Settlement
    {
        quint64 generation = 0; // the connection it was delivered on
        int channel = 0;
        quint64 deliveryTag = 0;
        QString error;          // empty: ack; else reject (to the dead-letter exchange)
    };
    struct Inbox;

private:
    class Session;
    void run();
    void setState(const QString &state, const QString &error = {});
    void noteError(int binding, const QString &error);

    const QString m_url;
    const AmqpTls m_tls;
    const QList<AmqpBinding> m_bindings;
    const Emitter m_emit;
    std::unique_ptr<Counters[]> m_counters;
    std::shared_ptr<Inbox> m_inbox;
    std::atomic<bool> m_stopping{false};
    QThread *m_thread = nullptr;
    quint64 m_generation = 0; // connections made, over every start(); the bridge thread's

    mutable QMutex m_lock; // the strings below
    QString m_state = QStringLiteral("stopped");
    qint64 m_stateSinceMs = 0;
    QString m_connectionError;
    QList<QString> m_lastError;
    QList<qint64> m_lastErrorAtMs;
    quint64 m_connects = 0;
};

} // namespace Switchboard
