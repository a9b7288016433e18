#include "roompolicy.h"

#include <QtCore/QJsonArray>

namespace Switchboard {

namespace {

QString claimText(const QJsonValue &v)
{
    if (v.isString()) return v.toString();
    if (v.isDouble()) {
        const double d = v.toDouble();
        return d == qint64(d) ? QString::number(qint64(d)) : QString::number(d);
    }
    if (v.isBool()) return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

} // namespace

RoomPolicy::RoomPolicy(const QStringList &claimTemplates, const QStringList &allowPatterns)
    : m_templates(claimTemplates)
{
    // Not QRegularExpression::wildcardToRegularExpression: in Qt 6.4 it does file-path
    // globbing, where "*" stops at '/', so "order:*" would refuse "order:2024/17".
    for (const QString &pattern : allowPatterns) {
        QString re = QStringLiteral("\\A");
        for (QChar c : pattern) {
            if (c == QLatin1Char('*'))
                re += QStringLiteral(".*");
            else if (c == QLatin1Char('?'))
                re += QLatin1Char('.');
            else
                re += QRegularExpression::escape(QString(c));
        }
        re += QStringLiteral("\\z");
        m_allow << QRegularExpression(re, QRegularExpression::DotMatchesEverythingOption);
    }
}

QStringList RoomPolicy::expandTemplate(const QString &tmpl, const QJsonObject &claims)
{
    // One placeholder per template: "{claim}" for a scalar, "{claim[]}" for each array item.
    const qsizetype open = tmpl.indexOf(QLatin1Char('{'));
    const qsizetype close = tmpl.indexOf(QLatin1Char('}'), open + 1);
    if (open < 0 || close < 0)
        return {tmpl};
    QString name = tmpl.mid(open + 1, close - open - 1);
    const bool each = name.endsWith(QLatin1String("[]"));
    if (each)
        name.chop(2);
    const QString prefix = tmpl.left(open);
    const QString suffix = tmpl.mid(close + 1);
    const QJsonValue value = claims.value(name);
    QStringList out;
    if (each && value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            const QString text = claimText(item);
            if (!text.isEmpty())
                out << prefix + text + suffix;
        }
    } else if (!each) {
        const QString text = claimText(value);
        if (!text.isEmpty())
            out << prefix + text + suffix;
    }
    return out;
}

QStringList RoomPolicy::roomsForClaims(const QString &userId, const QJsonObject &claims) const
{
    QStringList rooms{QStringLiteral("user:") + userId};
    const QString role = claims.value(QLatin1String("role")).toString();
    if (!role.isEmpty())
        rooms << QStringLiteral("role:") + role;
    for (const QJsonValue &room : claims.value(QLatin1String("rooms")).toArray()) {
        const QString name = claimText(room);
        if (!name.isEmpty() && name.size() <= kMaxRoomLength)
            rooms << name;
    }
    for (const QString &tmpl : m_templates) {
        for (const QString &name : expandTemplate(tmpl, claims)) {
            if (name.size() <= kMaxRoomLength)
                rooms << name;
        }
    }
    rooms.removeDuplicates();
    return rooms;
}

QString RoomPolicy::checkSubscribe(const QString &userId, const QString &role, const QString &room) const
{
    if (room.isEmpty())
        return QStringLiteral("channel is required");
    if (room.size() > kMaxRoomLength)
        return QStringLiteral("channel name longer than %1 characters").arg(kMaxRoomLength);
    if (room.startsWith(QLatin1String("user:")))
        return room.mid(5) == userId ? QString() : QStringLiteral("cannot join another user's room");
    if (room.startsWith(QLatin1String("role:")))
        return room.mid(5) == role ? QString() : QStringLiteral("cannot join another role's room");
    if (m_allow.isEmpty())
        return {};
    for (const QRegularExpression &re : m_allow) {
        if (re.match(room).hasMatch())
            return {};
    }
    return QStringLiteral("room not allowed by policy");
}

} // namespace Switchboard
