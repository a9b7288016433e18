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


/**
 * Installs the process-wide message handler: "text" (timestamped lines), "json" lines, or
 * "journal" (syslog priority prefix, no timestamp: journald keeps its own). "text" becomes
 * "journal" when stderr is the systemd journal (JOURNAL_STREAM names it).
 */
void installLogFormat(const QString &format);
/// True when stderr is the stream systemd's JOURNAL_STREAM names (a service's journal).
bool stderrIsJournal();

} // namespace Switchboard
