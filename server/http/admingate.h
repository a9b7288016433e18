#pragma once

#include <optional>

#include "admin/adminroles.h"
#include "admin/auditlog.h"
#include "router.h"

namespace Switchboard::AdminGate {

/// What the gate decided for one admin request.
struct Decision
{
    std::optional<HttpResponse> refusal; // 401 / 403, already audited
    AdminCaller caller;
    const AdminRoles::Action *action = nullptr;
    QString target;
};

/**
 * Authenticates @p request (AdminAuth) and checks the caller's role against what @p action
 * needs (AdminRoles). A refusal is audited and answered in the house error shape plus the
 * typed result: {"error": why, "code": "unauthorized"|"forbidden", "reason": ..., "ok": false,
 * "result": "unauthenticated"|"forbidden", "action": ..., "required": role, "role": role}.
 * A null @p action (a route missing from the role table) is refused to everyone.
 */
Decision check(const AdminRoles::Action *action, const RequestData &request, const QStringList &params,
               const Server &server);

/// @p responder with the typed result added to the JSON answer of a mutating action
/// ("ok", "result", "action", "target") and the outcome audited when it is sent.
Responder observe(const Decision &decision, const RequestData &request, const Responder &responder,
                  const Server &server);

/// "ok", "unauthenticated", "forbidden", "not_found", "invalid" or "error" for an HTTP status.
QString resultOf(int status);

} // namespace Switchboard::AdminGate
