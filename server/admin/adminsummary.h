#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace Switchboard {

class Server;

/**
 * The admin channel's fixed answers (docs/admin-channel.md): what the welcome says about the
 * node and its settings, and the summary pushed once a second (everything the console's
 * Overview shows, the cluster's nodes included).
 */
namespace AdminSummary {

/// {"name","uid"} of this node.
QJsonObject nodeJson(const Server &server);
/// The settings the console shows (secrets left out, the Redis password masked).
QJsonObject serverJson(const Server &server);
/// @p url with its password replaced by "***".
QString maskedUrl(const QString &url);
/// {"type":"summary","v":1,...}
QJsonObject summaryJson(const Server &server);

} // namespace AdminSummary

} // namespace Switchboard
