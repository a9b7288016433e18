#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QElapsedTimer>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QStringList>
#include <QtCore/QTimer>
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
 * @brief The acks (and nacks) that clients sent back for the console's latest acked emit.
 */
class AcksModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by Emitter")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role { ConnectionIdRole = Qt::UserRole + 1, UserIdRole, OkRole, ErrorRole, LatencyRole, TimeRole };
    Q_ENUM(Role)

    struct Ack
    {
        quint64 connectionId = 0;
        QString userId;
        bool ok = true;
        QString error;
        qint64 latencyMs = 0;
        QString time;
    };

    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const { return int(m_acks.size()); }

    void clear();
    void append(const QList<Ack> &acks);

Q_SIGNALS:
    void countChanged();

private:
    QList<Ack> m_acks;
};

/**
 * @brief Every emit sent from the console, newest first, for the history list and re-send.
 */
class EmitHistoryModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by Emitter")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role { IdRole = Qt::UserRole + 1, TimeRole, TargetKindRole, TargetRole, EventRole,
                PayloadRole, DeliveredRole, AckRole, AcksRole, ErrorRole };
    Q_ENUM(Role)

    struct Entry
    {
        QString id;
        QString time;
        int targetKind = 0;
        QString target;
        QString event;
        QString payload;
        int delivered = 0;
        bool ack = false;
        bool persist = false;
        QString exceptUser;
        int ackTimeoutMs = 0;
        int acks = 0;
        QString error;
    };

    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const { return int(m_entries.size()); }

    void prepend(const Entry &entry);
    void addAcks(const QString &id, int n);
    /// The cluster-wide socket count of emit @p id, once its ack wait knows it.
    void setDelivered(const QString &id, int delivered);
    const Entry *at(int row) const;

Q_SIGNALS:
    void countChanged();

private:
    static constexpr int kMaxEntries = 200;
    QList<Entry> m_entries;
};

/**
 * @brief The manual emit tool: sends console events through Server::emitEvent and follows
 * the acks that come back.
 *
 * An acked emit also waits for its acks the way the HTTP emit's "waitMs" does (through the
 * ConsoleSource): the wait's answer gives the sockets of every node of a cluster the event
 * reached (ackTotal), which the acks are counted against; a remote node's acks come with it.
 *
 * Server::ackReceived fires on I/O threads for every acked emit in the process; a direct
 * connection filters for the console's own emit ids (under a mutex) and queues only those
 * to the GUI thread, where they are applied in batches of at most ten a second.
 */
class Emitter final : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString lastId READ lastId NOTIFY lastChanged)
    Q_PROPERTY(int lastDelivered READ lastDelivered NOTIFY lastChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastChanged)
    Q_PROPERTY(QString lastEvent READ lastEvent NOTIFY lastChanged)
    Q_PROPERTY(bool lastAck READ lastAck NOTIFY lastChanged)
    Q_PROPERTY(int sentCount READ sentCount NOTIFY lastChanged)
    Q_PROPERTY(int acksReceived READ acksReceived NOTIFY acksChanged)
    Q_PROPERTY(int acksFailed READ acksFailed NOTIFY acksChanged)
    Q_PROPERTY(bool ackTimedOut READ ackTimedOut NOTIFY acksChanged)
    Q_PROPERTY(bool ackPending READ ackPending NOTIFY acksChanged)
    // The sockets of every node the last acked emit reached, once its ack wait ended (-1
    // before): the count its acks are set against. In a cluster lastDelivered is this node's.
    Q_PROPERTY(int ackTotal READ ackTotal NOTIFY acksChanged)
    Q_PROPERTY(bool clustered READ clustered NOTIFY lastChanged)
    // A remote node answers an acked emit once its ack wait is over: until then, this is true.
    Q_PROPERTY(bool awaitingAnswer READ awaitingAnswer NOTIFY lastChanged)
    Q_PROPERTY(QString ackWaitError READ ackWaitError NOTIFY acksChanged)
    Q_PROPERTY(QStringList recentEvents READ recentEvents NOTIFY recentEventsChanged)
    Q_PROPERTY(AcksModel *acks READ acks CONSTANT)
    Q_PROPERTY(EmitHistoryModel *history READ history CONSTANT)

public:
    enum TargetKind { Broadcast, Room, User, Connection };
    Q_ENUM(TargetKind)

    explicit Emitter(Server *server, QObject *parent = nullptr);
    explicit Emitter(ConsoleSource *source, QObject *parent = nullptr);
    ~Emitter() override;
    static Emitter *create(QQmlEngine *, QJSEngine *);

    QString lastId() const { return m_lastId; }
    int lastDelivered() const { return m_lastDelivered; }
    QString lastError() const { return m_lastError; }
    QString lastEvent() const { return m_lastEvent; }
    bool lastAck() const { return m_lastAck; }
    int sentCount() const { return m_sent; }
    int acksReceived() const { return m_acksOk; }
    int acksFailed() const { return m_acksFailed; }
    bool ackTimedOut() const { return m_timedOut; }
    bool ackPending() const;
    int ackTotal() const { return m_ackTotal; }
    bool clustered() const { return m_clustered; }
    bool awaitingAnswer() const { return m_awaitingAnswer; }
    QString ackWaitError() const { return m_ackWaitError; }
    QStringList recentEvents() const { return m_recent; }
    AcksModel *acks() { return &m_acks; }
    EmitHistoryModel *history() { return &m_history; }

    /**
     * Sends one event. @p payloadJson is any JSON value (empty = null). Returns the emit id,
     * or an empty string with lastError set (bad JSON, no target, server stopped).
     */
    Q_INVOKABLE QString send(int targetKind, const QString &target, const QString &event,
                             const QString &payloadJson, bool ack = false, int ackTimeoutMs = 10000,
                             bool persist = false, const QString &exceptUser = {});
    /// Sends history row @p row again (a new emit with a new id).
    Q_INVOKABLE QString resend(int row);
    Q_INVOKABLE QString historyPayload(int row) const;

Q_SIGNALS:
    void lastChanged();
    void acksChanged();
    void recentEventsChanged();
    void sent(const QString &id, int delivered);

private:
    void onAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok, const QString &error);
    void flushAcks();
    void onAckWait(const QString &emitId, const SourceAckWait &wait);
    void setError(const QString &error);

    void init();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QMetaObject::Connection m_ackConnection;
    QMutex m_watchMutex;
    QSet<QString> m_watched;          // ids of console emits that asked for acks
    QString m_lastId;
    int m_lastDelivered = 0;
    QString m_lastError;
    QString m_lastEvent;
    bool m_lastAck = false;
    int m_sent = 0;
    int m_acksOk = 0;
    int m_acksFailed = 0;
    bool m_timedOut = false;
    int m_ackTotal = -1;
    bool m_clustered = false;
    bool m_awaitingAnswer = false;
    bool m_waiting = false;           // the last acked emit's ack wait has not ended
    QString m_ackWaitError;
    QElapsedTimer m_sentAt;
    QTimer m_ackTimeout;
    QTimer m_flushTimer;
    QList<AcksModel::Ack> m_pendingAcks;
    QStringList m_recent;
    AcksModel m_acks;
    EmitHistoryModel m_history;
};

} // namespace Switchboard
