#include "adminpagestream.h"

#include <optional>
#include <utility>

#include <QtCore/QJsonArray>
#include <QtCore/QMutex>

#include "cluster/nodepage.h"
#include "cluster/nodepages.h"
#include "server.h"

namespace Switchboard {

namespace {

/// Cluster fan-ins asked for admin pages, whatever channel or subscription asks: at most two
/// in flight and one every 200 ms per node, so re-subscribing in a loop (a new stream each
/// time) or many channels cannot make every node build and publish pages faster than that.
struct ClusterAskGate
{
    static constexpr int kMaxInFlight = 2;
    static constexpr qint64 kMinIntervalMs = 200;
    QMutex lock;
    int inFlight = 0;
    qint64 lastMs = -kMinIntervalMs;

    bool take(qint64 nowMs)
    {
        QMutexLocker locker(&lock);
        if (inFlight >= kMaxInFlight || nowMs - lastMs < kMinIntervalMs)
            return false;
        ++inFlight;
        lastMs = nowMs;
        return true;
    }
    void done()
    {
        QMutexLocker locker(&lock);
        --inFlight;
    }
};

ClusterAskGate &clusterAskGate()
{
    static ClusterAskGate gate;
    return gate;
}

/**
 * @brief A page of connections or rooms. This node's alone is read from its registry on the
 * hub's thread at each refresh; other nodes' come through the cluster's fan-in (NodePages),
 * one request at a time, and are picked up by a later tick. Either way the page goes out as
 * a snapshot, then as row diffs (KeyedPage).
 */
class NodePageStream final : public AdminStream
{
public:
    NodePageStream(Server &server, bool rooms) : m_server(server), m_rooms(rooms) {}

    QString setQuery(const QJsonObject &query) override
    {
        NodePageQuery parsed;
        const QString why = NodePageQuery::parse(query, m_rooms, m_server.broker().isClustered(), &parsed);
        if (!why.isEmpty())
            return why;
        m_query = parsed;
        // Answers to the old query are not this one's.
        m_shared = std::make_shared<Shared>();
        m_snapshotDue = true;
        return {};
    }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        std::optional<Result> answer;
        {
            QMutexLocker lock(&m_shared->lock);
            answer = std::exchange(m_shared->answer, std::nullopt);
        }
        if (answer)
            emitPage(*answer, send);
        if (!due(nowMs, full))
            return;
        const QString self = m_server.nodeName();
        NodePages *cluster = m_server.broker().isClustered() ? dynamic_cast<NodePages *>(&m_server.broker()) : nullptr;
        if (!cluster || m_query.node == self) {
            NodePageQuery local = m_query;
            local.window = false;
            const QJsonObject part = localNodePage(m_server.registry(), self, local);
            emitPage({part, false, QString()}, send);
            return;
        }
        {
            QMutexLocker lock(&m_shared->lock);
            if (m_shared->inFlight)
                return; // the last request is still on its way: this refresh waits for it
            if (!clusterAskGate().take(nowMs))
                return; // the node's fan-ins for admin pages are at their rate: a later tick
            m_shared->inFlight = true;
        }
        NodePageQuery asked = m_query;
        asked.window = asked.everyNode();
        cluster->askNodePages(asked.toJson(), [shared = m_shared, asked](const NodePages::Answer &a) {
            clusterAskGate().done();
            Result result{mergeNodePages(asked, a.parts), a.partial, a.error};
            QMutexLocker lock(&shared->lock);
            shared->inFlight = false;
            shared->answer = std::move(result);
        });
    }

private:
    struct Result
    {
        QJsonObject page; // {"total", "rows", "truncated"}
        bool partial = false;
        QString error;
    };
    struct Shared
    {
        QMutex lock;
        bool inFlight = false;
        std::optional<Result> answer;
    };

    void emitPage(const Result &result, const Send &send)
    {
        const QString keyField = m_rooms ? QStringLiteral("name") : QStringLiteral("id");
        QList<KeyedPage::Row> rows;
        for (const QJsonValue &v : result.page.value(QLatin1String("rows")).toArray()) {
            const QJsonObject row = v.toObject();
            rows.append({row.value(keyField).toString(), row});
        }
        const bool truncated = result.page.value(QLatin1String("truncated")).toBool();
        QString error = result.error;
        if (truncated && error.isEmpty())
            error = QStringLiteral("a node's answer was cut at its bound (%1 bytes; cluster-wide rooms: %2 names per node)")
                        .arg(NodePageQuery::kMaxAnswerBytes)
                        .arg(NodePageQuery::kMaxClusterRooms);
        QJsonObject extra{{QStringLiteral("node"), m_query.everyNode() ? QStringLiteral("*") : m_query.node},
                          {QStringLiteral("partial"), result.partial || truncated},
                          {QStringLiteral("error"), error}};
        if (m_rooms)
            extra.insert(QStringLiteral("source"), m_query.users ? QStringLiteral("users") : QStringLiteral("rooms"));
        else
            extra.insert(QStringLiteral("offset"), m_query.offset);
        const QJsonObject message = m_page.update(m_rooms ? QStringLiteral("rooms") : QStringLiteral("connections"), rows,
                                                  qint64(result.page.value(QLatin1String("total")).toDouble()),
                                                  m_snapshotDue, extra);
        m_snapshotDue = false;
        if (!message.isEmpty())
            send(message);
    }

    Server &m_server;
    const bool m_rooms;
    NodePageQuery m_query;
    bool m_snapshotDue = true;
    std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
    KeyedPage m_page;
};

} // namespace

std::unique_ptr<AdminStream> makeNodePageStream(Server &server, bool rooms)
{
    return std::make_unique<NodePageStream>(server, rooms);
}

} // namespace Switchboard
