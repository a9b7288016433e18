#include "options.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <arpa/inet.h>

namespace Switchboard::Bench {

namespace {

const char *const kUsage = R"(Usage: switchboard-loadgen [options]

Native load generator for Switchboard and the peers in bench/peers (epoll, its own RFC 6455
client). Prints one JSON line of results on stdout, progress on stderr.

Scenarios (--scenario):
  idle     ramp to --steps connections (each joins a room of 100) and report the server's
           RSS per connection at each step; hold the last step for --hold seconds
  fanout   --connections subscribers, each in one room of every --room-sizes size, plus one
           publisher per room; per room size and payload: deliveries/s at saturation (closed
           loop, --window publishes in flight per room), then p50/p99/p99.9 publish->receive
           latency at --levels percent of that rate for --latency-payloads sizes
  storm    open --storm-count connections as fast as --concurrency allows: handshakes/s
           (JWT verified by the server), handshake time percentiles, failures
  echo     --connections clients, each with one request outstanding (native ping/pong,
           Socket.IO "echo"): round trips/s and round-trip percentiles
  mixed    (default) the previous Qt loadgen's run: --connections clients in --rooms rooms,
           --http-rate emits/s over POST /api/v1/internal/emit and --client-rate client emits/s
           for --duration seconds

Options:
  --url URL              WebSocket URL (ws://127.0.0.1:8080/ws; Socket.IO: ws://host:port/socket.io/);
                         wss:// makes every WebSocket connection TLS (OpenSSL, TLS 1.2 or 1.3 as
                         negotiated; the certificate is not checked unless --tls-ca is given)
  --url2 URL             fanout: every other subscriber connects to this URL instead (another
                         node of a cluster, same path and scheme); publishers stay on --url
  --tls-ca FILE          wss://: check the server's certificate against these PEM CA
                         certificates and the URL's host (name or IPv4 address)
  --protocol P           native (Switchboard, ws and raw peers), socketio (the Socket.IO peer:
                         join_room -> "subscribed", 42["emit",{room,event,data}]) or
                         switchboard-socketio (Switchboard's /socket.io/: join_room with an ack,
                         42["bench",{"room":R,...}] relayed to the room; no echo scenario)
  --http URL             base HTTP URL for emits (mixed; http:// only)
  --secret S             JWT secret to mint client tokens (HS256)
  --internal-key K       x-internal-key for HTTP emits (mixed)
  --connections N        clients (fanout: subscribers; idle: upper bound of --steps)
  --rooms N              rooms bench:0..N-1 (mixed)
  --http-rate N          HTTP emits per second (mixed)
  --client-rate N        client emits per second (mixed)
  --duration S           seconds of traffic (mixed) or of each measurement
  --warmup S             seconds before each measurement (default 1)
  --connect-rate N       new connections per second in total (default: unlimited)
  --concurrency N        handshakes in flight per process (default 256)
  --procs N              load processes (default: enough for 15,000 sockets each)
  --sources N            loopback source addresses per process, 127.0.0.2 upwards (default 4)
  --server-pid PID       read the server's RSS and CPU time from /proc/PID
  --server-metrics URL   fanout: Switchboard's http://IP:PORT/metrics; each latency level also
                         reports the server's own emit latency over it (serverP50Ms, serverP99Ms)
  --label TEXT           label in the JSON result
  --steps A,B,...        idle: connection counts (default 1000,5000,10000,19000)
  --hold S               idle: seconds to hold the last step (default 5)
  --room-sizes A,B,...   fanout room sizes (default 10,100,1000)
  --payloads A,B,...     fanout payload sizes in bytes (default 20,100,1024)
  --latency-payloads ... fanout sizes measured at the latency levels (default 100)
  --levels A,B,...       fanout latency levels in % of saturation (default 25,50,75)
  --rates A,B,...        fanout latency also at these deliveries/s, the same for every server (default none)
  --window N             fanout: publishes in flight per room at saturation (default 4)
  --spin 0|1             1: poll the sockets without ever sleeping, so the server never pays
                         for waking the load process (its CPU share then reads 100 %; default 0)
  --storm-count N        storm: connections to open (default --connections)
  --timeout S            seconds a phase may take to settle (default 60)
  --help
)";

bool parseList(const char *text, std::vector<int> *out)
{
    out->clear();
    std::string_view s(text);
    while (!s.empty()) {
        const std::size_t comma = s.find(',');
        const std::string item(s.substr(0, comma));
        char *end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v <= 0)
            return false;
        out->push_back(int(v));
        if (comma == std::string_view::npos)
            break;
        s.remove_prefix(comma + 1);
    }
    return !out->empty();
}

/// "ws://host:port/path?query" -> address, Host header and target (port 80, or 443 for a
/// scheme ending in "s://", when none is given). Only IPv4 literals and
/// "localhost": the load generator never resolves names.
bool parseUrl(const std::string &url, std::string_view scheme, sockaddr_in *address, std::string *host, std::string *path)
{
    if (url.compare(0, scheme.size(), scheme) != 0)
        return false;
    const std::string rest = url.substr(scheme.size());
    const std::size_t slash = rest.find('/');
    *host = rest.substr(0, slash);
    *path = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string name = *host;
    int port = scheme.size() >= 4 && scheme.substr(scheme.size() - 4) == "s://" ? 443 : 80;
    const std::size_t colon = name.rfind(':');
    if (colon != std::string::npos) {
        port = std::atoi(name.c_str() + colon + 1);
        name.resize(colon);
    }
    if (name == "localhost")
        name = "127.0.0.1";
    *address = {};
    address->sin_family = AF_INET;
    address->sin_port = htons(std::uint16_t(port));
    return port > 0 && port < 65536 && ::inet_pton(AF_INET, name.c_str(), &address->sin_addr) == 1;
}

} // namespace

