#pragma once

#include <functional>

namespace Switchboard {

/// Runs @p handler on the main thread's event loop when SIGINT, SIGTERM or SIGHUP arrives.
void onSignals(std::function<void(int signal)> handler);

} // namespace Switchboard
