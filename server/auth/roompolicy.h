#pragma once

#include <functional>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QRegularExpression>
#include <QtCore/QStringList>
#include <QtCore/QUrlQuery>

namespace Switchboard {

/**
 * @brief Decides which rooms a client joins on connect and which it may subscribe to.
 *
 * A client may never join another user's "user:" room or a "role:" room other than its
 * own. When allow patterns are configured ("order:*", "chat:?*"), a subscription must match
 * one of them.
 */
class RoomPolicy final
{
public:
    static constexpr int kMaxRoomLength = 200;

    RoomPolicy() = default;
    /// Longest query value a template may use (--claim-rooms-query).
    static constexpr int kMaxQueryValueLength = 64;

    /// @p queryParameters: query parameters templates may use like claims (--claim-rooms-query),
    /// each "name" or "name=value1|value2|..." (the values it may take).
    RoomPolicy(const QStringList &claimTemplates, const QStringList &allowPatterns,
               const QStringList &queryParameters = {});

    /// Rooms joined on connect: user:{id}, role:{role}, the "rooms" claim, claim templates.
    QStringList roomsForClaims(const QString &userId, const QJsonObject &claims) const;

    /**
     * roomsForClaims(), plus the rooms of templates whose placeholders the allowed query
     * parameters fill where no claim does (a claim always wins). A query value must be 1 to
     * kMaxQueryValueLength characters of A-Z a-z 0-9 _ . @ -, and one of the parameter's
     * listed values when it has a list. The rooms must pass checkSubscribe() like a client's
     * join, unless every query value used came from such a list: the configuration named
     * those rooms, so they need no --allowed-rooms pattern (which would let any client join
     * them). Otherwise nothing is returned and @p error says why (the connection is refused).
     */
    /// @p askFirst (optional): rooms a back end decides (the subscribe proxy's rules); a room
    /// the query would add that it names is refused, since connect-time rooms are not asked.
    QStringList roomsForConnect(const QString &userId, const QJsonObject &claims, const QUrlQuery &query,
                                QString *error, const std::function<bool(const QString &)> &askFirst = {}) const;

    /// Empty when allowed; otherwise the reason it is not.
    QString checkSubscribe(const QString &userId, const QString &role, const QString &room) const;

    /**
     * Rooms of one claim template: literal text with any number of "{claim}" placeholders
     * (a scalar claim: string, number or bool) and at most one "{claim[]}" (one room per
     * element of an array claim), e.g. "{user_type}:{sub}", "{region}:shop:{shopIds[]}".
     * A claim that is missing, empty or of the wrong type yields no room.
     */
    static QStringList expandTemplate(const QString &tmpl, const QJsonObject &claims);
    /// The rooms of every template in @p templates, those longer than kMaxRoomLength left out.
    static QStringList expandTemplates(const QStringList &templates, const QJsonObject &claims);
    /// Empty when @p tmpl is a valid template, else why not (for a startup error).
    static QString checkTemplate(const QString &tmpl);
    /// A room-name pattern: "*" any run of characters (':' and '/' too), "?" one.
    static QRegularExpression wildcard(const QString &pattern);

private:
    QStringList m_templates;
    QList<QRegularExpression> m_allow;
    struct QueryParameter
    {
        QString name;
        QStringList values; // empty: any valid value
    };
    QList<QueryParameter> m_queryParameters;
};

} // namespace Switchboard
