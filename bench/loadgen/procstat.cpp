#include "procstat.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace Switchboard::Bench {

namespace {

std::int64_t statusField(pid_t pid, const char *field)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", int(pid));
    FILE *f = std::fopen(path, "re");
    if (!f)
        return -1;
    char line[256];
    std::int64_t value = -1;
    const std::size_t n = std::strlen(field);
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, field, n) == 0 && line[n] == ':') {
            value = std::strtoll(line + n + 1, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    return value;
}

} // namespace

std::int64_t residentKiB(pid_t pid)
{
    return statusField(pid, "VmRSS");
}

std::int64_t peakResidentKiB(pid_t pid)
{
    return statusField(pid, "VmHWM");
}

double cpuSeconds(pid_t pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    FILE *f = std::fopen(path, "re");
    if (!f)
        return -1;
    char buffer[2048];
    const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
    std::fclose(f);
    buffer[n] = '\0';
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const char *p = std::strrchr(buffer, ')');
    if (!p)
        return -1;
    ++p;
    // After ')': field 3 (state) ... utime is field 14, stime field 15.
    unsigned long long utime = 0, stime = 0;
    int field = 2;
    while (*p && field < 15) {
        while (*p == ' ')
            ++p;
        ++field;
        if (field == 14)
            utime = std::strtoull(p, nullptr, 10);
        else if (field == 15)
            stime = std::strtoull(p, nullptr, 10);
        while (*p && *p != ' ')
            ++p;
    }
    if (field < 15)
        return -1;
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

double ownCpuSeconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::int64_t monotonicUs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

} // namespace Switchboard::Bench
