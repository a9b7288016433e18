#include "nodepage.h"

#include <algorithm>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QMap>

#include "core/jsonfields.h"
#include "rooms/registry.h"

namespace Switchboard {

namespace {

const QStringList &connectionSorts()
{
    static const QStringList sorts{QStringLiteral("id"), QStringLiteral("user"), QStringLiteral("connectedAt"),
                                   QStringLiteral("rooms"), QStringLiteral("bytesIn"), QStringLiteral("bytesOut"),
                                   QStringLiteral("protocol")};
    return sorts;
}

/// The value a connection sorts by (a number or a string), as it travels between nodes.
QJsonValue sortValue(const ConnectionSnapshot &c, const QString &sort)
{
    if (sort == QLatin1String("user"))
        return c.userId;
    if (sort == QLatin1String("connectedAt"))
        return double(c.connectedAtMs);
    if (sort == QLatin1String("rooms"))
        return double(c.rooms.size());
    if (sort == QLatin1String("bytesIn"))
        return double(c.bytesIn);
    if (sort == QLatin1String("bytesOut"))
        return double(c.bytesOut);
    if (sort == QLatin1String("protocol"))
        return c.protocol;
    return QJsonValue(); // by id alone
}

int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isString() || b.isString())
        return a.toString().compare(b.toString());
    const double x = a.toDouble(), y = b.toDouble();
    return x < y ? -1 : x > y;
}

/// Ties go by id so that the order is total (and the same on every node).
bool before(const QJsonValue &ka, quint64 ida, const QJsonValue &kb, quint64 idb, bool desc)
{
    int c = compareValues(ka, kb);
    if (c == 0)
        c = ida < idb ? -1 : ida > idb;
    return desc ? c > 0 : c < 0;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject connectionsPage(const Registry &registry, const QString &nodeName, const NodePageQuery &q)
{
    QList<ConnectionSnapshot> all = registry.connections();
    if (!q.filter.isEmpty()) {
        const auto miss = [&q](const ConnectionSnapshot &c) {
            const auto has = [&q](const QString &text) { return text.contains(q.filter, Qt::CaseInsensitive); };
            if (has(QString::number(c.id)) || has(c.userId) || has(c.address))
                return false;
            return std::none_of(c.rooms.cbegin(), c.rooms.cend(), has);
        };
        all.erase(std::remove_if(all.begin(), all.end(), miss), all.end());
    }
    struct Keyed
    {
        QJsonValue key;
        qsizetype index;
    };
    QList<Keyed> keyed;
    keyed.reserve(all.size());
    for (qsizetype i = 0; i < all.size(); ++i)
        keyed.append({sortValue(all.at(i), q.sort), i});
    const qsizetype total = all.size();
    const qsizetype begin = q.window ? 0 : qMin<qsizetype>(q.offset, total);
    const qsizetype end = qMin<qsizetype>(qsizetype(q.offset) + q.limit, total);
    // Only the page (or the window) is put in order, and only it becomes JSON.
    std::partial_sort(keyed.begin(), keyed.begin() + end, keyed.end(), [&](const Keyed &a, const Keyed &b) {
        return before(a.key, all.at(a.index).id, b.key, all.at(b.index).id, q.desc);
    });
    QJsonArray rows, keys;
    qint64 bytes = 0;
    bool truncated = false;
    for (qsizetype i = begin; i < end; ++i) {
        const ConnectionSnapshot &c = all.at(keyed.at(i).index);
        QJsonObject row = connectionJson(c);
        row.insert(QStringLiteral("node"), nodeName);
        // The names the channel's protocol gives them, beside the HTTP API's.
        row.insert(QStringLiteral("user"), c.userId);
        row.insert(QStringLiteral("ip"), c.address);
        bytes += compact(row).size() + 64;
        if (bytes > NodePageQuery::kMaxAnswerBytes) {
            truncated = true;
            break;
        }
        rows.append(row);
        keys.append(QJsonArray{keyed.at(i).key, QString::number(c.id)});
    }
    return {{QStringLiteral("total"), double(total)},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("keys"), keys},
            {QStringLiteral("truncated"), truncated}};
}

