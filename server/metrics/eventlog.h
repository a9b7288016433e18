#pragma once

#include <atomic>
#include <vector>

#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QString>

namespace Switchboard {

/**
 * @brief Bounded log of what passed through the server, for the console's Events page.
 *
 * A ring of at most @c capacity rows. Under load it samples: at most @c perSecondBudget rows
 * are kept per second and the rest are only counted (skipped()), so logging never makes the
 * fan-out path wait on a busy reader.
 *
 * Bounded in bytes too: name, room and user id keep at most kMaxFieldChars characters and
 * the detail kMaxDetailChars (longer ones are cut there and end in "…"), so a row holds at most about 2.6 KB
 * of text whatever clients send, and the default ring at most about 26 MB.
 */
class EventLog final
{
public:
    enum class Direction { In, Out, System };

    struct Entry
    {
        quint64 seq = 0;
        qint64 timestampMs = 0;
        Direction direction = Direction::System;
        QString name;      // event name, or system kind ("connect", "disconnect", "auth_failure")
        QString room;
        QString userId;
        quint64 connectionId = 0;
        QString detail;    // payload preview or reason
    };

    static constexpr int kMaxFieldChars = 256;
    static constexpr int kMaxDetailChars = 512;

    explicit EventLog(int capacity = 10000, int perSecondBudget = 2000);

    void append(Direction direction, const QString &name, const QString &room,
                const QString &userId, quint64 connectionId, const QString &detail);

    /// Rows with seq > @p afterSeq, oldest first (at most capacity).
    QList<Entry> since(quint64 afterSeq) const;
    quint64 lastSeq() const;
    quint64 skipped() const { return m_skipped.load(std::memory_order_relaxed); }
    int capacity() const { return m_capacity; }

    static QString directionName(Direction d);

private:
    bool admit(qint64 nowMs);

    const int m_capacity;
    const int m_budget;
    std::atomic<qint64> m_windowSecond{0};
    std::atomic<int> m_windowCount{0};
    std::atomic<quint64> m_skipped{0};
    mutable QMutex m_mutex;
    std::vector<Entry> m_ring;
    quint64 m_nextSeq = 1;
};

} // namespace Switchboard
