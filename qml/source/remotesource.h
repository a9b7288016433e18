#pragma once

#include <memory>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include "consolesource.h"

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QWebSocket;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief The console's data from a remote node, over its admin channel (docs/admin-channel.md,
 * protocol v1).
 *
 * A QWebSocket on the GUI thread (it never blocks: every read answers from what the node last
 * pushed). The summary arrives about once a second; a stream's rows only while a model has
 * subscribed to it, and the subscriptions are sent again after every reconnect. When the link
 * drops the data stays, flagged stale (isStale()), and the source reconnects with a doubling
 * backoff (0.5 s up to 15 s); a refused token (close 4001) or version (4400) is not retried.
 *
 * Caps, so that a misbehaving node cannot grow the console's memory: a frame over
 * kMaxFrameBytes closes the link, a stream's rows are capped at kMaxRows, the events buffer
 * at kMaxEvents and the metrics history at kMaxHistory.
 */
class RemoteSource final : public ConsoleSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteSource)

public:
    static constexpr qint64 kMaxFrameBytes = 16 * 1024 * 1024;
    static constexpr int kMaxRows = 1000;
    static constexpr int kMaxEvents = 10000;
    static constexpr int kMaxHistory = 3600;
    static constexpr int kMaxPendingActions = 256;
    /// Admin actions over HTTP (undrain, mint_token): answers over this are cut off.
    static constexpr qint64 kMaxHttpAnswerBytes = 64 * 1024;
    static constexpr int kHttpTimeoutMs = 10000;

    /// @p url is the node's HTTP address (http://host:port, https:// for TLS); @p token an admin token.
    RemoteSource(const QUrl &url, const QString &token, QObject *parent = nullptr);
    ~RemoteSource() override;

    /// The admin channel's address for the node at @p url: ws(s)://host:port/admin/ws; invalid if @p url is not http(s).
    static QUrl channelUrl(const QUrl &url);

    /// Connects (again); reconnects by itself after that until close().
    void open();
    void close();
    QUrl url() const { return m_url; }
    QString nodeName() const { return m_nodeName; }
    /// The delay before the next reconnect attempt, in ms (0 while connected).
    int backoffMs() const { return m_backoffMs; }

    bool isRemote() const override { return true; }
    Link link() const override { return m_link; }
    QString linkError() const override { return m_linkError; }
    QString role() const override { return m_role; }
    QString requiredRole(const QString &action) const override;
    QString displayName() const override;

    SourceStatus status() const override { return m_status; }
    SourceSettings settings() const override { return m_settings; }
    QList<MetricsSample> history() const override { return m_history; }

    void subscribe(const QString &stream, const QJsonObject &query) override;
    void unsubscribe(const QString &stream) override;

    QList<ConnectionSnapshot> connections() const override;
    int connectionsTotal() const override;
    bool pagesOnServer() const override { return true; }
    std::optional<ConnectionSnapshot> connection(quint64 id) const override;
    QHash<QString, int> roomCounts(bool users) const override;
    QList<SourceRoom> rooms(bool users) const override;
    QString nodeOf(quint64 id) const override;
    QString nodeQueryProblem(const QString &stream) const override;
    QList<EventLog::Entry> eventsSince(quint64 seq) const override;
    quint64 eventsSkipped() const override { return m_eventsSkipped; }
    QJsonArray bridges() const override { return m_bridges; }
    SourceQueueInfo queueInfo() const override;
    QList<QueueStats> queueStats() const override;
    void deadLetters(const QString &queue, int offset, int limit,
                     std::function<void(const SourceDeadLetters &)> done) override;
    bool action(const QString &action, const QJsonObject &args, SourceCallback done) override;
    void emitEvent(const EmitRequest &request, int ackWaitMs, std::function<void(const EmitResult &)> done,
                   std::function<void(const SourceAckWait &)> waited) override;
    using ConsoleSource::emitEvent;
    /// The longest ack wait asked of a node: --max-ack-wait-ms's default (the welcome does not
    /// give the node's own).
    static constexpr int kMaxAckWaitMs = 30000;

    /// Parsers for the channel's rows (public for tests).
    static ConnectionSnapshot connectionFrom(const QJsonObject &row);
    static QueueStats queueStatsFrom(const QJsonObject &row);
    static MetricsSample sampleFrom(const QJsonObject &sample);
    static EventLog::Entry eventFrom(const QJsonObject &entry);
    static QueueMessage deadLetterFrom(const QJsonObject &row);

private:
    // A keyed, ordered row set fed by snapshot/diff messages.
    struct Rows
    {
        QHash<QString, QJsonObject> byKey;
        QStringList order;
        int total = 0;
    };

    void setLink(Link link, const QString &error = {});
    void onConnected();
    void onDisconnected();
    void onMessage(const QString &text);
    void onWelcome(const QJsonObject &m);
    void onSummary(const QJsonObject &m);
    void onRows(const QJsonObject &m, bool snapshot);
    void onEvents(const QJsonObject &m);
    void onResult(const QJsonObject &m);
    void onAcks(const QJsonObject &m);
    void send(const QJsonObject &message);
    void flushSubscriptions();
    void scheduleReconnect();
    void failPending(const QString &why);
    void pollWatchedConnection();
    void httpAction(const QString &path, const QJsonObject &body, SourceCallback done);

    QUrl m_url;
    QString m_token;
    std::unique_ptr<QWebSocket> m_socket;
    std::unique_ptr<QNetworkAccessManager> m_http; // the admin actions the channel lacks
    bool m_wanted = false;
    Link m_link = Link::Connecting;
    QString m_linkError;
    QTimer m_reconnect;
    int m_backoffMs = 0;

    QString m_role;
    QString m_nodeName;

    QHash<QString, QString> m_actionRoles;
    SourceStatus m_status;
    SourceSettings m_settings;
    QList<MetricsSample> m_history;

    // Wanted subscriptions (re-sent after a reconnect) and those whose change is not sent yet.
    QHash<QString, QJsonObject> m_subscriptions;
    QSet<QString> m_dirtySubscriptions;
    QTimer m_subscribeFlush;

    mutable QMutex m_connectionsMutex; // connections() is read from the model's worker thread
    Rows m_connections;
    Rows m_rooms;
    Rows m_queues;
    QJsonArray m_bridges;
    QList<EventLog::Entry> m_events;
    quint64 m_eventSeq = 0;
    quint64 m_eventsSkipped = 0;

    // The "connection" pseudo-stream: one connection's details, asked for once a second.
    quint64 m_watchedId = 0;
    std::optional<ConnectionSnapshot> m_watched;
    QString m_watchedNode;
    QTimer m_watchTimer;

    SourceDeadLetters m_deadLetters;
    std::function<void(const SourceDeadLetters &)> m_deadLettersDone;

    qint64 m_nextActionId = 1;
    QHash<qint64, SourceCallback> m_pending;
};

} // namespace Switchboard
