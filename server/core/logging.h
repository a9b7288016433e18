#pragma once

#include <QtCore/QLoggingCategory>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcWs)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcQueue)

/// Turns off warnings of the "qt.httpserver" category (criticals stay). QtHttpServer 6.4 warns
/// "WebSocket received but no slots connected" for every upgrade that HttpFront completes
/// itself, i.e. for every WebSocket connection; its only other warning is for binding a
/// QTcpServer that is not listening, which HttpFront never does.
void quietQtHttpServerWarnings();

/// Installs the process-wide message handler: "text" (default Qt pattern) or "json" lines.
void installLogFormat(const QString &format);

} // namespace Switchboard