QJsonObject roomsPage(const Registry &registry, const QString &nodeName, const NodePageQuery &q)
{
    const QHash<QString, int> counts = q.users ? registry.users() : registry.roomCounts();
    QList<QPair<QString, int>> list;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (q.filter.isEmpty() || it.key().contains(q.filter, Qt::CaseInsensitive))
            list.append({it.key(), it.value()});
    }
    const qsizetype end = qMin<qsizetype>(q.window ? NodePageQuery::kMaxClusterRooms : q.limit, list.size());
    // Most members first, then by name.
    std::partial_sort(list.begin(), list.begin() + end, list.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QJsonArray rows;
    qint64 bytes = 0;
    bool truncated = end < list.size() && q.window;
    for (qsizetype i = 0; i < end; ++i) {
        bytes += list.at(i).first.toUtf8().size() + 48 + nodeName.size();
        if (bytes > NodePageQuery::kMaxAnswerBytes) {
            truncated = true;
            break;
        }
        rows.append(QJsonObject{{QStringLiteral("name"), list.at(i).first},
                                {QStringLiteral("count"), list.at(i).second},
                                {QStringLiteral("node"), nodeName}});
    }
    return {{QStringLiteral("total"), double(list.size())},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("truncated"), truncated}};
}

} // namespace

QString NodePageQuery::parse(const QJsonObject &q, bool rooms, bool clustered, NodePageQuery *out)
{
    NodePageQuery r;
    r.rooms = rooms;
    QString node;
    if (!JsonFields::string(q, "filter", kMaxFilterChars, &r.filter))
        return JsonFields::mustBe("filter", QStringLiteral("a string of at most %1 characters").arg(kMaxFilterChars));
    if (!JsonFields::string(q, "node", kMaxFilterChars, &node))
        return JsonFields::mustBe("node", QStringLiteral("a node name, \"*\" or \"\""));
    r.node = node;
    if (rooms) {
        QString source;
        qint64 limit = 0;
        if (!JsonFields::string(q, "source", kMaxFilterChars, &source) || (!source.isEmpty() && source != QLatin1String("rooms") && source != QLatin1String("users")))
            return JsonFields::mustBe("source", QStringLiteral("\"rooms\" or \"users\""));
        if (!JsonFields::wholeNumber(q, "limit", 1, kMaxRoomsLimit, 200, &limit))
            return JsonFields::mustBe("limit", QStringLiteral("from 1 to %1").arg(kMaxRoomsLimit));
        r.users = source == QLatin1String("users");
        r.limit = int(limit);
        *out = r;
        return {};
    }
    QString sort;
    qint64 offset = 0, limit = 0;
    if (!JsonFields::string(q, "sort", kMaxFilterChars, &sort) || (!sort.isEmpty() && !connectionSorts().contains(sort)))
        return JsonFields::mustBe("sort", connectionSorts().join(QLatin1Char('|')));
    const QJsonValue desc = q.value(QLatin1String("desc"));
    if (!desc.isUndefined() && !desc.isNull() && !desc.isBool())
        return JsonFields::mustBe("desc", QStringLiteral("true or false"));
    if (!JsonFields::wholeNumber(q, "offset", 0, 1 << 30, 0, &offset))
        return JsonFields::mustBe("offset", QStringLiteral("a whole number from 0"));
    if (!JsonFields::wholeNumber(q, "limit", 1, kMaxConnectionsLimit, 50, &limit))
        return JsonFields::mustBe("limit", QStringLiteral("from 1 to %1").arg(kMaxConnectionsLimit));
    if (clustered && r.everyNode() && offset + limit > kMaxClusterWindow)
        return QStringLiteral("for the whole cluster (\"node\" \"\" or \"*\") \"offset\" + \"limit\" must be at most %1; "
                              "filter by node to page further").arg(kMaxClusterWindow);
    r.sort = sort.isEmpty() ? QStringLiteral("id") : sort;
    r.desc = desc.toBool();
    r.offset = int(offset);
    r.limit = int(limit);
    *out = r;
    return {};
}

QJsonObject NodePageQuery::toJson() const
{
    return {{QStringLiteral("stream"), rooms ? QStringLiteral("rooms") : QStringLiteral("connections")},
            {QStringLiteral("source"), users ? QStringLiteral("users") : QStringLiteral("rooms")},
            {QStringLiteral("filter"), filter},
            {QStringLiteral("sort"), sort},
            {QStringLiteral("desc"), desc},
            {QStringLiteral("offset"), offset},
            {QStringLiteral("limit"), limit},
            {QStringLiteral("node"), node},
            {QStringLiteral("window"), window}};
}

