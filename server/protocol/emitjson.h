#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include "emit.h"

namespace Switchboard {

/// The JSON form of an emit: the body of POST /api/v1/internal/emit (docs/http-api.md), also
/// what `PUBLISH <key>:emit` carries and what nodes of a cluster send each other.
/// False, with a message for the client in @p error, when @p body is not a valid emit.
bool parseEmitJson(const QJsonObject &body, EmitRequest *request, QString *error);
/// @p request as parseEmitJson() reads it, plus the fields only nodes exchange ("moreArgs",
/// "exceptRooms", "source", "from", "ackOrigin", attachments as base64).
QJsonObject emitJson(const EmitRequest &request);
/// The fields emitJson() adds, read back (a node's message; trusted).
void readNodeFields(const QJsonObject &body, EmitRequest *request);

} // namespace Switchboard
