#pragma once

#include <list>
#include <optional>

#include <QtCore/QHash>
#include <QtCore/QString>

#include "transport/joinauthorizer.h"

namespace Switchboard {

/**
 * @brief The subscribe proxy's memory of its back end's decisions (docs/hooks.md): key
 * (a user and a room) -> decision, each until its own expiry, bounded in bytes.
 *
 * Least recently used entries are evicted (and counted) to make room; an entry larger than
 * the whole cap is not kept. Expired entries are dropped when looked up or evicted. Not
 * thread-safe: its owner locks.
 */
class DecisionCache final
{
public:
    /// Bytes an entry counts: its strings (UTF-16) plus kEntryOverhead for the list node,
    /// the hash entry and the string headers.
    static constexpr qint64 kEntryOverhead = 160;

    explicit DecisionCache(qint64 maxBytes) : m_maxBytes(maxBytes) {}

    /// The decision kept for @p key, unless it expired before @p nowMs (then it is dropped).
    std::optional<JoinDecision> find(const QString &key, qint64 nowMs);
    /// Keeps @p decision for @p key until @p expiresAtMs, replacing an older one.
    void insert(const QString &key, const JoinDecision &decision, qint64 expiresAtMs);

    static qint64 cost(const QString &key, const JoinDecision &decision);
    qint64 bytes() const { return m_bytes; }
    qint64 maxBytes() const { return m_maxBytes; }
    int size() const { return int(m_index.size()); }
    /// Entries evicted to make room for newer ones (not those dropped at a lookup as expired).
    quint64 evictions() const { return m_evictions; }

private:
    struct Entry
    {
        QString key;
        JoinDecision decision;
        qint64 expiresAtMs = 0;
        qint64 cost = 0;
    };
    using List = std::list<Entry>;

    void erase(List::iterator it);

    const qint64 m_maxBytes;
    List m_lru; // front: least recently used
    QHash<QString, List::iterator> m_index;
    qint64 m_bytes = 0;
    quint64 m_evictions = 0;
};

} // namespace Switchboard
