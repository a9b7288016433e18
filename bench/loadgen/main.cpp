// switchboard-loadgen: a native load generator (epoll, non-blocking sockets, its own RFC 6455
// client) for Switchboard and the peers in bench/peers. The parent process forks --procs load
// processes, steps them through a scenario over socketpairs, reads the server's RSS and CPU
// time from /proc between the steps and prints one JSON line of results.
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "options.h"
#include "procstat.h"
#include "servermetrics.h"
#include "worker.h"

using namespace Switchboard::Bench;

namespace {

std::string number(double v, int decimals = 3)
{
    if (!std::isfinite(v))
        return "null";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    std::string s = buffer;
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

std::string quoted(std::string_view text)
{
    std::string s = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            s += '\\';
            s += char(c);
        } else if (c < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            s += esc;
        } else {
            s += char(c);
        }
    }
    return s + '"';
}

/// A JSON object written field by field.
class Json
{
public:
    Json &raw(std::string_view key, const std::string &json)
    {
        m_text += m_text.size() > 1 ? "," : "";
        m_text += quoted(key) + ":" + json;
        return *this;
    }
    Json &num(std::string_view key, double v, int decimals = 3) { return raw(key, number(v, decimals)); }
    Json &str(std::string_view key, std::string_view v) { return raw(key, quoted(v)); }
    std::string text() const { return m_text + "}"; }

private:
    std::string m_text = "{";
};

std::string array(const std::vector<std::string> &items)
{
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        s += (i ? "," : "") + items[i];
    return s + "]";
}

double ms(double us)
{
    return us / 1000.0;
}

/// The processes under load and what they report.
class Driver
{
public:
    Driver(const Options &options, std::vector<int> controls) : m_options(options), m_controls(std::move(controls)) {}

    /// Sends @p command to every process (adjusted per process by @p perProcess) and adds up the reports.
    Report all(Command command, const std::function<void(Command &, int)> &perProcess = {})
    {
        for (std::size_t k = 0; k < m_controls.size(); ++k) {
            Command c = command;
            if (perProcess)
                perProcess(c, int(k));
            if (::send(m_controls[k], &c, sizeof c, MSG_NOSIGNAL) != ssize_t(sizeof c))
                fatal("a load process is gone");
        }
        Report total;
        total.firstUs = INT64_MAX;
        for (int fd : m_controls) {
            auto r = std::make_unique<Report>();
            const ssize_t n = ::recv(fd, r.get(), sizeof *r, 0);
            if (n != ssize_t(sizeof *r))
                fatal("a load process died (see its messages above)");
            add(total, *r);
        }
        if (total.firstUs == INT64_MAX)
            total.firstUs = 0;
        return total;
    }

    std::int64_t perProcess(std::int64_t total, int k) const
    {
        const auto p = std::int64_t(m_controls.size());
        return total * (k + 1) / p - total * k / p;
    }
    double perProcess(double total) const { return total / double(m_controls.size()); }
    int processes() const { return int(m_controls.size()); }

    double serverCpu() const { return m_options.serverPid > 0 ? cpuSeconds(m_options.serverPid) : NAN; }
    double serverRss() const { return m_options.serverPid > 0 ? double(residentKiB(m_options.serverPid)) : NAN; }
    double serverPeak() const { return m_options.serverPid > 0 ? double(peakResidentKiB(m_options.serverPid)) : NAN; }

    [[noreturn]] static void fatal(const char *why)
    {
        std::fprintf(stderr, "loadgen: %s\n", why);
        std::exit(1);
    }

private:
    static void add(Report &t, const Report &r)
    {
        t.attempted += r.attempted;
        t.opened += r.opened;
        t.failed += r.failed;
        t.ready += r.ready;
        t.live += r.live;
        t.closedByServer += r.closedByServer;
        t.cleanClosed += r.cleanClosed;
        t.published += r.published;
        t.received += r.received;
        t.expected += r.expected;
        t.lost += r.lost;
        t.serverErrors += r.serverErrors;
        t.httpErrors += r.httpErrors;
        t.protocolErrors += r.protocolErrors;
        if (r.firstUs > 0)
            t.firstUs = std::min(t.firstUs, r.firstUs);
        t.lastUs = std::max(t.lastUs, r.lastUs);
        t.halfUs = std::max(t.halfUs, r.halfUs);
        t.maxLagUs = std::max(t.maxLagUs, r.maxLagUs);
        if (r.lastCloseCode)
            t.lastCloseCode = r.lastCloseCode;
        t.seconds = std::max(t.seconds, r.seconds);
        t.cpuSeconds += r.cpuSeconds;
        if (r.lastError[0])
            std::memcpy(t.lastError, r.lastError, sizeof t.lastError);
        if (r.tls[0])
            std::memcpy(t.tls, r.tls, sizeof t.tls);
        t.histogram.add(r.histogram);
    }

