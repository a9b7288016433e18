#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include "cluster/broker.h"
#include "cluster/nodepages.h"
#include "cluster/presence.h"
#include "cluster/redislink.h"

namespace Switchboard {

class Server;
namespace Cluster { struct Broadcast; }

/**
 * @brief Cluster mode on Redis (docs/cluster.md): the Socket.IO Redis adapter's channels and
 * messages for emits and the adapter's requests, plus Switchboard's own channels for what
 * the adapter has no message for (connection ids, presence, acks back to the emitting node,
 * the node registry).
 *
 * Messages arrive on the RedisLink's thread and are handled there: emits go to
 * Server::emitEvent (which posts to the I/O threads), requests are answered from the
 * registry. The object itself lives in the Server's thread for its announce timer; shared
 * state is behind m_lock.
 */
class RedisBroker final : public QObject, public Broker, public PresenceStore, public NodePages
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisBroker)

public:
    RedisBroker(Server &server, const RedisUrl &url);
    ~RedisBroker() override;

    bool isClustered() const override { return true; }
    void start() override;
    void leave() override;
    void stop() override;
    QString degradedReason() const override;
    QString notReadyReason() const override;
    quint64 connectionIdBase() const override { return m_prefix << 32; }
    bool publish(const EmitRequest &request, std::function<void(const PublishOutcome &)> done) override;
    void remoteConnection(quint64 id, ConnectionOp op, const QString &room, int code, const QString &reason,
                          std::function<void(bool found)> done) override;
    bool forwardAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                    const QString &error, const QJsonArray &args) override;
    void publishPresence(const QString &room, const QString &userId, bool joined) override;
    Admission admitUser(const QString &userId, quint64 connectionId, std::function<void(bool admitted)> later) override;
    void userConnectionClosed(const QString &userId, quint64 connectionId) override;
    PresenceStore &presence() override { return *this; }
    void query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done) override;
    QJsonObject nodesJson() const override;
    void serverSideEmit(const QString &nsp, const QJsonArray &data, bool ack, int timeoutMs,
                        std::function<void(const QJsonObject &)> done) override;

    void askNodePages(const QJsonObject &query, std::function<void(const Answer &)> done) override;

    QString uid() const { return m_uid; }
    QString nodeId() const override { return m_uid; }

