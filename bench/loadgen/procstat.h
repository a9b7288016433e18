#pragma once

#include <cstdint>
#include <sys/types.h>

namespace Switchboard::Bench {

/// Resident set size of @p pid in KiB (VmRSS in /proc/<pid>/status); -1 when unreadable.
std::int64_t residentKiB(pid_t pid);

/// Peak resident set size (VmHWM) in KiB; -1 when unreadable.
std::int64_t peakResidentKiB(pid_t pid);

/// utime + stime of @p pid (all its threads) in seconds, from /proc/<pid>/stat; -1 when unreadable.
double cpuSeconds(pid_t pid);

/// CPU seconds (user + system) this process has used.
double ownCpuSeconds();

/// CLOCK_MONOTONIC in microseconds: shared by every process on the box, so a timestamp taken
/// in one load-generator process can be compared with a receive time in another.
std::int64_t monotonicUs();

} // namespace Switchboard::Bench
