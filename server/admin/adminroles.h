#pragma once

#include <QtCore/QLatin1String>
#include <QtCore/QString>
#include <QtHttpServer/QHttpServerRequest>

#include "auth/admintoken.h"

namespace Switchboard::AdminRoles {

/**
 * @brief The one table of what each admin action needs (docs/operations.md, "Roles and
 * audit"). The HTTP routes map onto these actions (routeRule()); the admin channel checks
 * the same actions, so both answer the same caller the same way.
 */
struct Action
{
    const char *name;     // "disconnect", "emit", ... as the audit log and answers name it
    AdminRole role;       // the least role allowed
    /// Allowed calls are audited too (every mutation). Reads, and the back end's data-plane
    /// calls (internal emit, enqueue), are audited only when refused, so the console's polling
    /// and an application's traffic do not drown the operators' actions.
    bool auditAllowed;
};

/// Whether @p role may do @p action (nullptr: an action not in the table, refused to all).
/// The HTTP gate and the admin channel both decide with this.
inline bool allows(AdminRole role, const Action *action)
{
    return action && int(role) >= int(action->role);
}

/// The action named @p name, or nullptr (an unknown action is refused).
const Action *action(const QString &name);
/// Every action, for docs and tests.
const Action *actions(qsizetype *count);

/// One admin HTTP route: method and pattern as registered on the Router, and its action.
struct RouteRule
{
    QHttpServerRequest::Method method;
    const char *pattern;
    const char *action;
};

/// The action of the admin route @p method @p pattern, or nullptr: a route missing from the
/// table is refused to everyone (Router::add logs it; tst_adminroles fails on it).
const Action *routeAction(QHttpServerRequest::Method method, const QString &pattern);
const RouteRule *routeRules(qsizetype *count);

} // namespace Switchboard::AdminRoles