    const Options &m_options;
    std::vector<int> m_controls;
};

Json header(const Options &o, const Driver &d)
{
    Json j;
    j.str("scenario", o.scenario).str("label", o.label).str("protocol", o.protocolName).str("url", o.url);
    j.num("procs", d.processes());
    return j;
}

void addErrors(Json &j, const Report &r)
{
    j.num("serverErrors", double(r.serverErrors)).num("protocolErrors", double(r.protocolErrors));
    if (r.lastCloseCode)
        j.num("lastCloseCode", r.lastCloseCode);
    if (r.lastError[0])
        j.str("lastError", r.lastError);
}

/// wss://: what TLS the connections negotiated.
void addTls(Json &j, const Report &r)
{
    if (r.tls[0])
        j.str("tls", r.tls);
}

void logConnect(const char *what, const Report &r)
{
    std::fprintf(stderr, "loadgen: %s: %lld ready, %lld failed in %.2f s%s%s\n", what, (long long)r.ready,
                 (long long)r.failed, r.seconds, r.lastError[0] ? "; last error: " : "", r.lastError);
}

Command connectCommand(std::int64_t count, double rate)
{
    Command c;
    c.kind = Command::Connect;
    c.count = count;
    c.rate = rate;
    return c;
}

std::string runIdle(const Options &o, Driver &d)
{
    Json out = header(o, d);
    const double baseline = d.serverRss();
    const double cpu0 = d.serverCpu();
    out.num("baselineRssKiB", baseline, 0);
    std::vector<std::string> steps;
    double previousRss = baseline;
    std::int64_t previousReady = 0;
    std::int64_t ready = 0;
    std::int64_t failed = 0;
    for (const int step : o.steps) {
        const Report r = d.all(connectCommand(0, d.perProcess(o.connectRate)),
                               [&](Command &c, int k) { c.count = d.perProcess(step, k); });
        ready += r.ready;
        failed += r.failed;
        logConnect(("idle step " + std::to_string(step)).c_str(), r);
        const double rss = d.serverRss();
        Json s;
        s.num("connections", double(ready)).num("failed", double(failed)).num("rssKiB", rss, 0);
        s.num("kibPerConnection", ready > 0 ? (rss - baseline) / double(ready) : NAN, 2);
        s.num("marginalKibPerConnection", ready > previousReady ? (rss - previousRss) / double(ready - previousReady) : NAN, 2);
        s.num("connectSeconds", r.seconds).num("handshakeP99Ms", ms(r.histogram.quantile(0.99)));
        steps.push_back(s.text());
        previousRss = rss;
        previousReady = ready;
    }
    out.raw("steps", array(steps));
    Command hold;
    hold.kind = Command::Hold;
    hold.duration = o.hold;
    const Report held = d.all(hold);
    addTls(out, held);
    out.num("holdSeconds", o.hold).num("held", double(held.live)).num("closedDuringHold", double(held.closedByServer));
    out.num("rssAfterHoldKiB", d.serverRss(), 0).num("peakRssKiB", d.serverPeak(), 0);
    out.num("serverCpuSeconds", d.serverCpu() - cpu0);
    Command close;
    close.kind = Command::CloseAll;
    const Report closed = d.all(close);
    out.num("cleanClosed", double(closed.cleanClosed));
    addErrors(out, held);
    return out.text();
}

std::string latencyFields(Json &j, const Histogram &h)
{
    j.num("p50Ms", ms(h.quantile(0.50))).num("p99Ms", ms(h.quantile(0.99))).num("p999Ms", ms(h.quantile(0.999)));
    j.num("maxMs", ms(double(h.max())));
    return j.text();
}

