#pragma once

#include <cstdint>
#include <type_traits>

#include "histogram.h"

namespace Switchboard::Bench {

/// What the parent asks every load process to do next. Sent as plain bytes over a socketpair
/// (the processes are forks of one binary).
struct Command
{
    enum Kind : std::int32_t { Connect, Saturate, Rate, Echo, Storm, Hold, CloseAll, Mixed, Quit };
    Kind kind = Quit;
    std::int32_t roomSize = 0;
    std::int32_t payload = 0;
    std::int64_t count = 0;      // clients this process should have (Connect) or open (Storm)
    double rate = 0;             // per process: publishes/s (Rate), connects/s, HTTP emits/s (Mixed)
    double rate2 = 0;            // per process: client emits/s (Mixed)
    double duration = 0;         // seconds measured
    double warmup = 0;           // seconds before measuring
};

/// What a load process answers after a command; the parent adds the reports up.
struct Report
{
    std::int64_t attempted = 0;      // connections started
    std::int64_t opened = 0;         // connections welcomed
    std::int64_t failed = 0;         // connections that ended before they were welcomed
    std::int64_t ready = 0;          // welcomed and every room join confirmed
    std::int64_t live = 0;           // open when the command finished
    std::int64_t closedByServer = 0; // open connections the server closed during the command
    std::int64_t cleanClosed = 0;    // close handshakes completed (CloseAll)
    std::int64_t published = 0;      // emits sent in the measured window
    std::int64_t received = 0;       // deliveries (or replies) counted
    std::int64_t expected = 0;       // deliveries the measured publishes should produce
    std::int64_t lost = 0;           // deliveries given up on
    std::int64_t serverErrors = 0;   // {"type":"error"} messages received
    std::int64_t httpErrors = 0;
    std::int64_t protocolErrors = 0;
    std::int64_t firstUs = 0;        // storm: first connect started
    std::int64_t lastUs = 0;         // storm: last welcome received
    std::int64_t halfUs = 0;         // storm: when half of this process's connections were welcomed
    std::int64_t maxLagUs = 0;       // how far the publish schedule fell behind
    std::int32_t lastCloseCode = 0;  // the last code a server close carried
    double seconds = 0;              // length of the measured window
    double cpuSeconds = 0;           // this process's CPU time during the command
    char lastError[160] = {};
    char tls[64] = {};               // wss://: protocol and cipher suite negotiated
    Histogram histogram;             // latencies in microseconds
};

static_assert(std::is_trivially_copyable_v<Command>);
static_assert(std::is_trivially_copyable_v<Report>);

} // namespace Switchboard::Bench
