#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/**
 * @brief One AMQP binding of --amqp-bindings (docs/bridges.md): where messages come from
 * and which rooms they go to.
 *
 * Plain data, parsed and checked once at startup by AmqpBindings::parse.
 */
struct AmqpBinding
{
    QString exchange;
    QString type = QStringLiteral("topic");  // direct, topic, fanout or headers
    QString queue;
    bool durable = true;                     // the exchange and the queue
    QStringList routingKeys;                 // binding keys (topic patterns for a topic exchange)
    int prefetch = 100;                      // basic.qos prefetch count
    QString event = QStringLiteral("{routingKey}"); // template: the event name
    QStringList targets;                     // room templates, as --claim-rooms
    bool broadcast = false;                  // every socket instead of targets
    bool persist = false;                    // keep for offline users (the "user:" targets)
    QString deadLetterExchange;              // x-dead-letter-exchange of the queue; empty: none

    /// A short name for logs and metrics: "exchange -> queue".
    QString name() const { return exchange + QStringLiteral(" -> ") + queue; }
};

/// TLS settings of an amqps:// bridge (--amqp-ca, --amqp-cert, --amqp-key).
struct AmqpTls
{
    QString caFile;          // PEM CA certificates; empty: the system's store
    QString certFile;        // client certificate (PEM), with keyFile; empty: none
    QString keyFile;
};

/// What one message of a binding turns into (AmqpBindings::route).
struct AmqpRoute
{
    QString event;
    QStringList rooms;       // empty with broadcast
    bool broadcast = false;
    QString error;           // why the message cannot be routed (it is dead-lettered)
};

/**
 * @brief Parses and checks the --amqp-bindings file, and routes messages by a binding.
 */
class AmqpBindings final
{
public:
    /**
     * Parses {"bindings": [...]}. Returns false with @p error naming the field (e.g.
     * "bindings[1].prefetch: ...") when the document or one of its bindings is invalid.
     */
    static bool parse(const QByteArray &json, QList<AmqpBinding> *bindings, QString *error);
    /// Reads and parses @p path; the error names the file too.
    static bool load(const QString &path, QList<AmqpBinding> *bindings, QString *error);

    /// Empty when @p url is an amqp:// or amqps:// URL rabbitmq-c can use, else why not (no
    /// password in it).
    static QString checkUrl(const QString &url);
    /// Empty when @p tls fits @p url (files only with amqps://, readable, certificate and key
    /// together), else the error for the command line.
    static QString checkTls(const QString &url, const AmqpTls &tls);

    /**
     * The event name and rooms of a message @p body (its raw bytes) received with
     * @p routingKey: the templates are filled from the message's top-level fields, and
     * "{routingKey}" from the routing key. An error when the body is not a JSON object, the
     * event name cannot be built, or no target yields a room. @p message gets the parsed body.
     */
    static AmqpRoute route(const AmqpBinding &binding, const QByteArray &body, const QString &routingKey,
                           QJsonObject *message);
};

} // namespace Switchboard