std::string runFanout(const Options &o, Driver &d)
{
    Json out = header(o, d);
    const Report connected = d.all(connectCommand(0, d.perProcess(o.connectRate)),
                                   [&](Command &c, int k) { c.count = d.perProcess(std::int64_t(o.connections), k); });
    logConnect("fanout connect", connected);
    addTls(out, connected);
    out.num("subscribers", o.connections).num("window", o.window).num("spin", o.spin ? 1 : 0).num("connections", double(connected.attempted));
    out.num("ready", double(connected.ready)).num("failed", double(connected.failed));
    out.num("connectSeconds", connected.seconds).num("rssKiB", d.serverRss(), 0);
    std::vector<std::string> results;
    Report errors;
    for (const int size : o.roomSizes) {
        for (const int bytes : o.payloads) {
            Json one;
            one.num("roomSize", size).num("payload", bytes);
            Command sat;
            sat.kind = Command::Saturate;
            sat.roomSize = size;
            sat.payload = bytes;
            sat.duration = o.duration;
            sat.warmup = o.warmup;
            const double cpu0 = d.serverCpu();
            const std::int64_t wall0 = monotonicUs();
            const Report s = d.all(sat);
            const double wall = double(monotonicUs() - wall0) / 1e6;
            const double cpu = d.serverCpu() - cpu0;
            const double perSec = double(s.received) / o.duration;
            std::fprintf(stderr, "loadgen: fanout room %d payload %d: %.0f deliveries/s at saturation (%lld lost)\n",
                         size, bytes, perSec, (long long)s.lost);
            Json sj;
            sj.num("deliveriesPerSec", perSec, 0).num("published", double(s.published)).num("lost", double(s.lost));
            sj.num("serverCpuSeconds", cpu).num("deliveriesPerServerCpuSecond", cpu > 0 ? double(s.received) / cpu : NAN, 0);
            sj.num("loadgenCpuSeconds", s.cpuSeconds).num("loadgenCpuShare", s.cpuSeconds / wall, 2).num("seconds", o.duration);
            one.raw("saturation", latencyFields(sj, s.histogram));
            errors.serverErrors += s.serverErrors;
            errors.closedByServer += s.closedByServer;
            if (s.lastError[0])
                std::memcpy(errors.lastError, s.lastError, sizeof errors.lastError);
            if (std::find(o.latencyPayloads.begin(), o.latencyPayloads.end(), bytes) != o.latencyPayloads.end() && s.received > 0) {
                // Publishes per second that produce the saturation rate: deliveries / recipients.
                const double recipients = s.published > 0 ? double(s.expected) / double(s.published) : double(size);
                // One open-loop measurement at @p target deliveries per second.
                auto measure = [&](Json lj, double target) {
                    Command rate;
                    rate.kind = Command::Rate;
                    rate.roomSize = size;
                    rate.payload = bytes;
                    rate.duration = o.duration;
                    rate.warmup = o.warmup;
                    rate.rate = d.perProcess(target / recipients);
                    const double c0 = d.serverCpu();
                    const ServerLatency server0 = readServerLatency(o.serverMetrics);
                    const std::int64_t w0 = monotonicUs();
                    const Report l = d.all(rate);
                    const ServerLatency server1 = readServerLatency(o.serverMetrics);
                    const double w = double(monotonicUs() - w0) / 1e6;
                    lj.num("targetDeliveriesPerSec", target, 0);
                    lj.num("deliveriesPerSec", double(l.received) / o.duration, 0).num("lost", double(l.lost));
                    lj.num("serverCpuSeconds", d.serverCpu() - c0).num("scheduleLagMs", ms(double(l.maxLagUs)));
                    lj.num("loadgenCpuShare", l.cpuSeconds / w, 2);
                    // The server's share (emit -> frame handed to the socket), warm-up included.
                    if (server0.ok())
                        lj.num("serverP50Ms", serverQuantileMs(server0, server1, 0.5))
                            .num("serverP99Ms", serverQuantileMs(server0, server1, 0.99));
                    std::fprintf(stderr, "loadgen:   at %.0f deliveries/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n", target,
                                 ms(l.histogram.quantile(0.5)), ms(l.histogram.quantile(0.99)), ms(l.histogram.quantile(0.999)));
                    errors.serverErrors += l.serverErrors;
                    errors.closedByServer += l.closedByServer;
                    return latencyFields(lj, l.histogram);
                };
                std::vector<std::string> levels;
                for (const int level : o.levels) {
                    Json lj;
                    lj.num("percent", level);
                    levels.push_back(measure(lj, perSec * level / 100.0));
                }
                std::vector<std::string> fixed;
                for (const int target : o.rates)
                    fixed.push_back(measure(Json(), double(target)));
                one.raw("rates", array(fixed));
                one.raw("levels", array(levels));
            }
            results.push_back(one.text());
        }
    }
    out.raw("results", array(results));
    out.num("closedByServer", double(errors.closedByServer));
    Command close;
    close.kind = Command::CloseAll;
    const Report closed = d.all(close);
    out.num("cleanClosed", double(closed.cleanClosed)).num("peakRssKiB", d.serverPeak(), 0);
    errors.protocolErrors = closed.protocolErrors;
    addErrors(out, errors);
    return out.text();
}

