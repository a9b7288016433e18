#include "eventlog.h"

#include <QtCore/QDateTime>

namespace Switchboard {

namespace {

/// A copy of at most @p max characters: never shares a (possibly huge) caller's buffer.
QString bounded(const QString &text, int max)
{
    if (text.size() <= max)
        return text;
    return text.left(max) + QStringLiteral("…");
}

} // namespace

EventLog::EventLog(int capacity, int perSecondBudget)
    : m_capacity(qMax(1, capacity)), m_budget(qMax(1, perSecondBudget))
{
    m_ring.resize(size_t(m_capacity));
}

bool EventLog::admit(qint64 nowMs)
{
    const qint64 second = nowMs / 1000;
    qint64 window = m_windowSecond.load(std::memory_order_relaxed);
    if (window != second && m_windowSecond.compare_exchange_strong(window, second))
        m_windowCount.store(0, std::memory_order_relaxed);
    if (m_windowCount.fetch_add(1, std::memory_order_relaxed) < m_budget)
        return true;
    m_skipped.fetch_add(1, std::memory_order_relaxed);
    return false;
}

void EventLog::append(Direction direction, const QString &name, const QString &room,
                      const QString &userId, quint64 connectionId, const QString &detail)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // System rows (connects, auth failures) are rare and always kept.
    if (direction != Direction::System && !admit(now))
        return;
    QMutexLocker lock(&m_mutex);
    Entry &e = m_ring[size_t(m_nextSeq % quint64(m_capacity))];
    e.seq = m_nextSeq++;
    e.timestampMs = now;
    e.direction = direction;
    e.name = bounded(name, kMaxFieldChars);
    e.room = bounded(room, kMaxFieldChars);
    e.userId = bounded(userId, kMaxFieldChars);
    e.connectionId = connectionId;
    e.detail = bounded(detail, kMaxDetailChars);
}

QList<EventLog::Entry> EventLog::since(quint64 afterSeq) const
{
    QMutexLocker lock(&m_mutex);
    QList<Entry> out;
    const quint64 last = m_nextSeq - 1;
    const quint64 oldest = last >= quint64(m_capacity) ? last - quint64(m_capacity) + 1 : 1;
    for (quint64 seq = qMax(afterSeq + 1, oldest); seq <= last; ++seq)
        out.append(m_ring[size_t(seq % quint64(m_capacity))]);
    return out;
}

quint64 EventLog::lastSeq() const
{
    QMutexLocker lock(&m_mutex);
    return m_nextSeq - 1;
}

QString EventLog::directionName(Direction d)
{
    switch (d) {
    case Direction::In: return QStringLiteral("in");
    case Direction::Out: return QStringLiteral("out");
    case Direction::System: return QStringLiteral("system");
    }
    return {};
}

} // namespace Switchboard
