#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief The message-broker bridges (docs/bridges.md) for the Queues page: one row per
 * binding, with its state, counters and rates, and the bridge's connection above them.
 *
 * Rows come from Server::bridgesJson(), which reads the bridge's counters under its lock
 * and never waits for the bridge's thread. The model reads it once a second on
 * Server::sampled (rates are the difference between two reads), so rates are there as soon
 * as the page opens; the rows are updated by difference so a view keeps its place.
 */
class BridgesModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString kind READ kind NOTIFY connectionChanged)
    Q_PROPERTY(QString url READ url NOTIFY connectionChanged)
    Q_PROPERTY(QString state READ state NOTIFY connectionChanged)
    Q_PROPERTY(qint64 connects READ connects NOTIFY connectionChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY connectionChanged)

public:
    enum Role {
        ExchangeRole = Qt::UserRole + 1, QueueRole, RoutingKeysRole, DeadLetterExchangeRole, StateRole,
        ReceivedRole, EmittedRole, RejectedRole, RedeliveredRole,
        ReceivedPerSecRole, EmittedPerSecRole, RejectedPerSecRole, LastErrorRole, LastErrorAtRole
    };
    Q_ENUM(Role)

    explicit BridgesModel(QObject *parent = nullptr);
    BridgesModel(Server *server, QObject *parent);
    BridgesModel(ConsoleSource *source, QObject *parent);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_rows.size()); }
    /// The first bridge's connection ("amqp"; empty without a bridge).
    QString kind() const { return m_connection.kind; }
    QString url() const { return m_connection.url; }
    QString state() const { return m_connection.state; }
    qint64 connects() const { return m_connection.connects; }
    QString lastError() const { return m_connection.lastError; }

    /// The row of the binding consuming @p queue, or -1.
    Q_INVOKABLE int rowOf(const QString &queue) const;
    /// Reads the bridges' state now and updates rows and rates (normally once a second).
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void countChanged();
    void connectionChanged();

private:
    struct Row
    {
        QString key;           // the binding's position and queue (two bindings may share a queue)
        QString exchange;
        QString queue;
        QString routingKeys;
        QString deadLetterExchange;
        QString state;
        qint64 received = 0;
        qint64 emitted = 0;
        qint64 rejected = 0;
        qint64 redelivered = 0;
        double receivedPerSec = 0;
        double emittedPerSec = 0;
        double rejectedPerSec = 0;
        QString lastError;
        QString lastErrorAt;
        bool operator==(const Row &o) const = default;
    };
    struct Connection
    {
        QString kind;
        QString url;
        QString state;
        qint64 connects = 0;
        QString lastError;
        bool operator==(const Connection &o) const = default;
    };

    void init();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QList<Row> m_rows;
    Connection m_connection;
    QElapsedTimer m_sinceRefresh;
};

} // namespace Switchboard