std::string runStorm(const Options &o, Driver &d)
{
    Json out = header(o, d);
    Command storm;
    storm.kind = Command::Storm;
    storm.rate = d.perProcess(o.connectRate);
    const double cpu0 = d.serverCpu();
    const std::int64_t wall0 = monotonicUs();
    const Report r = d.all(storm);
    const double wall = double(monotonicUs() - wall0) / 1e6;
    const double cpu = d.serverCpu() - cpu0;
    const double seconds = r.lastUs > r.firstUs ? double(r.lastUs - r.firstUs) / 1e6 : NAN;
    logConnect("storm", r);
    addTls(out, r);
    out.num("attempted", double(r.attempted)).num("opened", double(r.opened)).num("failed", double(r.failed));
    out.num("seconds", seconds).num("handshakesPerSec", double(r.opened) / seconds, 0);
    // The two halves separately: a per-handshake cost that grows with the connections already
    // open shows up as a slower second half.
    if (r.halfUs > r.firstUs && r.lastUs > r.halfUs && r.opened == r.attempted) {
        out.num("firstHalfPerSec", double(r.opened) / 2 / (double(r.halfUs - r.firstUs) / 1e6), 0);
        out.num("secondHalfPerSec", double(r.opened) / 2 / (double(r.lastUs - r.halfUs) / 1e6), 0);
    }
    Json h;
    out.raw("handshake", latencyFields(h, r.histogram));
    out.num("serverCpuSeconds", cpu).num("handshakesPerServerCpuSecond", cpu > 0 ? double(r.opened) / cpu : NAN, 0);
    out.num("loadgenCpuSeconds", r.cpuSeconds).num("loadgenCpuShare", r.cpuSeconds / wall, 2);
    out.num("concurrencyPerProcess", o.concurrency);
    out.num("rssKiB", d.serverRss(), 0);
    Command close;
    close.kind = Command::CloseAll;
    const Report closed = d.all(close);
    out.num("cleanClosed", double(closed.cleanClosed));
    addErrors(out, r);
    return out.text();
}

std::string runEcho(const Options &o, Driver &d)
{
    Json out = header(o, d);
    const Report connected = d.all(connectCommand(0, d.perProcess(o.connectRate)),
                                   [&](Command &c, int k) { c.count = d.perProcess(std::int64_t(o.connections), k); });
    logConnect("echo connect", connected);
    addTls(out, connected);
    out.num("connections", double(connected.ready)).num("failed", double(connected.failed));
    Command echo;
    echo.kind = Command::Echo;
    echo.duration = o.duration;
    echo.warmup = o.warmup;
    const double cpu0 = d.serverCpu();
    const std::int64_t wall0 = monotonicUs();
    const Report r = d.all(echo);
    const double wall = double(monotonicUs() - wall0) / 1e6;
    const double cpu = d.serverCpu() - cpu0;
    out.num("roundTripsPerSec", double(r.received) / o.duration, 0).num("unanswered", double(r.lost));
    Json rtt;
    out.raw("roundTrip", latencyFields(rtt, r.histogram));
    out.num("serverCpuSeconds", cpu).num("loadgenCpuSeconds", r.cpuSeconds).num("loadgenCpuShare", r.cpuSeconds / wall, 2);
    Command close;
    close.kind = Command::CloseAll;
    const Report closed = d.all(close);
    out.num("cleanClosed", double(closed.cleanClosed));
    addErrors(out, r);
    return out.text();
}

