#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPointF>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief The durable queues (SPEC §4): depth by state, consumers and rates per queue, with
 * totals, and a per-second history of the depth for the Queues page's chart.
 *
 * Rows come from QueueService::stats(), a snapshot that never waits for the queue thread:
 * polled four times a second while @c active, updated by difference (sorted by name) so a
 * view keeps its selection. The depth history is sampled once a second on Server::sampled,
 * active or not, so the chart has its past when the page is opened; it keeps 15 minutes.
 */
class QueuesModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    Q_PROPERTY(QString storeDescription READ storeDescription NOTIFY availableChanged)
    Q_PROPERTY(bool durable READ durable NOTIFY availableChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(qint64 ready READ ready NOTIFY totalsChanged)
    Q_PROPERTY(qint64 inFlight READ inFlight NOTIFY totalsChanged)
    Q_PROPERTY(qint64 delayed READ delayed NOTIFY totalsChanged)
    Q_PROPERTY(qint64 dead READ dead NOTIFY totalsChanged)
    Q_PROPERTY(qint64 depth READ depth NOTIFY totalsChanged)
    Q_PROPERTY(int consumers READ consumers NOTIFY totalsChanged)
    Q_PROPERTY(double enqueuedPerSec READ enqueuedPerSec NOTIFY totalsChanged)
    Q_PROPERTY(double ackedPerSec READ ackedPerSec NOTIFY totalsChanged)
    Q_PROPERTY(double nackedPerSec READ nackedPerSec NOTIFY totalsChanged)
    Q_PROPERTY(double deadLetteredPerSec READ deadLetteredPerSec NOTIFY totalsChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, ReadyRole, InFlightRole, DelayedRole, DeadRole, DepthRole, ConsumersRole,
        EnqueuedPerSecRole, AckedPerSecRole, NackedPerSecRole, DeadLetteredPerSecRole,
        EnqueuedRole, AckedRole, NackedRole, DeadLetteredRole
    };
    Q_ENUM(Role)
    enum State { Ready, InFlight, Delayed, Dead };
    Q_ENUM(State)

    /// Seconds of depth history kept (the longest chart window).
    static constexpr int kHistorySeconds = 900;

    explicit QueuesModel(QObject *parent = nullptr);
    QueuesModel(Server *server, QObject *parent);
    QueuesModel(ConsoleSource *source, QObject *parent);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    bool active() const { return m_active; }
    void setActive(bool active);
    bool available() const { return m_available; }
    QString storeDescription() const { return m_storeDescription; }
    bool durable() const { return m_durable; }
    int count() const { return int(m_rows.size()); }
    qint64 ready() const { return m_totals.ready; }
    qint64 inFlight() const { return m_totals.inFlight; }
    qint64 delayed() const { return m_totals.delayed; }
    qint64 dead() const { return m_totals.dead; }
    qint64 depth() const { return m_totals.ready + m_totals.inFlight + m_totals.delayed; }
    int consumers() const { return m_totals.consumers; }
    double enqueuedPerSec() const { return m_totals.enqueuedPerSec; }
    double ackedPerSec() const { return m_totals.ackedPerSec; }
    double nackedPerSec() const { return m_totals.nackedPerSec; }
    double deadLetteredPerSec() const { return m_totals.deadLetteredPerSec; }

    Q_INVOKABLE QString nameAt(int row) const;
    Q_INVOKABLE int rowOf(const QString &name) const;
    /// Dead letters of @p name as of the last refresh (0 for an unknown queue).
    Q_INVOKABLE qint64 deadOf(const QString &name) const;
    /// Reads the stats snapshot now and updates rows and totals.
    Q_INVOKABLE void refresh();
    /// Takes one depth sample for the history now (normally once a second).
    void sample();

    /**
     * The depth in @p state of @p queue (every queue summed when empty) over the last
     * @p seconds of history, as (ms since the epoch, messages) points, oldest first.
     * @p newestMs gets the newest sample's time (now when there is none).
     */
    QList<QPointF> depthHistory(const QString &queue, State state, int seconds, qint64 *newestMs = nullptr) const;
    int historySize() const { return int(m_history.size()); }

Q_SIGNALS:
    void activeChanged();
    void availableChanged();
    void countChanged();
    void totalsChanged();
    /// A depth sample was added to the history.
    void sampled();

private:
    struct Row
    {
        QString name;
        qint64 ready = 0;
        qint64 inFlight = 0;
        qint64 delayed = 0;
        qint64 dead = 0;
        int consumers = 0;
        double enqueuedPerSec = 0;
        double ackedPerSec = 0;
        double nackedPerSec = 0;
        double deadLetteredPerSec = 0;
        quint64 enqueued = 0;
        quint64 acked = 0;
        quint64 nacked = 0;
        quint64 deadLettered = 0;
        bool operator==(const Row &o) const;
    };
    struct Depth
    {
        qint64 state[4] = {0, 0, 0, 0};
    };
    struct Sample
    {
        qint64 timestampMs = 0;
        Depth all;
        QHash<QString, Depth> queues;
    };

    void updateAvailability();

    void init();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QTimer m_timer;
    QList<Row> m_rows;
    Row m_totals;
    QList<Sample> m_history;
    bool m_active = true;
    bool m_available = false;
    bool m_durable = false;
    QString m_storeDescription;
};

} // namespace Switchboard
