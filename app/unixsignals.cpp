#include "unixsignals.h"

#include <csignal>

#include <pthread.h>

#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>

namespace Switchboard {

namespace {

int g_pipe[2] = {-1, -1};

void writeSignal(int signal)
{
    // Only async-signal-safe work here: the event loop picks the byte up.
    const char byte = char(signal);
    [[maybe_unused]] const auto n = ::write(g_pipe[0], &byte, 1);
}

} // namespace

void onSignals(std::function<void(int)> handler)
{
    // Non-blocking: a storm of signals (SIGHUP in a loop) fills the pair, and a blocking write
    // in the handler would stop the main thread, the one that reads it, for good. A byte that
    // does not fit is dropped: the same signal is already waiting.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_pipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_pipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [handler = std::move(handler)] {
        // Everything waiting, each signal once (a thousand SIGHUPs are one reload).
        char bytes[256];
        bool seen[64] = {};
        ssize_t n = 0;
        while ((n = ::read(g_pipe[1], bytes, sizeof bytes)) > 0) {
            for (ssize_t i = 0; i < n; ++i)
                seen[uchar(bytes[i]) % 64] = true;
        }
        for (int signal = 1; signal < 64; ++signal) {
            if (seen[signal])
                handler(signal);
        }
    });
    struct sigaction action {};
    action.sa_handler = writeSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGHUP, &action, nullptr);
    // A parent (a test harness, a supervisor) may have left them blocked; threads started
    // after this inherit the unblocked mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

} // namespace Switchboard
