#include "worker.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procstat.h"
#include "token.h"

namespace Switchboard::Bench {

namespace {

constexpr std::int64_t kLossTimeoutUs = 5'000'000;

std::int64_t share(std::int64_t total, int index, int parts)
{
    return total * (index + 1) / parts - total * index / parts;
}

std::vector<in_addr> sourceAddresses(int index, int perProcess)
{
    std::vector<in_addr> sources;
    for (int i = 0; i < perProcess; ++i) {
        in_addr a{};
        a.s_addr = htonl((127u << 24) | std::uint32_t(2 + index * perProcess + i));
        sources.push_back(a);
    }
    return sources;
}

} // namespace

Worker::Worker(const Options &options, int index, int processes, int controlFd)
    : m_options(options)
    , m_index(index)
    , m_processes(processes)
    , m_control(controlFd)
    , m_engine(options.endpoint, sourceAddresses(index, options.sources), *this)
{
    setUpClients();
}

void Worker::setUpClients()
{
    const std::string &scenario = m_options.scenario;
    const std::string prefix = "bench-" + std::to_string(m_index) + "-";
    auto token = [&](std::size_t i) { return mintToken(prefix + std::to_string(i), m_options.secret); };
    if (scenario == "storm") {
        const std::int64_t n = share(m_options.stormCount, m_index, m_processes);
        for (std::int64_t i = 0; i < n; ++i) {
            Client &c = m_engine.add(token(m_engine.size()));
            c.role = Stormer;
            m_stormers.push_back(c.index);
        }
        return;
    }
    const std::int64_t n = share(scenario == "idle" ? m_options.steps.back() : m_options.connections, m_index, m_processes);
    for (std::int64_t j = 0; j < n; ++j) {
        Client &c = m_engine.add(token(m_engine.size()));
        c.role = Subscriber;
        c.room = std::int32_t(j);
        c.alt = (j % 2) == 1; // with --url2, half the subscribers on the second node
        m_primary.push_back(c.index);
    }
    if (scenario != "fanout")
        return;
    for (std::size_t g = 0; g < m_options.roomSizes.size(); ++g) {
        SizeGroup group;
        group.size = m_options.roomSizes[g];
        const std::int64_t rooms = (n + group.size - 1) / group.size;
        for (std::int64_t r = 0; r < rooms; ++r) {
            Room room;
            room.name.append("f").append(std::to_string(group.size)).append("-").append(std::to_string(m_index));
            room.name.append("-").append(std::to_string(r));
            room.assigned = std::int32_t(std::min<std::int64_t>(group.size, n - r * group.size));
            room.slots.resize(std::size_t(m_options.window));
            Client &p = m_engine.add(token(m_engine.size()));
            p.role = Publisher;
            p.room = std::int32_t(g * 65536 + std::size_t(r));
            room.publisher = p.index;
            m_publishers.push_back(p.index);
            group.rooms.push_back(std::move(room));
        }
        m_groups.push_back(std::move(group));
    }
}

std::vector<std::string> Worker::roomsOf(const Client &c) const
{
    const std::string &scenario = m_options.scenario;
    if (c.role == Publisher)
        return {m_groups[std::size_t(c.room / 65536)].rooms[std::size_t(c.room % 65536)].name};
    if (c.role != Subscriber)
        return {};
    if (scenario == "fanout") {
        std::vector<std::string> names;
        for (const SizeGroup &g : m_groups)
            names.push_back(g.rooms[std::size_t(c.room / g.size)].name);
        return names;
    }
    if (scenario == "idle")
        return {"i-" + std::to_string(m_index) + "-" + std::to_string(c.room / 100)};
    if (scenario == "mixed") {
        const std::int64_t global = std::int64_t(m_options.connections) * m_index / m_processes + c.room;
        return {"bench:" + std::to_string(global % m_options.rooms)};
    }
    return {};
}

bool Worker::readCommand()
{
    Command command;
    const ssize_t n = ::recv(m_control, &command, sizeof command, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        // The parent is gone: nothing left to report to.
        std::_Exit(1);
    }
    if (n == ssize_t(sizeof command)) {
        m_command = command;
        m_haveCommand = true;
    }
    return m_haveCommand;
}

int Worker::run()
{
    m_engine.watch(m_control, [this] { readCommand(); });
    for (;;) {
        runUntil([this] { return m_haveCommand; }, 1e9);
        m_haveCommand = false;
        const Command command = m_command;
        if (command.kind == Command::Quit)
            return 0;
        m_report = Report{};
        m_cpuAtStart = ownCpuSeconds();
        Report report;
        switch (command.kind) {
        case Command::Connect: report = connect(command); break;
        case Command::Storm: report = storm(command); break;
        case Command::Saturate: report = saturate(command); break;
        case Command::Rate: report = rate(command); break;
        case Command::Echo: report = echo(command); break;
        case Command::Hold: report = hold(command); break;
        case Command::CloseAll: report = closeAll(); break;
        case Command::Mixed: report = mixed(command); break;
        case Command::Quit: break;
        }
        finishReport(report);
        if (::send(m_control, &report, sizeof report, MSG_NOSIGNAL) != ssize_t(sizeof report))
            return 1;
    }
}

void Worker::finishReport(Report &r)
{
    r.cpuSeconds = ownCpuSeconds() - m_cpuAtStart;
    r.protocolErrors = std::int64_t(m_engine.protocolErrors());
    std::int64_t live = 0;
    for (std::size_t i = 0; i < m_engine.size(); ++i)
        live += m_engine.client(i).state == Client::State::Open ? 1 : 0;
    r.live = live;
    std::snprintf(r.lastError, sizeof r.lastError, "%s", m_engine.lastError().c_str());
    std::snprintf(r.tls, sizeof r.tls, "%s", m_engine.tlsSession().c_str());
}

bool Worker::runUntil(const std::function<bool()> &done, double seconds, const std::function<void()> &tick, int pollMs)
{
    const std::int64_t deadline = monotonicUs() + std::int64_t(seconds * 1e6);
    for (;;) {
        if (done())
            return true;
        if (monotonicUs() >= deadline)
            return false;
        m_engine.poll(m_options.spin ? 0 : pollMs);
        if (tick)
            tick();
    }
}

// --- connections -----------------------------------------------------------------------------

void Worker::startConnects(std::int64_t upTo, double ratePerSecond, std::int64_t startedAtUs)
{
    const std::int64_t now = monotonicUs();
    auto allowed = [&] {
        if (ratePerSecond <= 0)
            return true;
        return double(m_started - m_connectsBudgetFrom) < ratePerSecond * double(now - startedAtUs) / 1e6 + 1;
    };
    auto next = [&]() -> Client * {
        if (m_nextPublisher < m_publishers.size())
            return &m_engine.client(m_publishers[m_nextPublisher++]);
        if (std::int64_t(m_nextPrimary) < upTo && m_nextPrimary < m_primary.size())
            return &m_engine.client(m_primary[m_nextPrimary++]);
        if (std::int64_t(m_nextStormer) < upTo && m_nextStormer < m_stormers.size())
            return &m_engine.client(m_stormers[m_nextStormer++]);
        return nullptr;
    };
    while (m_inFlightConnects < m_options.concurrency && allowed()) {
        Client *c = next();
        if (!c)
            return;
        ++m_started;
        ++m_inFlightConnects;
        ++m_report.attempted;
        c->mark |= Started;
        if (m_report.firstUs == 0)
            m_report.firstUs = monotonicUs();
        ++m_openSockets; // before open(): a failed open() reports onClosed() at once
        m_engine.open(*c);
    }
}

void Worker::settle(Client &c)
{
    if (c.mark & Settled)
        return;
    c.mark |= Settled;
    ++m_settled;
    --m_inFlightConnects;
    ++m_report.ready;
}

void Worker::onOpen(Client &c)
{
    ++m_report.opened;
    m_report.histogram.record(c.openedUs - c.startedUs);
    m_report.lastUs = c.openedUs;
    if (c.role == Stormer && m_report.opened * 2 == std::int64_t(m_stormers.size()))
        m_report.halfUs = c.openedUs;
    const std::vector<std::string> rooms = roomsOf(c);
    if (rooms.empty()) {
        settle(c);
        return;
    }
    c.joinsPending = std::uint8_t(rooms.size());
    for (const std::string &room : rooms)
        m_engine.sendText(c, m_engine.joinMessage(room));
}

void Worker::onJoined(Client &c)
{
    if (c.joinsPending == 0)
        settle(c);
}

void Worker::onClosed(Client &c)
{
    --m_openSockets;
    if (c.sentUs != 0) {
        c.sentUs = 0;
        --m_outstanding;
    }
    if (c.cleanClose)
        ++m_report.cleanClosed;
    if (c.mark & Settled) {
        if (c.closedByServer) {
            ++m_report.closedByServer;
            m_report.lastCloseCode = c.closeCode;
        }
    } else if (c.mark & Started) {
        ++m_failed;
        ++m_report.failed;
        --m_inFlightConnects;
        if (c.closeCode)
            m_report.lastCloseCode = c.closeCode;
    }
}

void Worker::onServerError(Client &, std::string_view message)
{
    ++m_report.serverErrors;
    const std::size_t n = std::min<std::size_t>(message.size(), sizeof m_report.lastError - 1);
    std::memcpy(m_report.lastError, message.data(), n);
    m_report.lastError[n] = '\0';
}

Report Worker::connect(const Command &command)
{
    const std::int64_t startedAt = monotonicUs();
    m_connectsBudgetFrom = m_started;
    const std::int64_t upTo = command.count;
    auto pending = [&] {
        const bool more = m_nextPublisher < m_publishers.size()
            || (std::int64_t(m_nextPrimary) < upTo && m_nextPrimary < m_primary.size());
        return more || m_inFlightConnects > 0;
    };
    runUntil([&] { return !pending(); }, m_options.timeout,
             [&] { startConnects(upTo, command.rate, startedAt); }, 5);
    Report r = m_report;
    r.seconds = double(monotonicUs() - startedAt) / 1e6;
    return r;
}

Report Worker::storm(const Command &command)
{
    const std::int64_t startedAt = monotonicUs();
    m_connectsBudgetFrom = m_started;
    const auto upTo = std::int64_t(m_stormers.size());
    runUntil([&] { return std::int64_t(m_nextStormer) >= upTo && m_inFlightConnects == 0; }, m_options.timeout,
             [&] { startConnects(upTo, command.rate, startedAt); }, 1);
    Report r = m_report;
    r.seconds = double(monotonicUs() - startedAt) / 1e6;
    return r;
}

Report Worker::hold(const Command &command)
{
    runUntil([] { return false; }, command.duration);
    Report r = m_report;
    r.seconds = command.duration;
    return r;
}

Report Worker::closeAll()
{
    std::int64_t waiting = 0;
    for (std::size_t i = 0; i < m_engine.size(); ++i) {
        Client &c = m_engine.client(i);
        if (c.state == Client::State::Open || c.state == Client::State::Opening) {
            m_engine.close(c, 1000);
            ++waiting;
        } else if (c.state != Client::State::Closed && c.state != Client::State::Idle) {
            m_engine.abort(c);
        }
    }
    runUntil([&] { return m_openSockets == 0; }, 10);
    for (std::size_t i = 0; i < m_engine.size(); ++i)
        m_engine.abort(m_engine.client(i));
    Report r = m_report;
    r.attempted = waiting;
    return r;
}

// --- fan-out ---------------------------------------------------------------------------------

std::string Worker::payload(std::int64_t t, int bytes) const
{
    // {"t":<microseconds>,"p":"xxx..."} padded to the requested size where it fits.
    std::string data = "{\"t\":" + std::to_string(t);
    const int fixed = int(data.size()) + 1;
    const int pad = bytes - fixed - 7; // ,"p":""
    if (pad >= 0) {
        data += ",\"p\":\"";
        data.append(std::size_t(pad), 'x');
        data += '"';
    }
    data += '}';
    return data;
}

Worker::Room *Worker::roomOf(const Client &c)
{
    if (m_active < 0 || c.role != Subscriber)
        return nullptr;
    SizeGroup &g = m_groups[std::size_t(m_active)];
    const auto r = std::size_t(c.room / g.size);
    return r < g.rooms.size() ? &g.rooms[r] : nullptr;
}

void Worker::publish(Room &room, int bytes)
{
    Client &p = m_engine.client(room.publisher);
    if (p.state != Client::State::Open)
        return;
    const std::int64_t now = monotonicUs();
    const std::int64_t t = std::max(now, room.lastT + 1);
    room.lastT = t;
    if (m_traffic == Traffic::Saturate) {
        auto slot = std::find_if(room.slots.begin(), room.slots.end(), [](const Slot &s) { return s.t == 0; });
        if (slot == room.slots.end())
            return;
        *slot = Slot{t, 0};
        ++room.inFlight;
    }
    if (t >= m_measureFrom && t < m_measureUntil) {
        ++m_report.published;
        m_report.expected += room.members;
    }
    // The delivered data object is `bytes` long whatever the protocol adds inside it.
    const int fill = bytes - int(m_engine.dataOverhead(room.name));
    m_engine.sendText(p, m_engine.emitMessage(room.name, payload(t, fill)));
}

void Worker::onEvent(Client &c, std::int64_t t)
{
    const std::int64_t now = monotonicUs();
    switch (m_traffic) {
    case Traffic::Saturate: {
        if (t >= m_measureFrom && t < m_measureUntil) {
            ++m_report.received;
            m_report.histogram.record(now - t);
        }
        Room *room = roomOf(c);
        if (!room)
            return;
        for (Slot &slot : room->slots) {
            if (slot.t == t && t != 0) {
                if (++slot.count >= room->members) {
                    slot = Slot{};
                    --room->inFlight;
                    if (m_publishing)
                        publish(*room, m_bytes);
                }
                return;
            }
        }
        return;
    }
    case Traffic::Rate:
        if (t >= m_measureFrom && t < m_measureUntil) {
            ++m_report.received;
            m_report.histogram.record(now - t);
        }
        return;
    case Traffic::Mixed:
        if (t > 0) {
            ++m_report.received;
            m_report.histogram.record(now - t);
        }
        return;
    case Traffic::Echo:
    case Traffic::None:
        return;
    }
}

namespace {

/// Counts the ready subscribers of each room of the group: a room's message is complete when
/// that many deliveries arrived.
template<typename Group, typename Engine, typename Ids>
void countMembers(Group &group, Engine &engine, const Ids &primary, std::uint8_t settledMark)
{
    for (auto &room : group.rooms) {
        room.members = 0;
        room.inFlight = 0;
        room.lastT = 0;
        for (auto &slot : room.slots)
            slot = {};
    }
    for (std::uint32_t id : primary) {
        const Client &c = engine.client(id);
        if ((c.mark & settledMark) && c.state == Client::State::Open)
            ++group.rooms[std::size_t(c.room / group.size)].members;
    }
}

} // namespace

Report Worker::saturate(const Command &command)
{
    const auto g = std::size_t(std::find_if(m_groups.begin(), m_groups.end(),
                                            [&](const SizeGroup &x) { return x.size == command.roomSize; }) - m_groups.begin());
    Report r;
    if (g >= m_groups.size())
        return r;
    SizeGroup &group = m_groups[g];
    countMembers(group, m_engine, m_primary, Settled);
    m_active = int(g);
    m_bytes = command.payload;
    const std::int64_t start = monotonicUs();
    m_measureFrom = start + std::int64_t(command.warmup * 1e6);
    m_measureUntil = m_measureFrom + std::int64_t(command.duration * 1e6);
    m_traffic = Traffic::Saturate;
    m_publishing = true;
    for (Room &room : group.rooms) {
        if (room.members == 0)
            continue;
        for (int i = 0; i < m_options.window; ++i)
            publish(room, m_bytes);
    }
    std::int64_t nextSweep = start + 100'000;
    auto sweep = [&] {
        const std::int64_t now = monotonicUs();
        if (now < nextSweep)
            return;
        nextSweep = now + 100'000;
        for (Room &room : group.rooms) {
            for (Slot &slot : room.slots) {
                if (slot.t != 0 && now - slot.t > kLossTimeoutUs) {
                    if (slot.t >= m_measureFrom && slot.t < m_measureUntil)
                        m_report.lost += room.members - slot.count;
                    slot = Slot{};
                    --room.inFlight;
                    if (m_publishing)
                        publish(room, m_bytes);
                }
            }
        }
    };
    runUntil([&] { return monotonicUs() >= m_measureUntil; }, 1e9, sweep, 5);
    m_publishing = false;
    auto inFlight = [&] {
        std::int64_t n = 0;
        for (const Room &room : group.rooms)
            n += room.inFlight;
        return n;
    };
    runUntil([&] { return inFlight() == 0; }, double(kLossTimeoutUs) / 1e6 + 1, sweep, 5);
    m_traffic = Traffic::None;
    r = m_report;
    r.seconds = command.duration;
    return r;
}

Report Worker::rate(const Command &command)
{
    const auto g = std::size_t(std::find_if(m_groups.begin(), m_groups.end(),
                                            [&](const SizeGroup &x) { return x.size == command.roomSize; }) - m_groups.begin());
    Report r;
    if (g >= m_groups.size() || command.rate <= 0)
        return r;
    SizeGroup &group = m_groups[g];
    countMembers(group, m_engine, m_primary, Settled);
    std::vector<Room *> rooms;
    for (Room &room : group.rooms) {
        if (room.members > 0)
            rooms.push_back(&room);
    }
    if (rooms.empty())
        return r;
    m_active = int(g);
    m_bytes = command.payload;
    const std::int64_t start = monotonicUs();
    m_measureFrom = start + std::int64_t(command.warmup * 1e6);
    m_measureUntil = m_measureFrom + std::int64_t(command.duration * 1e6);
    m_traffic = Traffic::Rate;
    const double interval = 1e6 / command.rate;
    double due = double(start);
    std::size_t next = 0;
    auto tick = [&] {
        const std::int64_t now = monotonicUs();
        while (due <= double(now) && due < double(m_measureUntil)) {
            m_report.maxLagUs = std::max(m_report.maxLagUs, now - std::int64_t(due));
            publish(*rooms[next++ % rooms.size()], m_bytes);
            due += interval;
        }
    };
    runUntil([&] { return monotonicUs() >= m_measureUntil; }, 1e9, tick, 1);
    runUntil([&] { return m_report.received >= m_report.expected; }, double(kLossTimeoutUs) / 1e6);
    m_traffic = Traffic::None;
    r = m_report;
    r.lost = std::max<std::int64_t>(0, r.expected - r.received);
    r.seconds = command.duration;
    return r;
}

// --- echo ------------------------------------------------------------------------------------

void Worker::onReply(Client &c)
{
    if (m_traffic != Traffic::Echo || c.sentUs == 0)
        return;
    const std::int64_t now = monotonicUs();
    if (now >= m_measureFrom && now < m_measureUntil) {
        ++m_report.received;
        m_report.histogram.record(now - c.sentUs);
    }
    c.sentUs = 0;
    --m_outstanding;
    if (m_publishing && c.state == Client::State::Open) {
        c.sentUs = monotonicUs();
        ++m_outstanding;
        m_engine.sendText(c, m_engine.echoMessage());
    }
}

Report Worker::echo(const Command &command)
{
    const std::int64_t start = monotonicUs();
    m_measureFrom = start + std::int64_t(command.warmup * 1e6);
    m_measureUntil = m_measureFrom + std::int64_t(command.duration * 1e6);
    m_traffic = Traffic::Echo;
    m_publishing = true;
    m_outstanding = 0;
    const std::string request = m_engine.echoMessage();
    for (std::uint32_t id : m_primary) {
        Client &c = m_engine.client(id);
        if (c.state != Client::State::Open || !(c.mark & Settled))
            continue;
        c.sentUs = monotonicUs();
        ++m_outstanding;
        m_engine.sendText(c, request);
    }
    runUntil([&] { return monotonicUs() >= m_measureUntil; }, 1e9);
    m_publishing = false;
    runUntil([&] { return m_outstanding <= 0; }, double(kLossTimeoutUs) / 1e6);
    m_report.lost = m_outstanding;
    m_traffic = Traffic::None;
    Report r = m_report;
    r.seconds = command.duration;
    return r;
}

// --- mixed (the previous loadgen's run) ------------------------------------------------------

Report Worker::mixed(const Command &command)
{
    if (command.rate > 0)
        m_engine.enableHttp(m_options.httpAddress, m_options.httpHost, m_options.internalKey, 8);
    const std::int64_t start = monotonicUs();
    m_measureFrom = start;
    m_measureUntil = start + std::int64_t(command.duration * 1e6);
    m_traffic = Traffic::Mixed;
    std::int64_t httpSent = 0;
    std::int64_t clientSent = 0;
    std::int64_t seq = std::int64_t(m_index) << 40;
    std::size_t nextClient = 0;
    std::vector<std::uint32_t> ready;
    for (std::uint32_t id : m_primary) {
        if (m_engine.client(id).state == Client::State::Open)
            ready.push_back(id);
    }
    auto tick = [&] {
        const std::int64_t now = std::min(monotonicUs(), m_measureUntil);
        const double elapsed = double(now - start) / 1e6;
        while (command.rate > 0 && double(httpSent) < command.rate * elapsed) {
            const std::int64_t t = monotonicUs();
            std::string body = "{\"event\":\"bench\",\"room\":\"bench:" + std::to_string(httpSent % m_options.rooms)
                + "\",\"payload\":{\"t\":" + std::to_string(t) + ",\"n\":" + std::to_string(seq++) + "}}";
            m_engine.httpPost("/api/v1/internal/emit", std::move(body));
            ++httpSent;
            ++m_report.published;
        }
        while (command.rate2 > 0 && !ready.empty() && double(clientSent) < command.rate2 * elapsed) {
            Client &c = m_engine.client(ready[nextClient++ % ready.size()]);
            ++clientSent;
            if (c.state != Client::State::Open)
                continue;
            const std::vector<std::string> rooms = roomsOf(c);
            const std::int64_t t = monotonicUs();
            m_engine.sendText(c, m_engine.emitMessage(rooms.front(), "{\"t\":" + std::to_string(t) + ",\"n\":" + std::to_string(seq++) + "}"));
            ++m_report.published;
        }
    };
    runUntil([&] { return monotonicUs() >= m_measureUntil; }, 1e9, tick, 1);
    // Let what is in flight land before counting, as the previous loadgen did.
    runUntil([] { return false; }, 0.5);
    m_traffic = Traffic::None;
    Report r = m_report;
    r.httpErrors = std::int64_t(m_engine.httpErrors()) + std::int64_t(m_engine.httpBacklog());
    r.seconds = double(monotonicUs() - start) / 1e6;
    return r;
}

} // namespace Switchboard::Bench
