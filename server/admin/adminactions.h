#pragma once

#include <functional>

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

namespace Switchboard {

class Server;

/**
 * The admin channel's actions (docs/admin-channel.md, "Actions"). Each one but "connection"
 * runs through the HTTP route that does the same thing, called with the channel's credential:
 * the route's role check (AdminRoles' table, through AdminGate), its validation, its typed
 * result and its audit are the HTTP API's, not a copy of them.
 */
namespace AdminActions {

struct Outcome
{
    bool ok = false;
    QString result;      // ok, unauthenticated, forbidden, not_found, invalid, error
    QString message;
    QJsonObject data;
};

/// The role-table action (AdminRoles) a channel action is checked against; null when unknown.
const char *tableAction(const QString &channelAction);
/// {"<channel action>": "<least role>", ...}: the role table as the channel names its actions.
QJsonObject rolesJson();

/**
 * Runs @p action with @p args for the caller whose credential is @p authorization
 * ("Bearer <token>"), from @p remote. @p done gets the outcome, on any thread. @p progress:
 * an emit that waits for acks hands each one to it as it comes, before @p done (only once the
 * route accepted the emit and opened its wait: never for a refused one).
 */
void run(Server &server, const QString &action, const QJsonObject &args, const QByteArray &authorization,
         const QHostAddress &remote, std::function<void(const Outcome &)> done,
         std::function<void(const QString &emitId, const QJsonObject &ack)> progress = {});

} // namespace AdminActions

} // namespace Switchboard
