#pragma once

#include <atomic>
#include <mutex>

namespace Switchboard {

/**
 * @brief Runs a function once, whichever thread gets there first; the others wait for it.
 *
 * What std::call_once does, without its system call: glibc's pthread_once wakes waiters with a
 * futex call after every first run, whether anyone waits or not, and the emit path builds a
 * frame once per emit (one system call per HTTP emit, docs/benchmarks.md "HTTP ingest").
 * Here the first run takes an uncontended mutex (no system call) and later calls read one
 * atomic.
 */
class OnceFlag
{
public:
    template<typename Function>
    void run(Function &&function)
    {
        if (m_done.load(std::memory_order_acquire))
            return;
        std::lock_guard lock(m_mutex);
        if (m_done.load(std::memory_order_relaxed))
            return;
        function();
        m_done.store(true, std::memory_order_release);
    }

private:
    std::atomic<bool> m_done{false};
    std::mutex m_mutex;
};

} // namespace Switchboard
