#include "decisioncache.h"

namespace Switchboard {

qint64 DecisionCache::cost(const QString &key, const JoinDecision &decision)
{
    // The key is held twice: in the entry and in the index.
    return kEntryOverhead + 2 * (2 * key.size() + decision.code.size() + decision.message.size());
}

std::optional<JoinDecision> DecisionCache::find(const QString &key, qint64 nowMs)
{
    const auto found = m_index.constFind(key);
    if (found == m_index.cend())
        return std::nullopt;
    const List::iterator it = *found;
    if (it->expiresAtMs <= nowMs) {
        erase(it);
        return std::nullopt;
    }
    m_lru.splice(m_lru.end(), m_lru, it);
    return it->decision;
}

void DecisionCache::insert(const QString &key, const JoinDecision &decision, qint64 expiresAtMs)
{
    const auto found = m_index.constFind(key);
    if (found != m_index.cend())
        erase(*found);
    const qint64 bytes = cost(key, decision);
    if (bytes > m_maxBytes)
        return;
    while (m_bytes + bytes > m_maxBytes && !m_lru.empty()) {
        erase(m_lru.begin());
        ++m_evictions;
    }
    m_lru.push_back({key, decision, expiresAtMs, bytes});
    m_index.insert(key, std::prev(m_lru.end()));
    m_bytes += bytes;
}

void DecisionCache::erase(List::iterator it)
{
    m_bytes -= it->cost;
    m_index.remove(it->key);
    m_lru.erase(it);
}

} // namespace Switchboard
