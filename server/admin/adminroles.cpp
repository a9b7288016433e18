#include "adminroles.h"

#include <iterator>

namespace Switchboard::AdminRoles {

namespace {

using M = QHttpServerRequest::Method;
constexpr AdminRole V = AdminRole::Viewer;
constexpr AdminRole O = AdminRole::Operator;
constexpr AdminRole A = AdminRole::Admin;

const Action kActions[] = {
    // Reads: viewer.
    {"connections.list", V, false},
    {"users.list", V, false},
    {"users.status", V, false},
    {"rooms.list", V, false},
    {"rooms.get", V, false},
    {"bridges.get", V, false},
    {"cluster.nodes", V, false},
    {"events.list", V, false},
    {"dlq.list", V, false},
    {"whoami", V, false},
    // Steering one connection: operator.
    {"disconnect", O, true},
    {"join", O, true},
    {"leave", O, true},
    {"dlq.retry", O, true},
    // Reaching every client, destroying data, stopping the node, managing credentials: admin.
    {"emit", A, true},
    {"cluster.emit", A, true},
    {"dlq.purge", A, true},
    {"server.stop", A, true},
    {"server.drain", A, true},
    {"server.undrain", A, true},
    {"token.revoke", A, true},
    {"token.mint", A, true},
    {"audit.read", A, false},
    // The back end's data plane (usually the internal key, which is admin).
    {"internal.emit", A, false},
    {"queue.enqueue", A, false},
};

const RouteRule kRoutes[] = {
    {M::Get, "/api/websocket/connections", "connections.list"},
    {M::Get, "/connected-users", "users.list"},
    {M::Get, "/user-status/<arg>", "users.status"},
    {M::Get, "/api/rooms", "rooms.list"},
    {M::Get, "/api/rooms/<arg>", "rooms.get"},
    {M::Get, "/api/bridges", "bridges.get"},
    {M::Get, "/api/cluster/nodes", "cluster.nodes"},
    {M::Get, "/api/events", "events.list"},
    {M::Get, "/api/queues/<arg>/dlq", "dlq.list"},
    {M::Get, "/api/admin/whoami", "whoami"},
    {M::Post, "/api/connections/<arg>/disconnect", "disconnect"},
    {M::Post, "/api/connections/<arg>/rooms", "join"},
    {M::Delete, "/api/connections/<arg>/rooms/<arg>", "leave"},
    {M::Post, "/api/queues/<arg>/dlq/retry", "dlq.retry"},
    {M::Post, "/api/socket", "emit"},
    {M::Post, "/api/cluster/server-side-emit", "cluster.emit"},
    {M::Delete, "/api/queues/<arg>/dlq", "dlq.purge"},
    {M::Post, "/api/admin/tokens/revoke", "token.revoke"},
    {M::Post, "/api/admin/drain", "server.drain"},
    {M::Post, "/api/admin/undrain", "server.undrain"},
    {M::Post, "/api/admin/tokens", "token.mint"},
    {M::Post, "/api/admin/stop", "server.stop"},
    {M::Get, "/api/admin/audit", "audit.read"},
    {M::Post, "/api/v1/internal/emit", "internal.emit"},
    {M::Post, "/api/queues/<arg>/messages", "queue.enqueue"},
};

} // namespace

const Action *action(const QString &name)
{
    for (const Action &a : kActions) {
        if (name == QLatin1String(a.name))
            return &a;
    }
    return nullptr;
}

const Action *actions(qsizetype *count)
{
    *count = qsizetype(std::size(kActions));
    return kActions;
}

const Action *routeAction(QHttpServerRequest::Method method, const QString &pattern)
{
    for (const RouteRule &rule : kRoutes) {
        if (rule.method == method && pattern == QLatin1String(rule.pattern))
            return action(QLatin1String(rule.action));
    }
    return nullptr;
}

const RouteRule *routeRules(qsizetype *count)
{
    *count = qsizetype(std::size(kRoutes));
    return kRoutes;
}

} // namespace Switchboard::AdminRoles
