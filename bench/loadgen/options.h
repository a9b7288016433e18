#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

#include "engine.h"

namespace Switchboard::Bench {

/// Command-line settings of switchboard-loadgen. See usage() for what each one means.
struct Options
{
    std::string scenario = "mixed";
    std::string url = "ws://127.0.0.1:8080/ws";
    std::string url2;  // fanout: every other subscriber connects here (a second cluster node)
    std::string http = "http://127.0.0.1:8080";
    std::string protocolName = "native";
    std::string secret;
    std::string internalKey;
    std::string label;
    int connections = 1000;
    int rooms = 10;                   // mixed
    double httpRate = 0;              // mixed: HTTP emits per second
    double clientRate = 0;            // mixed: client emits per second
    double duration = 10;             // seconds of traffic (mixed) or per measurement (fanout, echo)
    double warmup = 1;                // seconds before each measurement
    double connectRate = 0;           // new connections per second over all processes; 0 = no limit
    int concurrency = 256;            // handshakes in flight per process
    int procs = 0;                    // 0 = enough for the descriptor limit
    int sources = 4;                  // loopback source addresses per process
    pid_t serverPid = 0;
    std::string serverMetrics;        // fanout: Switchboard's GET /metrics, read around each latency level
    std::vector<int> steps{1000, 5000, 10000, 19000};   // idle
    double hold = 5;                                    // idle: seconds to hold the maximum
    std::vector<int> roomSizes{10, 100, 1000};          // fanout
    std::vector<int> payloads{20, 100, 1024};           // fanout
    std::vector<int> latencyPayloads{100};              // fanout: sizes measured at the levels
    std::vector<int> levels{25, 50, 75};                // fanout: % of saturation
    std::vector<int> rates;                             // fanout: fixed deliveries/s, the same for every server
    int window = 4;                                     // fanout: publishes in flight per room
    bool spin = false;                                  // poll without sleeping (no wake-ups to pay for)
    int stormCount = 0;                                 // storm: 0 = connections
    double timeout = 60;                                // seconds a phase may take to settle

    Endpoint endpoint;
    sockaddr_in httpAddress{};
    std::string httpHost;
};

/// Parses argv; prints the problem (or the help text) and returns false when the run should stop.
bool parseOptions(int argc, char **argv, Options *options, int *exitCode);

} // namespace Switchboard::Bench