/// The previous Qt loadgen's run and JSON keys (docs/console.md and bench/compare.sh use them).
std::string runMixed(const Options &o, Driver &d)
{
    const Report connected = d.all(connectCommand(0, d.perProcess(o.connectRate)),
                                   [&](Command &c, int k) { c.count = d.perProcess(std::int64_t(o.connections), k); });
    std::fprintf(stderr, "connected %lld/%d in %.2f s (%lld failed)\n", (long long)connected.ready, o.connections,
                 connected.seconds, (long long)connected.failed);
    Command mixed;
    mixed.kind = Command::Mixed;
    mixed.rate = d.perProcess(o.httpRate);
    mixed.rate2 = d.perProcess(o.clientRate);
    mixed.duration = o.duration;
    const Report r = d.all(mixed);
    Command close;
    close.kind = Command::CloseAll;
    d.all(close);
    Json out;
    out.str("label", o.label).num("connections", o.connections).num("connected", double(connected.opened));
    out.num("failed", double(connected.failed)).num("closedDuringRun", double(r.closedByServer));
    out.num("connectSeconds", connected.seconds).num("rooms", o.rooms).num("emitted", double(r.published));
    out.num("emitErrors", double(r.httpErrors + r.serverErrors)).num("received", double(r.received));
    out.num("receivedPerSec", r.seconds > 0 ? double(r.received) / r.seconds : 0, 1);
    out.num("latencyP50Ms", ms(r.histogram.quantile(0.50))).num("latencyP95Ms", ms(r.histogram.quantile(0.95)));
    out.num("latencyP99Ms", ms(r.histogram.quantile(0.99)));
    return out.text();
}

int autoProcesses(const Options &o)
{
    std::int64_t total = o.connections;
    if (o.scenario == "idle")
        total = o.steps.back();
    else if (o.scenario == "storm")
        total = o.stormCount;
    else if (o.scenario == "fanout") {
        for (const int size : o.roomSizes)
            total += (o.connections + size - 1) / size;
    }
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    const std::int64_t perProcess = std::min<std::int64_t>(15000, std::int64_t(limit.rlim_cur) - 200);
    return int(std::max<std::int64_t>(1, (total + perProcess - 1) / std::max<std::int64_t>(perProcess, 1)));
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    int exitCode = 0;
    if (!parseOptions(argc, argv, &options, &exitCode))
        return exitCode;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::signal(SIGPIPE, SIG_IGN);
    const int processes = options.procs > 0 ? options.procs : autoProcesses(options);
    if (options.scenario == "fanout" && options.connections < processes * options.roomSizes.back())
        std::fprintf(stderr, "loadgen: note: fewer subscribers per process than the largest room size; rooms are smaller\n");

    std::fflush(nullptr);
    std::vector<int> controls;
    std::vector<pid_t> children;
    for (int k = 0; k < processes; ++k) {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
            std::perror("socketpair");
            return 1;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int fd : controls)
                ::close(fd);
            ::close(pair[0]);
            int code = 1;
            {
                Worker worker(options, k, processes, pair[1]);
                code = worker.run();
            }
            std::fflush(nullptr);
            std::_Exit(code);
        }
        ::close(pair[1]);
        controls.push_back(pair[0]);
        children.push_back(pid);
    }

    Driver driver(options, controls);
    std::string result;
    if (options.scenario == "idle")
        result = runIdle(options, driver);
    else if (options.scenario == "fanout")
        result = runFanout(options, driver);
    else if (options.scenario == "storm")
        result = runStorm(options, driver);
    else if (options.scenario == "echo")
        result = runEcho(options, driver);
    else
        result = runMixed(options, driver);
    std::printf("%s\n", result.c_str());
    std::fflush(stdout);

    Command quit;
    quit.kind = Command::Quit;
    for (int fd : controls)
        ::send(fd, &quit, sizeof quit, MSG_NOSIGNAL);
    int status = 0;
    for (pid_t pid : children) {
        int s = 0;
        ::waitpid(pid, &s, 0);
        if (!WIFEXITED(s) || WEXITSTATUS(s) != 0)
            status = 1;
    }
    return status;
}
