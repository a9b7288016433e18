#include "roompolicy.h"

#include <QtCore/QJsonArray>

#include "rooms/socketidroom.h"

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

RoomPolicy::RoomPolicy(const QStringList &claimTemplates, const QStringList &allowPatterns,
                       const QStringList &queryParameters)
    : m_templates(claimTemplates)
{
    for (const QString &pattern : allowPatterns)
        m_allow << wildcard(pattern);
    for (const QString &spec : queryParameters) {
        const qsizetype eq = spec.indexOf(QLatin1Char('='));
        if (eq < 0)
            m_queryParameters.append({spec, {}});
        else
            m_queryParameters.append({spec.left(eq), spec.mid(eq + 1).split(QLatin1Char('|'), Qt::SkipEmptyParts)});
    }
}

QRegularExpression RoomPolicy::wildcard(const QString &pattern)
{
    // Not QRegularExpression::wildcardToRegularExpression: in Qt 6.4 it does file-path
    // globbing, where "*" stops at '/', so "order:*" would refuse "order:2024/17".
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
    return QRegularExpression(re, QRegularExpression::DotMatchesEverythingOption);
}

namespace {

struct Part
{
    QString literal;  // text, when claim is empty
    QString claim;
    bool list = false;
};

QList<Part> parseTemplate(const QString &tmpl, QString *error)
{
    QList<Part> parts;
    int lists = 0;
    qsizetype i = 0;
    while (i < tmpl.size()) {
        const qsizetype open = tmpl.indexOf(QLatin1Char('{'), i);
        const qsizetype stray = tmpl.indexOf(QLatin1Char('}'), i);
        if (stray >= 0 && (open < 0 || stray < open)) {
            *error = QStringLiteral("a \"}\" without \"{\" at %1").arg(stray);
            return {};
        }
        if (open < 0) {
            parts.append({tmpl.mid(i), {}, false});
            break;
        }
        if (open > i)
            parts.append({tmpl.mid(i, open - i), {}, false});
        const qsizetype close = tmpl.indexOf(QLatin1Char('}'), open + 1);
        const qsizetype nested = tmpl.indexOf(QLatin1Char('{'), open + 1);
        if (close < 0 || (nested >= 0 && nested < close)) {
            *error = QStringLiteral("the \"{\" at %1 is not closed").arg(open);
            return {};
        }
        Part part;
        part.claim = tmpl.mid(open + 1, close - open - 1);
        part.list = part.claim.endsWith(QLatin1String("[]"));
        if (part.list)
            part.claim.chop(2);
        if (part.claim.isEmpty()) {
            *error = QStringLiteral("an empty placeholder at %1").arg(open);
            return {};
        }
        if (part.list && ++lists > 1) {
            *error = QStringLiteral("more than one list placeholder ({claim[]}); one per template");
            return {};
        }
        parts.append(part);
        i = close + 1;
    }
    return parts;
}

} // namespace

QString RoomPolicy::checkTemplate(const QString &tmpl)
{
    QString error;
    parseTemplate(tmpl, &error);
    if (error.isEmpty() && tmpl.trimmed().isEmpty())
        error = QStringLiteral("empty template");
    return error;
}

QStringList RoomPolicy::expandTemplate(const QString &tmpl, const QJsonObject &claims)
{
    QString error;
    const QList<Part> parts = parseTemplate(tmpl, &error);
    if (!error.isEmpty())
        return {}; // refused at startup (ConfigLoader); never a literal room with braces
    // Scalars fill in once; the list placeholder (if any) multiplies the result.
    QString prefix;
    QString suffix;
    QStringList items;
    bool seenList = false;
    for (const Part &part : parts) {
        QString *out = seenList ? &suffix : &prefix;
        if (part.claim.isEmpty()) {
            *out += part.literal;
            continue;
        }
        const QJsonValue value = claims.value(part.claim);
        if (part.list) {
            if (!value.isArray())
                return {};
            for (const QJsonValue &item : value.toArray()) {
                const QString text = claimText(item);
                if (!text.isEmpty())
                    items << text;
            }
            if (items.isEmpty())
                return {};
            seenList = true;
            continue;
        }
        const QString text = claimText(value);
        if (text.isEmpty())
            return {};
        *out += text;
    }
    if (!seenList)
        return {prefix};
    QStringList rooms;
    rooms.reserve(items.size());
    for (const QString &item : std::as_const(items))
        rooms << prefix + item + suffix;
    return rooms;
}

