#pragma once

#include <vector>

#include <QtCore/QString>

namespace Switchboard {

/**
 * @brief The ids of the acked events a native connection was sent and has not answered yet,
 * so that its "ack"/"nack" can only answer those (docs/hooks.md, "Acks back to the emitter"):
 * a client cannot put an answer into the wait of an emit it never got.
 *
 * Bounded: the last kCapacity ids; an older unanswered one is forgotten, and a late answer to
 * it is refused like an unknown id. The strings are shared with the frame (no copy per
 * connection). The ring grows as ids come (a connection never sent an acked event holds
 * nothing: 128 strings inline were 3 KiB of every idle connection). Used on the
 * connection's thread only.
 */
class SentAcks final
{
public:
    static constexpr int kCapacity = 128;

    void add(const QString &id)
    {
        if (m_ids.size() < size_t(kCapacity)) {
            m_ids.push_back(id);
            return;
        }
        m_ids[size_t(m_next)] = id;
        m_next = (m_next + 1) % kCapacity;
    }
    /// True (and forgets it) when @p id was sent and not answered yet.
    bool take(const QString &id)
    {
        if (id.isEmpty())
            return false;
        for (QString &sent : m_ids) {
            if (sent.size() == id.size() && sent == id) {
                sent.clear();
                return true;
            }
        }
        return false;
    }

private:
    std::vector<QString> m_ids; // up to kCapacity; once full, m_next is the oldest
    int m_next = 0;
};

} // namespace Switchboard
