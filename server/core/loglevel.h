#pragma once

#include <QtCore/QString>

namespace Switchboard {

/// Sets the least severe level switchboard's logging categories write: "debug", "info",
/// "warning" or "critical" (Qt's filter rules; QT_LOGGING_RULES from the environment still
/// wins). Any thread; takes effect for every category at once.
void applyLogLevel(const QString &level);

} // namespace Switchboard