QStringList RoomPolicy::roomsForClaims(const QString &userId, const QJsonObject &claims) const
{
    QStringList rooms{QStringLiteral("user:") + userId};
    const QString role = claims.value(QLatin1String("role")).toString();
    if (!role.isEmpty())
        rooms << QStringLiteral("role:") + role;
    for (const QJsonValue &room : claims.value(QLatin1String("rooms")).toArray()) {
        const QString name = claimText(room);
        if (!name.isEmpty() && name.size() <= kMaxRoomLength && !SocketIdRoom::isReserved(name))
            rooms << name;
    }
    rooms << expandTemplates(m_templates, claims);
    rooms.removeDuplicates();
    return rooms;
}

QStringList RoomPolicy::roomsForConnect(const QString &userId, const QJsonObject &claims, const QUrlQuery &query,
                                        QString *error, const std::function<bool(const QString &)> &askFirst) const
{
    QStringList rooms = roomsForClaims(userId, claims);
    QJsonObject merged = claims;
    bool fromQuery = false;
    bool onlyListedValues = true;
    // No ':' in a value: a query must not be able to spell a "user:"- or "role:"-like prefix.
    static const QRegularExpression valid(QStringLiteral("\\A[A-Za-z0-9_.@-]{1,%1}\\z").arg(kMaxQueryValueLength));
    for (const QueryParameter &param : m_queryParameters) {
        if (claims.contains(param.name) || !query.hasQueryItem(param.name))
            continue;
        const QString value = query.queryItemValue(param.name, QUrl::FullyDecoded);
        if (!valid.match(value).hasMatch()) {
            *error = QStringLiteral("query parameter %1 must be 1-%2 characters of A-Z a-z 0-9 _ . @ -")
                         .arg(param.name).arg(kMaxQueryValueLength);
            return {};
        }
        if (!param.values.isEmpty() && !param.values.contains(value)) {
            *error = QStringLiteral("query parameter %1 must be one of %2").arg(param.name, param.values.join(QLatin1String(", ")));
            return {};
        }
        onlyListedValues = onlyListedValues && !param.values.isEmpty();
        merged.insert(param.name, value);
        fromQuery = true;
    }
    if (!fromQuery)
        return rooms;
    const QString role = claims.value(QLatin1String("role")).toString();
    for (const QString &room : expandTemplates(m_templates, merged)) {
        if (rooms.contains(room))
            continue;
        QString why = onlyListedValues ? QString() : checkSubscribe(userId, role, room);
        if (why.isEmpty() && askFirst && askFirst(room))
            why = QStringLiteral("its joins are decided by the subscribe proxy; join it after connecting");
        if (!why.isEmpty()) {
            *error = QStringLiteral("room %1 from the query: %2").arg(room, why);
            return {};
        }
        rooms << room;
    }
    return rooms;
}

QStringList RoomPolicy::expandTemplates(const QStringList &templates, const QJsonObject &claims)
{
    QStringList rooms;
    for (const QString &tmpl : templates) {
        for (const QString &name : expandTemplate(tmpl, claims)) {
            if (name.size() <= kMaxRoomLength && !SocketIdRoom::isReserved(name))
                rooms << name;
        }
    }
    return rooms;
}

QString RoomPolicy::checkSubscribe(const QString &userId, const QString &role, const QString &room) const
{
    if (room.isEmpty())
        return QStringLiteral("channel is required");
    if (room.size() > kMaxRoomLength)
        return QStringLiteral("channel name longer than %1 characters").arg(kMaxRoomLength);
    if (SocketIdRoom::isReserved(room))
        return QStringLiteral("room names of 10 to 20 digits are reserved: they name connections (socket ids)");
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