NodePageQuery NodePageQuery::fromJson(const QJsonObject &json)
{
    NodePageQuery q;
    const bool rooms = json.value(QLatin1String("stream")).toString() == QLatin1String("rooms");
    QJsonObject checked = json;
    checked.remove(QStringLiteral("stream"));
    checked.remove(QStringLiteral("window"));
    if (rooms) {
        checked.remove(QStringLiteral("sort"));
        checked.remove(QStringLiteral("desc"));
        checked.remove(QStringLiteral("offset"));
    }
    if (!parse(checked, rooms, true, &q).isEmpty()) {
        // Nothing matches a query this node cannot read.
        q = NodePageQuery();
        q.rooms = rooms;
        q.node = QStringLiteral("\x01");
        return q;
    }
    q.window = json.value(QLatin1String("window")).toBool();
    return q;
}

QJsonObject localNodePage(const Registry &registry, const QString &nodeName, const NodePageQuery &query)
{
    if (!query.asks(nodeName))
        return {{QStringLiteral("total"), 0}, {QStringLiteral("rows"), QJsonArray()}, {QStringLiteral("truncated"), false}};
    return query.rooms ? roomsPage(registry, nodeName, query) : connectionsPage(registry, nodeName, query);
}

QJsonObject mergeNodePages(const NodePageQuery &query, const QList<PresencePart> &parts)
{
    bool truncated = false;
    double total = 0;
    for (const PresencePart &p : parts) {
        truncated = truncated || p.part.value(QLatin1String("truncated")).toBool();
        total += p.part.value(QLatin1String("total")).toDouble();
    }
    if (!query.window) {
        // One node answered with its page.
        QJsonArray rows;
        for (const PresencePart &p : parts) {
            for (const QJsonValue &row : p.part.value(QLatin1String("rows")).toArray())
                rows.append(row);
        }
        return {{QStringLiteral("total"), total}, {QStringLiteral("rows"), rows}, {QStringLiteral("truncated"), truncated}};
    }
    if (query.rooms) {
        struct Sum
        {
            int count = 0;
            QJsonObject nodes;
        };
        QHash<QString, Sum> sums;
        for (const PresencePart &p : parts) {
            for (const QJsonValue &v : p.part.value(QLatin1String("rows")).toArray()) {
                const QJsonObject row = v.toObject();
                Sum &sum = sums[row.value(QLatin1String("name")).toString()];
                const int count = row.value(QLatin1String("count")).toInt();
                sum.count += count;
                const QString node = row.value(QLatin1String("node")).toString();
                sum.nodes.insert(node, sum.nodes.value(node).toInt() + count);
            }
        }
        QList<QPair<QString, int>> list;
        list.reserve(sums.size());
        for (auto it = sums.cbegin(); it != sums.cend(); ++it)
            list.append({it.key(), it.value().count});
        const qsizetype end = qMin<qsizetype>(query.limit, list.size());
        std::partial_sort(list.begin(), list.begin() + end, list.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        QJsonArray rows;
        for (qsizetype i = 0; i < end; ++i) {
            rows.append(QJsonObject{{QStringLiteral("name"), list.at(i).first},
                                    {QStringLiteral("count"), list.at(i).second},
                                    {QStringLiteral("node"), QStringLiteral("*")},
                                    {QStringLiteral("nodes"), sums.value(list.at(i).first).nodes}});
        }
        // Distinct names across the nodes (a name on two nodes counts once).
        return {{QStringLiteral("total"), double(sums.size())}, {QStringLiteral("rows"), rows}, {QStringLiteral("truncated"), truncated}};
    }
    struct Entry
    {
        QJsonValue key;
        quint64 id;
        QJsonObject row;
    };
    QList<Entry> entries;
    for (const PresencePart &p : parts) {
        const QJsonArray rows = p.part.value(QLatin1String("rows")).toArray();
        const QJsonArray keys = p.part.value(QLatin1String("keys")).toArray();
        for (qsizetype i = 0; i < rows.size() && i < keys.size(); ++i) {
            const QJsonArray k = keys.at(i).toArray();
            entries.append({k.at(0), k.at(1).toString().toULongLong(), rows.at(i).toObject()});
        }
    }
    std::sort(entries.begin(), entries.end(), [&query](const Entry &a, const Entry &b) {
        return before(a.key, a.id, b.key, b.id, query.desc);
    });
    QJsonArray rows;
    for (qsizetype i = query.offset; i < entries.size() && i < qsizetype(query.offset) + query.limit; ++i)
        rows.append(entries.at(i).row);
    return {{QStringLiteral("total"), total}, {QStringLiteral("rows"), rows}, {QStringLiteral("truncated"), truncated}};
}

} // namespace Switchboard
