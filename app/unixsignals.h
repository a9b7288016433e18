#pragma once

#include <functional>

namespace Switchboard {

/// Runs @p handler on the main thread's event loop when SIGINT or SIGTERM arrives.
void onTerminationSignal(std::function<void(int signal)> handler);

} // namespace Switchboard
