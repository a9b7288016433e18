#pragma once

#include <cstddef>
#include <vector>

namespace Switchboard::RoundRobin {

// Fair dispatch over a queue's consumers, shared by QueueEngine (one node) and
// RedisQueueBackend (a node's own consumers of a cluster queue). A consumer is any type with
// `active`, `inFlight` and `prefetch`; @p cursor is where the next search starts.

/// The next consumer after the last one served that has room for a job (null when none has),
/// and the cursor moved past it.
template <typename Consumer>
Consumer *next(std::vector<Consumer> &consumers, size_t &cursor)
{
    const size_t n = consumers.size();
    for (size_t i = 0; i < n; ++i) {
        const size_t index = (cursor + i) % n;
        Consumer &c = consumers[index];
        if (c.active && c.inFlight < c.prefetch) {
            cursor = (index + 1) % n;
            return &c;
        }
    }
    return nullptr;
}

/// Removes consumers[@p index], keeping @p cursor on the same next consumer.
template <typename Consumer>
void erase(std::vector<Consumer> &consumers, size_t index, size_t &cursor)
{
    consumers.erase(consumers.begin() + std::ptrdiff_t(index));
    if (cursor > index)
        --cursor;
    if (cursor >= consumers.size())
        cursor = 0;
}

} // namespace Switchboard::RoundRobin
