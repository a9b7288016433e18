#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace Switchboard::Bench {

/**
 * @brief Switchboard's own emit latency histogram (switchboard_emit_latency_seconds on
 * GET /metrics: emit accepted -> frame handed to the socket), read between measurements so a
 * fan-out's latency can be split into the server's share and the rest (the kernel's socket
 * buffers and the load generator's reading).
 */
struct ServerLatency
{
    std::vector<double> boundsMs;          // bucket upper bounds; +Inf last
    std::vector<std::uint64_t> cumulative; // Prometheus' cumulative counts, per bound
    bool ok() const { return !cumulative.empty(); }
};

/// GET @p url (http://IPv4:port/path) with a 2 s timeout; an empty result when it fails or the
/// answer has no emit latency histogram (a peer, or no URL).
ServerLatency readServerLatency(const std::string &url);

/// The upper bound, in ms, of the bucket holding quantile @p q of what was recorded between
/// @p before and @p after; NaN when either is empty or nothing was recorded.
double serverQuantileMs(const ServerLatency &before, const ServerLatency &after, double q);

} // namespace Switchboard::Bench
