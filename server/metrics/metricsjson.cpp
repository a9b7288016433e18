#include "metricsjson.h"

namespace Switchboard {

QJsonObject metricsSampleJson(const MetricsSample &s)
{
    return {{QStringLiteral("timestamp"), s.timestampMs},
            {QStringLiteral("connections"), s.connections},
            {QStringLiteral("users"), s.users},
            {QStringLiteral("rooms"), s.rooms},
            {QStringLiteral("messagesInPerSec"), s.messagesInPerSec},
            {QStringLiteral("messagesOutPerSec"), s.messagesOutPerSec},
            {QStringLiteral("bytesInPerSec"), s.bytesInPerSec},
            {QStringLiteral("bytesOutPerSec"), s.bytesOutPerSec},
            {QStringLiteral("errorsPerSec"), s.errorsPerSec},
            {QStringLiteral("p50Ms"), s.p50Ms},
            {QStringLiteral("p95Ms"), s.p95Ms},
            {QStringLiteral("p99Ms"), s.p99Ms},
            {QStringLiteral("queueDepth"), s.queueDepth}};
}

QJsonObject eventLogEntryJson(const EventLog::Entry &entry)
{
    QJsonObject e{{QStringLiteral("seq"), qint64(entry.seq)},
                  {QStringLiteral("timestamp"), entry.timestampMs},
                  {QStringLiteral("direction"), EventLog::directionName(entry.direction)},
                  {QStringLiteral("name"), entry.name},
                  {QStringLiteral("room"), entry.room},
                  {QStringLiteral("userId"), entry.userId},
                  {QStringLiteral("detail"), entry.detail}};
    if (entry.connectionId != 0)
        e.insert(QStringLiteral("connectionId"), QString::number(entry.connectionId));
    return e;
}

} // namespace Switchboard
