#pragma once

#include <QtCore/QJsonObject>

#include "queue/queuemessage.h"

namespace Switchboard {

/// One message (a dead letter) with its payload, as GET /api/queues/:name/dlq and the
/// admin channel's deadletters stream show it.
QJsonObject queueMessageJson(const QueueMessage &message);

} // namespace Switchboard
