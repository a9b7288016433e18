#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QtCore/QJsonValue>

#include "connection.h"
#include "queue/queuebackend.h"
#include "sentacks.h"

namespace Switchboard {

class WsStream;

/**
 * @brief A client speaking the native JSON protocol over a WebSocket on /ws.
 *
 * Authenticated before it is built (IoWorker::accept, or IoWorker::preAuthText for a
 * client that authenticated in-band), so it is active from the start.
 */
class NativeConnection final : public Connection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NativeConnection)

public:
    NativeConnection(IoWorker &worker, Server &server, std::unique_ptr<WsStream> socket,
                     std::shared_ptr<ConnectionInfo> info, const QStringList &rooms,
                     const std::optional<QJsonValue> &authenticatedId = std::nullopt);
    ~NativeConnection() override;

    /// {"type":"auth_error","code":…,"message":…} (+ "id" when the authenticate had one).
    static QString authError(const QString &code, const QString &message, const QJsonValue &id);

    /// Sends the recorded events after offset @p since that this connection's rooms got
    /// (?since= on connect, or {"type":"resume"}; docs/protocol.md, "Resume"), then
    /// "resumed"; "resume_failed" when they are no longer all kept. Live events wait meanwhile.
    void resume(const QString &since, const QJsonValue &id = {});

    bool deliver(const OutboundFrame &frame) override;
    void sendJob(const QString &queue, qint64 id, const QString &frame) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool isClosing() const override { return m_closingSinceMs != 0; }
    void heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs) override;
    void sendPresence(const QString &nsp, const QString &event, const QJsonObject &data) override;

protected:
    void tokenExpiring(int seconds) override;
    void applyLimits(const LiveLimits &limits) override;

    /// Queues a text frame; false when closing or over the byte budget (then dropped as slow).
    bool send(const QString &text);

private:
    void deliverOffline(const QList<OfflineStore::Pending> &events) override;
    /// Whether a frame may go out now (open and not closing).
    bool writable();
    void sent(qint64 payloadBytes);
    void onText(const QByteArray &utf8);
    void onDisconnected();
    void handle(const QJsonObject &message);
    void handleSubscribe(const QJsonObject &message, bool subscribe);
    /// {"type":"presence_subscribe"|"presence_unsubscribe","room":...} (docs/protocol.md).
    void handlePresence(const QJsonObject &message, bool subscribe);
    /// subscribe / unsubscribe with "topics": [...]: each room checked like a single one.
    void handleTopics(const QJsonObject &message, bool subscribe);
    /// {"type":"subscribed"|"unsubscribed","channel"} or the error with @p refused.
    void answerRoomChange(const QString &room, bool subscribe, const QJsonValue &id, const Refusal &refused);
    /// The one answer to a "topics" subscribe: the rooms done, and those refused with why.
    void answerTopics(const QList<std::pair<QString, Refusal>> &results, bool subscribe, const QJsonValue &id);
    /// Why this connection may not join (or leave) @p room; empty when it may.
    Refusal checkRoomChange(const QString &room, bool subscribe) const;
    void handleEmit(const QJsonObject &message);
    /// {"type":"refresh","token":...}: a new valid token for the same user moves the expiry.
    /// {"type":"authenticate",...} on an authenticated connection does the same, answered
    /// like the in-band authentication ("authenticated" / "auth_error").
    void handleRefresh(const QJsonObject &message, bool authenticate);
    void handleConsume(const QJsonObject &message, bool consume);
    /// A message whose type an event-proxy rule takes (docs/hooks.md): answered later with
    /// {"type":"reply"} or {"type":"error"}, with the message's id.
    void handleHooked(const QString &type, const QJsonObject &message);
    /// For answers from the queue thread: runs a task on this connection's thread, behind
    /// everything the queue thread sent it before (jobs, earlier answers), if it is still open.
    std::function<void(std::function<void(NativeConnection *)>)> fromQueueThread() const;
    /// The queue thread's answer to a consume (see QueueService::consumeIfKnown).
    void consumeAnswered(const QString &queue, QueueBackend::ConsumeAnswer answer, int prefetch, qint64 visibilityMs, const QJsonValue &id);
    void handleSettle(const QString &type, const QJsonObject &message);
    bool isSettlingHeldWork(const QJsonObject &message) const;
    void sendConnected();
    void sendAuthenticated(const QJsonValue &id);

    std::unique_ptr<WsStream> m_socket;
    qint64 m_lastSeenMs = 0;
    qint64 m_lastPingMs = 0;
    qint64 m_closingSinceMs = 0;
    int m_closeCode = 0;
    bool m_gone = false;
    SentAcks m_sentAcks; // acked events sent, not answered yet: the only ids an ack may answer

    // Resume (nativeresume.cpp): live frames wait while the missed ones are read, bounded.
    struct HeldFrame
    {
        QByteArray frame;
        qsizetype payloadSize = 0;
        quint64 offset = 0;
        QString ackId; // non-empty for an acked frame
    };
    void resumeRead(quint64 call, quint64 after, const QJsonValue &id, bool ok, const QString &error,
                    const std::vector<std::shared_ptr<const OutboundFrame>> &frames);
    /// Sends the held live frames the replay did not cover, and ends the resume.
    void releaseHeld(quint64 replayedUpTo);
    bool sendNative(const QByteArray &frame, qsizetype payloadSize, const QString &ackId);
    /// A live frame that came while a resume is read; false when the hold is over its bound.
    bool hold(const OutboundFrame &frame);
    /// A recorded event was sent (live, held or replayed): a later resume does not send it again.
    void noteSent(quint64 offset);
    static constexpr size_t kSentOffsets = 512;
    quint64 m_resumeCall = 0;  // non-zero: a resume read is under way
    quint64 m_resumeCalls = 0;
    QString m_resumeSince;      // of the resume under way, for its answer
    QJsonValue m_resumeId;
    quint64 m_replayedUpTo = 0; // live copies of replayed events are skipped
    std::vector<HeldFrame> m_held;
    qint64 m_heldBytes = 0;
    // The offsets of the last kSentOffsets recorded events sent, a ring (allocated at the first).
    std::vector<quint64> m_sentOffsets;
    size_t m_sentNext = 0;
    // At least the newest offset the ring no longer holds: once the ring has gone round, the
    // newest of its earlier laps. (Reading back each slot's old value instead cost a cache miss
    // per recipient of a big room, 4 % of a delivery: issue 19.)
    quint64 m_sentForgottenUpTo = 0;
    quint64 m_sentEarlierLaps = 0; // the newest offset of the laps before the current one
    quint64 m_sentThisLap = 0;     // the newest offset of the current lap
};

} // namespace Switchboard
