#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "control.h"
#include "engine.h"
#include "options.h"

namespace Switchboard::Bench {

/**
 * @brief One load process: owns an Engine and its share of the clients, carries out the
 * parent's commands and answers each with a Report.
 */
class Worker final : public Observer
{
public:
    Worker(const Options &options, int index, int processes, int controlFd);
    /// Serves commands until Quit; returns the process exit code.
    int run();

private:
    enum Role : std::int32_t { Subscriber = 0, Publisher = 1, Stormer = 2 };
    enum Mark : std::uint8_t { Started = 1, Settled = 2 };

    struct Slot
    {
        std::int64_t t = 0;       // 0 = free
        std::int32_t count = 0;
    };
    struct Room
    {
        std::string name;
        std::int32_t assigned = 0;    // subscribers given this room
        std::int32_t members = 0;     // of those, ready when traffic started
        std::uint32_t publisher = 0;  // client index
        std::int64_t lastT = 0;
        std::int32_t inFlight = 0;
        std::vector<Slot> slots;
    };
    struct SizeGroup
    {
        std::int32_t size = 0;
        std::vector<Room> rooms;
    };

    // Observer
    void onOpen(Client &c) override;
    void onJoined(Client &c) override;
    void onEvent(Client &c, std::int64_t t) override;
    void onReply(Client &c) override;
    void onServerError(Client &c, std::string_view message) override;
    void onClosed(Client &c) override;

    Report connect(const Command &command);
    Report storm(const Command &command);
    Report saturate(const Command &command);
    Report rate(const Command &command);
    Report echo(const Command &command);
    Report hold(const Command &command);
    Report closeAll();
    Report mixed(const Command &command);

    /// Runs the loop until @p done or @p seconds pass; @p tick runs after every wake-up.
    bool runUntil(const std::function<bool()> &done, double seconds, const std::function<void()> &tick = {}, int pollMs = 20);
    void setUpClients();
    std::vector<std::string> roomsOf(const Client &c) const;
    void startConnects(std::int64_t upTo, double ratePerSecond, std::int64_t startedAtUs);
    std::string payload(std::int64_t t, int bytes) const;
    void publish(Room &room, int bytes);
    Room *roomOf(const Client &c);
    void finishReport(Report &r);
    void settle(Client &c);
    bool readCommand();

    const Options &m_options;
    int m_index;
    int m_processes;
    int m_control;
    Engine m_engine;
    bool m_haveCommand = false;
    Command m_command;

    std::vector<std::uint32_t> m_primary;     // subscribers / clients in creation order
    std::vector<std::uint32_t> m_publishers;
    std::vector<std::uint32_t> m_stormers;
    std::size_t m_nextPrimary = 0;
    std::size_t m_nextPublisher = 0;
    std::size_t m_nextStormer = 0;
    std::vector<SizeGroup> m_groups;          // fanout rooms by size
    int m_active = -1;                        // index into m_groups while traffic runs
    int m_bytes = 100;

    // Counters of the command in progress.
    Report m_report;
    std::int64_t m_started = 0;
    std::int64_t m_settled = 0;
    std::int64_t m_failed = 0;
    std::int64_t m_inFlightConnects = 0;
    std::int64_t m_openSockets = 0;
    std::int64_t m_connectsBudgetFrom = 0;
    double m_cpuAtStart = 0;

    enum class Traffic { None, Saturate, Rate, Echo, Mixed } m_traffic = Traffic::None;
    bool m_publishing = false;
    std::int64_t m_measureFrom = 0;
    std::int64_t m_measureUntil = 0;
    std::int64_t m_outstanding = 0;          // echo requests waiting for their reply
};

} // namespace Switchboard::Bench
