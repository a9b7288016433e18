#pragma once

#include <atomic>
#include <type_traits>

namespace Switchboard {

/// Takes one of @p limit slots counted in @p used (any thread): false, and nothing taken, when
/// all are in use. The caller gives a taken slot back with fetch_sub(1). A connection cap
/// checked with one atomic, without a lock.
template <typename T>
bool takeSlot(std::atomic<T> &used, std::type_identity_t<T> limit)
{
    if (used.fetch_add(1, std::memory_order_relaxed) >= limit) {
        used.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

} // namespace Switchboard
