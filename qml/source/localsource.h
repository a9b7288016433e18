#pragma once

#include "consolesource.h"

namespace Switchboard {

class Server;

/**
 * @brief The console's data from the Server embedded in this process.
 *
 * Every read is the one the view models made before the console could attach to a remote
 * node: lock-protected registry snapshots, the last metrics sample, QueueService's stats
 * snapshot. Actions run as direct calls (connections) or on the queue thread (queues) and
 * report back on the GUI thread; nothing here blocks on I/O or SQLite.
 */
class LocalSource final : public ConsoleSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalSource)

public:
    explicit LocalSource(Server &server, QObject *parent = nullptr);

    Server &server() const { return m_server; }

    bool isRemote() const override { return false; }
    Link link() const override { return Link::Local; }
    QString role() const override { return QStringLiteral("admin"); }
    bool canStartStop() const override { return true; }
    bool start(QString *error) override;
    void stop() override;
    QString displayName() const override;

    SourceStatus status() const override;
    SourceSettings settings() const override;
    QList<MetricsSample> history() const override;

    QList<ConnectionSnapshot> connections() const override;
    int connectionsTotal() const override;
    std::optional<ConnectionSnapshot> connection(quint64 id) const override;
    QHash<QString, int> roomCounts(bool users) const override;
    QString nodeOf(quint64 id) const override;
    QList<EventLog::Entry> eventsSince(quint64 seq) const override;
    quint64 eventsSkipped() const override;
    QJsonArray bridges() const override;
    SourceQueueInfo queueInfo() const override;
    QList<QueueStats> queueStats() const override;
    void deadLetters(const QString &queue, int offset, int limit,
                     std::function<void(const SourceDeadLetters &)> done) override;
    bool action(const QString &action, const QJsonObject &args, SourceCallback done) override;
    void emitEvent(const EmitRequest &request, int ackWaitMs, std::function<void(const EmitResult &)> done,
                   std::function<void(const SourceAckWait &)> waited) override;
    using ConsoleSource::emitEvent;

private:
    /// Hands @p value to @p done on this object's thread (backend callbacks come on theirs).
    template <typename Done, typename Value>
    void answerHere(Done done, Value value);
    bool queueAction(const QString &action, const QJsonObject &args, SourceCallback done);
    /// Runs an admin action through the server's own HTTP route, with its internal key.
    void routeAction(const QString &path, const QJsonObject &body, SourceCallback done);

    Server &m_server;
};

} // namespace Switchboard
