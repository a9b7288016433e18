#pragma once

#include <QtCore/QJsonObject>

#include "metrics/eventlog.h"
#include "metrics/metrics.h"

namespace Switchboard {

/// One per-second sample as the admin channel's summary and history carry it.
QJsonObject metricsSampleJson(const MetricsSample &sample);
/// One event log row as GET /api/events and the admin channel's events stream show it.
QJsonObject eventLogEntryJson(const EventLog::Entry &entry);

} // namespace Switchboard
