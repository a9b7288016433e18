#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QPair>
#include <QtCore/QString>

namespace Switchboard {

struct EmitResult;

/**
 * @brief Acked emits whose emitter waits for the clients' answers ("ack": true, "waitMs": N
 * on POST /api/v1/internal/emit; docs/hooks.md, "Acks back to the emitter").
 *
 * A wait knows the sockets its emit was handed to: this node's (expect() with the emit's
 * EmitResult::targets) and, in a cluster, every other Switchboard node's, which report theirs
 * (expect() with @p fromNode) once they delivered it; expectReports() says how many nodes will.
 * Acks arrive through offer() from any thread (Server::reportAck). The wait ends when every
 * expected socket answered and every node reported, or after waitMs, and hands its result to
 * the emitter: {"delivered", "acks": [...], "timedOut": [...], "complete", "omitted", "untracked",
 * "nodesReported", "nodesExpected"}.
 *
 * Bounded: at most maxWaits at once (open() refuses more), and per wait at most maxBytes of
 * ack replies and listed sockets; beyond it entries are only counted ("omitted"). Nothing
 * here blocks: the waiting HTTP request is a deferred answer, and the timers run on the
 * thread this object lives in (the Server's).
 */
class AckWaits final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AckWaits)

public:
    using Done = std::function<void(const QJsonObject &)>;
    /// One answer of emit @p emitId as the wait keeps it: {"connectionId", "userId", "ok",
    /// "data"?, "args"?, "error"?}.
    using Progress = std::function<void(const QString &emitId, const QJsonObject &ack)>;
    using Targets = QList<QPair<quint64, QString>>;

    AckWaits(int maxWaits, qint64 maxBytes, QObject *parent = nullptr);
    ~AckWaits() override;

    enum class Opened { Ok, Full, Duplicate };
    /// Starts waiting up to @p waitMs for the acks of emit @p emitId (any thread). @p done
    /// runs once, on any thread, with the result. @p progress, if set (the admin channel's
    /// "acks" pushes), gets each answer the wait keeps in "acks" as it comes (not those over
    /// the byte bound, not the timed out), on the thread that offered it and under this
    /// object's lock, so every call comes before @p done: it must only post.
    Opened open(const QString &emitId, int waitMs, Done done, Progress progress = {});
    /// @p targets (connection id, user id) were handed emit @p emitId, and @p untracked more
    /// that are not listed. With @p fromNode, one other node's report.
    void expect(const QString &emitId, const Targets &targets, int untracked, bool fromNode = false);
    /// How many other nodes will report their targets (0 on a single node, or when the emit
    /// was not published).
    void expectReports(const QString &emitId, int nodes);
    /// What the emit of a wait gave (EmitResult, from Server::emitEvent): a failed emit ends
    /// the wait; else this node's targets are expected, and no node's report when the emit
    /// was not being published (a publish pending reports through expectReports()).
    void emitted(const QString &emitId, const EmitResult &result);
    /// A client answered emit @p emitId; an "ack timeout" nack (Socket.IO's own deadline) counts
    /// as timed out.
    void offer(const QString &emitId, quint64 connectionId, const QString &userId, bool ok, const QString &error,
               const QJsonArray &args);
    /// Ends the wait for @p emitId now with what it has (the emit failed, the server stops).
    void finish(const QString &emitId);
    void finishAll();
    int waiting() const { return m_count.load(std::memory_order_relaxed); }

private:
    struct Wait;
    /// Called without the lock held: removes @p wait and answers its emitter.
    void settle(const std::shared_ptr<Wait> &wait, bool timedOut);
    std::shared_ptr<Wait> findLocked(const QString &emitId) const;

    const int m_maxWaits;
    const qint64 m_maxBytes;
    mutable QMutex m_lock;
    QHash<QString, std::shared_ptr<Wait>> m_waits;
    std::atomic<int> m_count{0};
};

} // namespace Switchboard
