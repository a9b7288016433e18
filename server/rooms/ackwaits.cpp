#include "ackwaits.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include "emit.h"

namespace Switchboard {

namespace {

/// What one listed socket costs besides its reply: ids, field names, JSON punctuation.
constexpr qint64 kEntryBytes = 64;

QJsonObject socketJson(quint64 connectionId, const QString &userId)
{
    return {{QStringLiteral("connectionId"), QString::number(connectionId)}, {QStringLiteral("userId"), userId}};
}

} // namespace

struct AckWaits::Wait
{
    QString emitId;
    Done done;
    Progress progress;
    QHash<quint64, QString> pending;   // handed the emit, not answered yet
    QSet<quint64> answered;            // acked, nacked or timed out (before or after expect())
    QJsonArray acks;
    QJsonArray timedOut;
    qint64 bytes = 0;
    int omitted = 0;                   // entries over the byte bound
    int untracked = 0;                 // sockets not listed (too many): the wait runs to its end
    int delivered = 0;
    int reportsExpected = -1;          // unknown until the publish is done
    int reportsReceived = 0;
    bool localKnown = false;
    bool finished = false;

    bool complete() const
    {
        return localKnown && pending.isEmpty() && untracked == 0 && reportsExpected >= 0
            && reportsReceived >= reportsExpected;
    }
    /// Appends @p entry to @p list when it fits in @p maxBytes (true); counts it otherwise.
    bool keep(QJsonArray &list, const QJsonObject &entry, qint64 maxBytes)
    {
        const qint64 size = kEntryBytes + (entry.size() > 2 ? QJsonDocument(entry).toJson(QJsonDocument::Compact).size() : 0);
        if (bytes + size > maxBytes) {
            ++omitted;
            return false;
        }
        bytes += size;
        list.append(entry);
        return true;
    }
};

AckWaits::AckWaits(int maxWaits, qint64 maxBytes, QObject *parent)
    : QObject(parent), m_maxWaits(maxWaits), m_maxBytes(maxBytes)
{
}

AckWaits::~AckWaits()
{
    finishAll();
}

std::shared_ptr<AckWaits::Wait> AckWaits::findLocked(const QString &emitId) const
{
    const auto wait = m_waits.value(emitId);
    return wait && !wait->finished ? wait : nullptr;
}

AckWaits::Opened AckWaits::open(const QString &emitId, int waitMs, Done done, Progress progress)
{
    auto wait = std::make_shared<Wait>();
    wait->emitId = emitId;
    wait->done = std::move(done);
    wait->progress = std::move(progress);
    {
        QMutexLocker lock(&m_lock);
        if (m_waits.contains(emitId))
            return Opened::Duplicate;
        if (m_waits.size() >= m_maxWaits)
            return Opened::Full;
        m_waits.insert(emitId, wait);
        m_count.store(int(m_waits.size()), std::memory_order_relaxed);
    }
    // The timer lives on this object's thread; the caller (an I/O thread) only posts it.
    const qint64 deadline = QDateTime::currentMSecsSinceEpoch() + waitMs;
    std::weak_ptr<Wait> weak = wait;
    QMetaObject::invokeMethod(this, [this, weak, deadline] {
        const qint64 left = qMax<qint64>(0, deadline - QDateTime::currentMSecsSinceEpoch());
        QTimer::singleShot(int(left), Qt::PreciseTimer, this, [this, weak] {
            if (const auto wait = weak.lock())
                settle(wait, true);
        });
    }, Qt::QueuedConnection);
    return Opened::Ok;
}

void AckWaits::expect(const QString &emitId, const Targets &targets, int untracked, bool fromNode)
{
    std::shared_ptr<Wait> wait;
    {
        QMutexLocker lock(&m_lock);
        wait = findLocked(emitId);
        if (!wait)
            return;
        const qint64 maxTracked = qMax<qint64>(1, m_maxBytes / kEntryBytes);
        for (const auto &[id, user] : targets) {
            ++wait->delivered;
            if (wait->answered.contains(id) || wait->pending.contains(id))
                continue;
            if (wait->pending.size() < maxTracked)
                wait->pending.insert(id, user);
            else
                ++wait->untracked;
        }
        wait->untracked += untracked;
        wait->delivered += untracked;
        if (fromNode)
            ++wait->reportsReceived;
        else
            wait->localKnown = true;
        if (!wait->complete())
            return;
    }
    settle(wait, false);
}

void AckWaits::emitted(const QString &emitId, const EmitResult &result)
{
    if (!result.error.isEmpty())
        return finish(emitId);
    if (!result.publishPending)
        expectReports(emitId, 0);
    expect(emitId, result.targets, result.moreTargets);
}

void AckWaits::expectReports(const QString &emitId, int nodes)
{
    std::shared_ptr<Wait> wait;
    {
        QMutexLocker lock(&m_lock);
        wait = findLocked(emitId);
        if (!wait)
            return;
        wait->reportsExpected = nodes;
        if (!wait->complete())
            return;
    }
    settle(wait, false);
}

void AckWaits::offer(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                     const QString &error, const QJsonArray &args)
{
    if (m_count.load(std::memory_order_relaxed) == 0)
        return; // nobody waits: the common case costs no lock
    std::shared_ptr<Wait> wait;
    {
        QMutexLocker lock(&m_lock);
        wait = findLocked(emitId);
        if (!wait || wait->answered.contains(connectionId))
            return;
        wait->answered.insert(connectionId);
        wait->pending.remove(connectionId);
        QJsonObject entry = socketJson(connectionId, userId);
        if (!ok && error == QLatin1String("ack timeout")) {
            // The socket's own deadline (--socketio-ack-timeout) passed first.
            wait->keep(wait->timedOut, entry, m_maxBytes);
        } else {
            entry.insert(QStringLiteral("ok"), ok);
            if (!args.isEmpty())
                entry.insert(QStringLiteral("data"), args.at(0));
            if (args.size() > 1)
                entry.insert(QStringLiteral("args"), args);
            if (!ok)
                entry.insert(QStringLiteral("error"), error);
            if (wait->keep(wait->acks, entry, m_maxBytes) && wait->progress)
                wait->progress(emitId, entry);
        }
        if (!wait->complete())
            return;
    }
    settle(wait, false);
}

void AckWaits::finish(const QString &emitId)
{
    std::shared_ptr<Wait> wait;
    {
        QMutexLocker lock(&m_lock);
        wait = findLocked(emitId);
    }
    if (wait)
        settle(wait, true);
}

void AckWaits::finishAll()
{
    QList<std::shared_ptr<Wait>> all;
    {
        QMutexLocker lock(&m_lock);
        all = m_waits.values();
    }
    for (const auto &wait : std::as_const(all))
        settle(wait, true);
}

void AckWaits::settle(const std::shared_ptr<Wait> &wait, bool timedOut)
{
    QJsonObject result;
    {
        QMutexLocker lock(&m_lock);
        if (wait->finished)
            return;
        wait->finished = true;
        wait->progress = nullptr;
        m_waits.remove(wait->emitId);
        m_count.store(int(m_waits.size()), std::memory_order_relaxed);
        for (auto it = wait->pending.cbegin(); it != wait->pending.cend(); ++it)
            wait->keep(wait->timedOut, socketJson(it.key(), it.value()), m_maxBytes);
        result = {{QStringLiteral("delivered"), wait->delivered},
                  {QStringLiteral("acks"), wait->acks},
                  {QStringLiteral("timedOut"), wait->timedOut},
                  {QStringLiteral("complete"), !timedOut || wait->complete()},
                  {QStringLiteral("omitted"), wait->omitted},
                  {QStringLiteral("untracked"), wait->untracked},
                  {QStringLiteral("nodesExpected"), qMax(0, wait->reportsExpected)},
                  {QStringLiteral("nodesReported"), wait->reportsReceived}};
    }
    if (wait->done)
        wait->done(result);
}

} // namespace Switchboard
