#include "consolesource.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonValue>

namespace Switchboard {

int ConsoleSource::roleRank(const QString &role)
{
    if (role == QLatin1String("admin"))
        return 3;
    if (role == QLatin1String("operator"))
        return 2;
    if (role == QLatin1String("viewer"))
        return 1;
    return 0;
}

void ConsoleSource::setReadOnly(bool readOnly)
{
    if (m_readOnly == readOnly)
        return;
    m_readOnly = readOnly;
    Q_EMIT roleChanged();
}

bool ConsoleSource::allows(const QString &action) const
{
    if (m_readOnly && action != QLatin1String("connection"))
        return false;
    const QString needed = requiredRole(action);
    // "unknown" (no welcome yet) ranks like no role at all: nothing is allowed until it says.
    return needed.isEmpty() || (roleRank(needed) > 0 && roleRank(role()) >= roleRank(needed));
}

QList<SourceRoom> ConsoleSource::rooms(bool users) const
{
    const QHash<QString, int> counts = roomCounts(users);
    QList<SourceRoom> out;
    out.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out.append(SourceRoom{it.key(), it.value(), {}});
    return out;
}

quint64 SourceAckWait::connectionIdOf(const QJsonValue &id)
{
    return id.isString() ? id.toString().toULongLong() : quint64(id.toDouble());
}

SourceAckWait SourceAckWait::fromJson(const QJsonObject &answer)
{
    SourceAckWait wait;
    const QJsonValue delivered = answer.value(QLatin1String("delivered"));
    wait.delivered = delivered.isDouble() ? delivered.toInt() : -1;
    wait.complete = answer.value(QLatin1String("complete")).toBool();
    // A wait lists at most what --max-ack-bytes allows; the console keeps as many as the
    // node sent, which that byte bound already caps.
    for (const QJsonValue &v : answer.value(QLatin1String("acks")).toArray()) {
        const QJsonObject o = v.toObject();
        Ack ack;
        ack.connectionId = connectionIdOf(o.value(QLatin1String("connectionId")));
        ack.userId = o.value(QLatin1String("userId")).toString();
        ack.ok = o.value(QLatin1String("ok")).toBool(true);
        const QJsonValue error = o.value(QLatin1String("error"));
        ack.error = error.isString() ? error.toString()
            : error.isUndefined() ? QString()
                                  : QString::fromUtf8(QJsonDocument(QJsonArray{error}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        wait.acks.append(ack);
    }
    wait.timedOut = int(answer.value(QLatin1String("timedOut")).toArray().size());
    wait.omitted = answer.value(QLatin1String("omitted")).toInt();
    // The admin channel pushed them one by one ("acks") and left them out of its answer.
    wait.live = answer.value(QLatin1String("acksPushed")).toBool();
    return wait;
}

} // namespace Switchboard