bool parseOptions(int argc, char **argv, Options *o, int *exitCode)
{
    *exitCode = 2;
    for (int i = 1; i < argc; ++i) {
        std::string name = argv[i];
        std::string value;
        if (name == "--help" || name == "-h") {
            std::fputs(kUsage, stdout);
            *exitCode = 0;
            return false;
        }
        if (name.rfind("--", 0) != 0) {
            std::fprintf(stderr, "unexpected argument %s (see --help)\n", argv[i]);
            return false;
        }
        const std::size_t eq = name.find('=');
        if (eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            std::fprintf(stderr, "%s needs a value\n", name.c_str());
            return false;
        }
        name.erase(0, 2);
        const char *v = value.c_str();
        char *end = nullptr;
        auto number = [&](double *out) {
            *out = std::strtod(v, &end);
            return end != v && *end == '\0' && *out >= 0;
        };
        auto integer = [&](int *out) {
            const long n = std::strtol(v, &end, 10);
            *out = int(n);
            return end != v && *end == '\0' && n >= 0;
        };
        bool ok = true;
        if (name == "scenario") o->scenario = value;
        else if (name == "url") o->url = value;
        else if (name == "url2") o->url2 = value;
        else if (name == "http") o->http = value;
        else if (name == "protocol") o->protocolName = value;
        else if (name == "secret") o->secret = value;
        else if (name == "internal-key") o->internalKey = value;
        else if (name == "tls-ca") o->endpoint.tlsCa = value;
        else if (name == "label") o->label = value;
        else if (name == "connections") ok = integer(&o->connections);
        else if (name == "rooms") ok = integer(&o->rooms) && o->rooms > 0;
        else if (name == "http-rate") ok = number(&o->httpRate);
        else if (name == "client-rate") ok = number(&o->clientRate);
        else if (name == "duration") ok = number(&o->duration) && o->duration > 0;
        else if (name == "warmup") ok = number(&o->warmup);
        else if (name == "connect-rate") ok = number(&o->connectRate);
        else if (name == "concurrency") ok = integer(&o->concurrency) && o->concurrency > 0;
        else if (name == "procs") ok = integer(&o->procs);
        else if (name == "sources") ok = integer(&o->sources) && o->sources > 0 && o->sources <= 50;
        else if (name == "server-pid") { int pid = 0; ok = integer(&pid); o->serverPid = pid; }
        else if (name == "server-metrics") o->serverMetrics = value;
        else if (name == "steps") ok = parseList(v, &o->steps);
        else if (name == "hold") ok = number(&o->hold);
        else if (name == "room-sizes") ok = parseList(v, &o->roomSizes);
        else if (name == "payloads") ok = parseList(v, &o->payloads);
        else if (name == "latency-payloads") ok = parseList(v, &o->latencyPayloads);
        else if (name == "levels") ok = parseList(v, &o->levels);
        else if (name == "rates") ok = parseList(v, &o->rates);
        else if (name == "window") ok = integer(&o->window) && o->window > 0;
        else if (name == "spin") { int spin = 0; ok = integer(&spin) && spin <= 1; o->spin = spin == 1; }
        else if (name == "storm-count") ok = integer(&o->stormCount);
        else if (name == "timeout") ok = number(&o->timeout) && o->timeout > 0;
        else {
            std::fprintf(stderr, "unknown option --%s (see --help)\n", name.c_str());
            return false;
        }
        if (!ok) {
            std::fprintf(stderr, "invalid value for --%s: %s\n", name.c_str(), v);
            return false;
        }
    }
    static const char *const scenarios[] = {"idle", "fanout", "storm", "echo", "mixed"};
    bool known = false;
    for (const char *s : scenarios)
        known = known || o->scenario == s;
    if (!known) {
        std::fprintf(stderr, "unknown scenario %s (idle, fanout, storm, echo, mixed)\n", o->scenario.c_str());
        return false;
    }
    if (o->protocolName == "native") {
        o->endpoint.protocol = Protocol::Native;
    } else if (o->protocolName == "socketio") {
        o->endpoint.protocol = Protocol::SocketIo;
    } else if (o->protocolName == "switchboard-socketio") {
        o->endpoint.protocol = Protocol::SwitchboardSocketIo;
        if (o->scenario == "echo") {
            std::fprintf(stderr, "the echo scenario needs an echo event, which Switchboard's Socket.IO endpoint does not have\n");
            return false;
        }
    } else {
        std::fprintf(stderr, "unknown protocol %s (native, socketio, switchboard-socketio)\n", o->protocolName.c_str());
        return false;
    }
    o->endpoint.tls = o->url.rfind("wss://", 0) == 0;
    const char *const scheme = o->endpoint.tls ? "wss://" : "ws://";
    if (!parseUrl(o->url, scheme, &o->endpoint.address, &o->endpoint.host, &o->endpoint.path)) {
        std::fprintf(stderr, "--url must be ws://IPv4:port/path or wss://IPv4:port/path, got %s\n", o->url.c_str());
        return false;
    }
    if (!o->url2.empty()) {
        std::string path2;
        if (!parseUrl(o->url2, scheme, &o->endpoint.altAddress, &o->endpoint.altHost, &path2)) {
            std::fprintf(stderr, "--url2 must be %sIPv4:port/path like --url, got %s\n", scheme, o->url2.c_str());
            return false;
        }
        o->endpoint.hasAlt = true;
    }
    if (!o->endpoint.tlsCa.empty()) {
        if (!o->endpoint.tls) {
            std::fprintf(stderr, "--tls-ca needs a wss:// --url\n");
            return false;
        }
        if (std::FILE *f = std::fopen(o->endpoint.tlsCa.c_str(), "r")) {
            std::fclose(f);
        } else {
            std::fprintf(stderr, "--tls-ca %s: %s\n", o->endpoint.tlsCa.c_str(), std::strerror(errno));
            return false;
        }
    }
    std::string httpPath;
    if (o->scenario == "mixed" && o->httpRate > 0
        && !parseUrl(o->http, "http://", &o->httpAddress, &o->httpHost, &httpPath)) {
        std::fprintf(stderr, "--http must be http://IPv4:port (the HTTP emits have no TLS), got %s\n", o->http.c_str());
        return false;
    }
    if (o->secret.empty()) {
        std::fprintf(stderr, "--secret is required (the JWT secret the server verifies tokens with)\n");
        return false;
    }
    if (o->label.empty())
        o->label = o->scenario == "mixed" ? "switchboard" : o->url;
    if (o->stormCount == 0)
        o->stormCount = o->connections;
    if (o->scenario == "idle") {
        std::vector<int> steps;
        for (int s : o->steps) {
            if (s <= o->connections && (steps.empty() || s > steps.back()))
                steps.push_back(s);
        }
        if (steps.empty() || steps.back() < o->connections)
            steps.push_back(o->connections);
        o->steps = steps;
    }
    *exitCode = 0;
    return true;
}

} // namespace Switchboard::Bench
