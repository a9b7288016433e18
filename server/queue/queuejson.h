#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>

#include "queue/queuemessage.h"

namespace Switchboard {

/// One message (a dead letter) with its payload, as GET /api/queues/:name/dlq and the
/// admin channel's deadletters stream show it.
QJsonObject queueMessageJson(const QueueMessage &message);

/// The stored form of a queue payload, as the HTTP API stores it: compact JSON, scalars bare.
QByteArray storedPayload(const QJsonValue &value);

} // namespace Switchboard
