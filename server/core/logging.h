#pragma once

#include <QtCore/QLoggingCategory>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcWs)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcQueue)
Q_DECLARE_LOGGING_CATEGORY(lcBridge)
/// The audit trail of --log-connections (core/connectionlog.h).
Q_DECLARE_LOGGING_CATEGORY(lcConnections)


/// Installs the process-wide message handler: "text" (default Qt pattern) or "json" lines.
void installLogFormat(const QString &format);

} // namespace Switchboard