private:
    struct FanIn;
    struct PendingAdmission;
    struct AckRoute
    {
        QString node;          // a Switchboard node's uid (its sb:node channel), or
        QString requestId;     // ... a Node server's broadcast-with-ack request
        QString nsp;
        qint64 expiresMs = 0;
    };
    struct NodeEntry
    {
        QJsonObject info;
        qint64 lastSeenMs = 0;
    };

    // On the link's thread.
    void onMessage(const QByteArray &channel, const QByteArray &payload);
    void onBroadcast(const QString &nsp, const QByteArray &payload);
    void onAdapterRequest(const QString &nsp, const QByteArray &payload);
    void onAdapterResponse(const QByteArray &payload);
    void onJsonEmit(const QByteArray &payload);
    void onInternal(const QByteArray &payload);
    void deliverBroadcast(const Cluster::Broadcast &broadcast, const QString &nsp, bool withAck, const QString &requestId,
                          const QString &requester);
    void answerInternal(const QJsonObject &request);
    void malformed(const QString &what, const QString &why);

    // Fan-in requests over the sb:all channel.
    void fanIn(QJsonObject request, std::shared_ptr<FanIn> state, int timeoutMs);
    void fanInAnswered(const QJsonObject &response);
    void finish(quint64 rid);
    void expireAfter(quint64 rid, int timeoutMs, const QString &why);

    // Connections per user (docs/cluster.md, "Connections per user"): a sorted set per user
    // in Redis, its members "<connection id>:<session>", counted by a Lua script.
    /// EVALSHA of a script loadScripts() loaded, with one key.
    void runScript(const QByteArray &sha, QList<QByteArray> keyAndArgs, RedisLink::Done done);
    void loadScripts();
    /// A new session: its key in Redis, the scripts loaded, this node's connections registered
    /// under it (on the link's thread: when Redis is reached, and when the key was lost).
    void startSession();
    /// The session to count under; empty while counting the cluster's is not possible.
    QString usableSession() const;
    void admissionAnswered(const std::shared_ptr<PendingAdmission> &pending, const RedisReply &reply);
    /// An answer that came after this node had decided on its own count: the set is made to
    /// agree with what was decided.
    void reconcileLate(const PendingAdmission &pending, const RedisReply &reply);
    void expireAdmissions();
    void countLocally(const QString &why);
    /// Closes the oldest connections the script took out of the user's set, here or elsewhere.
    void evict(const QString &userId, const QList<quint64> &ids);
    /// Adds a live connection to its user's set if missing (on the connection's I/O thread,
    /// so that its removal cannot overtake this).
    void registerConnection(const QString &userId, quint64 id);
    /// Every connection of this node, registered again (a new session; every third of the
    /// keys' expiry).
    void reregisterAll();
    QByteArray userKey(const QString &userId) const;
    QByteArray sessionKey(const QString &session) const;
    qint64 sessionTtlMs() const { return m_heartbeatMs + 5000; }

    void announce();
    void claimPrefix();
    QJsonObject selfInfo() const;
    int aliveOthers() const;
    /// A node whose announcement is older than this is "gone": a reader refreshes its view once
    /// per its own heartbeat, so a live node's can be up to two heartbeats old, plus slack.
    qint64 goneAfterMs() const { return 2 * qint64(m_heartbeatMs) + 5000; }
    void rememberAck(const QString &emitId, AckRoute route);
    /// An emit whose origin waits for its acks (EmitRequest::ackTargets): tells node @p origin
    /// which sockets of this node it was handed to (none when it was not delivered here).
    void reportTargets(const QString &origin, const QString &emitId, const EmitResult &result);
    void pruneAckRoutesLocked(qint64 nowMs);
    static qint64 routeBytes(const QString &emitId, const AckRoute &route);
    QList<quint64> matchLocal(const QJsonObject &opts) const;
    /// An answer to a Socket.IO adapter request, on the requester's own response channel
    /// (`<key>-response#<nsp>#<uid>#`); dropped, counted, when the answers in flight are over
    /// their budget (kMaxAnswerBytesInFlight).
    void publishAdapterResponse(const QString &nsp, const QString &requester, const QByteArray &payload);
    /// The other nodes among @p receivers, PUBLISH's or PUBSUB NUMSUB's count (link thread).
    int othersAmong(qint64 receivers) const;
    /// Ends fan-in @p rid as partial: the answers could not reach this node.
    void unanswerable(quint64 rid);
    void answerClientCount(const QString &nsp, const QString &requester, const QString &requestId, qint64 count);
    /// Sockets, AllRooms and RemoteFetch answers: @p build makes the answer's JSON object
    /// (without "requestId") and returns an empty array when it would pass @p cap bytes.
    /// Identical requests within kCoalesceMs share one build; nothing is built while the
    /// answers in flight are over budget (review A3).
    void answerLarge(const QString &nsp, const QString &requester, const QJsonValue &requestId, const QByteArray &key,
                     const std::function<QByteArray(qint64 cap)> &build);
    /// Logs (once a second at most) why an adapter request got no answer.
    void notAnswered(const QString &why);
    /// The largest message a node accepts from Redis (and the largest answer it sends).
    qint64 messageCap() const;

    QByteArray adapterChannel(const QString &nsp) const;
    QByteArray requestChannel(const QString &nsp) const;
    QByteArray responseChannel(const QString &nsp) const;
    QByteArray allChannel() const;
    QByteArray nodeChannel(const QString &uid) const;

    Server &m_server;
    const RedisUrl m_url;
    RedisLink m_link;
    const QString m_key;
    const QString m_uid;
    const quint64 m_prefix;
    const int m_heartbeatMs;
    QTimer m_announce;
    const bool m_perUser;                // --max-connections-per-user is set
    QTimer m_admissionSweep;             // runs while admissions wait (kAdmissionTimeoutMs)
    std::atomic<qint64> m_lastReregisterMs{0};
    std::atomic<int> m_admissionScripts{0}; // sent and not answered (bounded: kMaxAdmissionScripts)
    std::atomic<bool> m_left{false};
    std::atomic<bool> m_joined{false}; // subscribed and its id prefix confirmed, once since start()
    std::atomic<quint64> m_nextRequest{1};

    mutable QMutex m_lock;
    QHash<quint64, std::shared_ptr<FanIn>> m_fanIns;
    QHash<QString, quint64> m_adapterRequests; // our serverSideEmit requestId -> fan-in
    QHash<QString, NodeEntry> m_nodes; // uid -> last announcement read from Redis
    QJsonObject m_stats;                 // the last merged stats answer (kStatsCacheMs)
    qint64 m_statsAtMs = -1000000;
    QList<std::function<void(const QJsonObject &)>> m_statsWaiters; // non-empty: a stats query is on its way
    QSet<QString> m_sameName;          // uids of other nodes seen with this node's name (logged)
    QHash<QString, AckRoute> m_ackRoutes;
    qint64 m_ackRouteBytes = 0;          // bounded by kMaxAckRouteBytes
    qint64 m_lastMalformedLogMs = 0;
    QString m_prefixConflict;            // non-empty: another node holds our connection-id prefix
    QString m_session;                   // this node's members are "<id>:<session>"
    bool m_sessionLive = false;          // m_session's key is set and Redis is reachable
    QHash<quint64, std::shared_ptr<PendingAdmission>> m_admissions; // by connection id
    // Adapter answers (answerLarge): bytes published and not yet confirmed by Redis, built
    // answers shared by identical requests, and what was not answered.
    struct BuiltAnswer { QByteArray body; qint64 builtMs = 0; };
    std::atomic<qint64> m_answerBytes{0};
    QHash<QByteArray, BuiltAnswer> m_builtAnswers;  // under m_lock
    qint64 m_builtAnswerBytes = 0;
    std::atomic<quint64> m_answersSent{0};
    std::atomic<quint64> m_answersShared{0};        // built once for several identical requests
    std::atomic<quint64> m_answersDroppedBusy{0};   // not answered: the budget in flight was full
    std::atomic<quint64> m_answersDroppedLarge{0};  // not answered: over messageCap()
    qint64 m_lastNotAnsweredLogMs = -1000000;        // under m_lock
    qint64 m_lastLocalCountLogMs = -1000000;
};

} // namespace Switchboard
