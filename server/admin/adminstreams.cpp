#include "adminstreams.h"

#include <algorithm>
#include <optional>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QMutex>

#include "admin/adminpagestream.h"
#include "cluster/presence.h"
#include "metrics/metricsjson.h"
#include "queue/queuebackend.h"
#include "queue/queuejson.h"
#include "core/jsonfields.h"
#include "server.h"

namespace Switchboard {

namespace {

constexpr int kMaxFilterChars = 256;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// ---- the event log ------------------------------------------------------------------------

class EventsStream final : public AdminStream
{
public:
    explicit EventsStream(Server &server) : m_server(server) {}

    static constexpr int kMaxPerPush = 200;
    static constexpr int kPeriodMs = 250;

    QString setQuery(const QJsonObject &q) override
    {
        QString filter;
        if (!JsonFields::string(q, "filter", kMaxFilterChars, &filter))
            return JsonFields::mustBe("filter", QStringLiteral("a string of at most %1 characters").arg(kMaxFilterChars));
        m_filter = filter;
        return {};
    }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        if (!due(nowMs, full, kPeriodMs))
            return;
        EventLog &log = m_server.eventLog();
        if (full && !m_started) {
            // The page opens with the most recent entries (at most one push's worth).
            m_started = true;
            const quint64 last = log.lastSeq();
            m_lastSeq = last > quint64(kMaxPerPush) ? last - kMaxPerPush : 0;
            m_logSkipped = log.skipped();
        }
        const QList<EventLog::Entry> entries = log.since(m_lastSeq);
        const quint64 logSkipped = log.skipped();
        qint64 skipped = qint64(logSkipped - m_logSkipped); // what the log itself sampled away
        m_logSkipped = logSkipped;
        if (!entries.isEmpty()) {
            if (entries.constLast().seq > m_lastSeq + quint64(entries.size()))
                skipped += qint64(entries.constLast().seq - m_lastSeq - quint64(entries.size())); // overwritten in the ring
            m_lastSeq = entries.constLast().seq;
        }
        QList<const EventLog::Entry *> matching;
        for (const EventLog::Entry &e : entries) {
            if (m_filter.isEmpty() || e.name.contains(m_filter, Qt::CaseInsensitive) || e.room.contains(m_filter, Qt::CaseInsensitive)
                || e.userId.contains(m_filter, Qt::CaseInsensitive))
                matching.append(&e);
        }
        QJsonArray out;
        if (matching.size() <= kMaxPerPush) {
            for (const EventLog::Entry *e : std::as_const(matching))
                out.append(eventLogEntryJson(*e));
        } else {
            // Sampled: evenly spread over the interval, the rest counted.
            for (int i = 0; i < kMaxPerPush; ++i)
                out.append(eventLogEntryJson(*matching.at(qsizetype(i) * matching.size() / kMaxPerPush)));
            skipped += matching.size() - kMaxPerPush;
        }
        if (out.isEmpty() && skipped == 0 && !full)
            return;
        send({{QStringLiteral("type"), QStringLiteral("events")},
              {QStringLiteral("v"), 1},
              {QStringLiteral("stream"), QStringLiteral("events")},
              {QStringLiteral("entries"), out},
              {QStringLiteral("skipped"), skipped}});
    }

private:
    Server &m_server;
    QString m_filter;
    bool m_started = false;
    quint64 m_lastSeq = 0;
    quint64 m_logSkipped = 0;
};

// ---- queues -------------------------------------------------------------------------------

class QueuesStream final : public AdminStream
{
public:
    explicit QueuesStream(Server &server) : m_server(server) {}

    QString setQuery(const QJsonObject &) override { return {}; }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        if (!due(nowMs, full))
            return;
        // The backend: this node's queues, or with --redis the cluster's.
        QList<QueueStats> stats;
        if (QueueBackend *queues = m_server.queueBackend())
            stats = queues->stats();
        std::sort(stats.begin(), stats.end(), [](const QueueStats &a, const QueueStats &b) { return a.name < b.name; });
        QList<KeyedPage::Row> rows;
        for (const QueueStats &q : std::as_const(stats))
            rows.append({q.name, queueStatsJson(q)});
        const QJsonObject message = m_page.update(QStringLiteral("queues"), rows, rows.size(), full,
                                                  {{QStringLiteral("available"), m_server.queueBackend() != nullptr}});
        if (!message.isEmpty())
            send(message);
    }

private:
    Server &m_server;
    KeyedPage m_page;
};

// ---- dead letters -------------------------------------------------------------------------

class DeadLettersStream final : public AdminStream
{
public:
    explicit DeadLettersStream(Server &server) : m_server(server) {}

    static constexpr int kMaxLimit = 200;

    QString setQuery(const QJsonObject &q) override
    {
        QString queue;
        qint64 offset = 0, limit = 0;
        if (!JsonFields::string(q, "queue", kMaxFilterChars, &queue) || !isValidQueueName(queue))
            return JsonFields::mustBe("queue", QStringLiteral("a queue name (1-128 characters from A-Z a-z 0-9 _ . : -)"));
        if (!JsonFields::wholeNumber(q, "offset", 0, 1 << 30, 0, &offset))
            return JsonFields::mustBe("offset", QStringLiteral("a whole number from 0"));
        if (!JsonFields::wholeNumber(q, "limit", 1, kMaxLimit, 50, &limit))
            return JsonFields::mustBe("limit", QStringLiteral("from 1 to %1").arg(kMaxLimit));
        m_queue = queue;
        m_offset = int(offset);
        m_limit = int(limit);
        // Answers of the old query are not this one's.
        m_shared = std::make_shared<Shared>();
        m_sent.clear();
        return {};
    }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        std::optional<QJsonObject> answer;
        {
            QMutexLocker lock(&m_shared->lock);
            answer = std::exchange(m_shared->answer, std::nullopt);
        }
        if (answer) {
            const QByteArray text = compact(*answer);
            if (text != m_sent) {
                m_sent = text;
                send(*answer);
            }
        }
        if (!due(nowMs, full))
            return;
        QueueBackend *queues = m_server.queueBackend();
        if (!queues) {
            QMutexLocker lock(&m_shared->lock);
            m_shared->answer = snapshot({}, 0, QStringLiteral("the durable queue store is not available"));
            return;
        }
        {
            QMutexLocker lock(&m_shared->lock);
            if (m_shared->inFlight)
                return;
            m_shared->inFlight = true;
        }
        // Read on the backend's thread (SQLite, or Redis in a cluster); the answer is picked
        // up by a later tick.
        queues->deadLettersAsync(m_queue, m_offset, m_limit,
                                 [shared = m_shared, queue = m_queue, offset = m_offset](const QueueBackend::DeadPage &page) {
            QJsonArray rows;
            for (const QueueMessage &m : page.messages)
                rows.append(queueMessageJson(m));
            const QString error = !page.ok ? QStringLiteral("store_failed")
                : !page.known             ? QStringLiteral("unknown_queue")
                                          : QString();
            QMutexLocker lock(&shared->lock);
            shared->inFlight = false;
            shared->answer = QJsonObject{{QStringLiteral("type"), QStringLiteral("snapshot")},
                                         {QStringLiteral("v"), 1},
                                         {QStringLiteral("stream"), QStringLiteral("deadletters")},
                                         {QStringLiteral("queue"), queue},
                                         {QStringLiteral("offset"), offset},
                                         {QStringLiteral("total"), page.ok && page.known ? page.total : 0},
                                         {QStringLiteral("rows"), rows},
                                         {QStringLiteral("error"), error}};
        });
    }

private:
    struct Shared
    {
        QMutex lock;
        bool inFlight = false;
        std::optional<QJsonObject> answer;
    };

    QJsonObject snapshot(const QJsonArray &rows, qint64 total, const QString &error) const
    {
        return {{QStringLiteral("type"), QStringLiteral("snapshot")},
                {QStringLiteral("v"), 1},
                {QStringLiteral("stream"), QStringLiteral("deadletters")},
                {QStringLiteral("queue"), m_queue},
                {QStringLiteral("offset"), m_offset},
                {QStringLiteral("total"), total},
                {QStringLiteral("rows"), rows},
                {QStringLiteral("error"), error}};
    }

    Server &m_server;
    QString m_queue;
    int m_offset = 0;
    int m_limit = 50;
    std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
    QByteArray m_sent;
};

// ---- metrics history ----------------------------------------------------------------------

class HistoryStream final : public AdminStream
{
public:
    explicit HistoryStream(Server &server) : m_server(server) {}

    QString setQuery(const QJsonObject &) override { return {}; }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        if (!due(nowMs, full))
            return;
        const QList<MetricsSample> history = m_server.history();
        QJsonArray samples;
        qint64 last = m_lastTimestamp;
        for (const MetricsSample &s : history) {
            if (full || s.timestampMs > m_lastTimestamp) {
                samples.append(metricsSampleJson(s));
                last = qMax(last, s.timestampMs);
            }
        }
        m_lastTimestamp = last;
        if (!full && samples.isEmpty())
            return;
        send({{QStringLiteral("type"), full ? QStringLiteral("snapshot") : QStringLiteral("append")},
              {QStringLiteral("v"), 1},
              {QStringLiteral("stream"), QStringLiteral("history")},
              {QStringLiteral("samples"), samples}});
    }

private:
    Server &m_server;
    qint64 m_lastTimestamp = 0;
};

// ---- bridges ------------------------------------------------------------------------------

class BridgesStream final : public AdminStream
{
public:
    explicit BridgesStream(Server &server) : m_server(server) {}

    QString setQuery(const QJsonObject &) override { return {}; }

    void tick(qint64 nowMs, bool full, const Send &send) override
    {
        if (!due(nowMs, full))
            return;
        const QJsonObject data = m_server.bridgesJson();
        const QByteArray text = compact(data);
        if (!full && text == m_sent)
            return;
        m_sent = text;
        send({{QStringLiteral("type"), QStringLiteral("snapshot")},
              {QStringLiteral("v"), 1},
              {QStringLiteral("stream"), QStringLiteral("bridges")},
              {QStringLiteral("data"), data}});
    }

private:
    Server &m_server;
    QByteArray m_sent;
};

} // namespace

QJsonObject KeyedPage::update(const QString &stream, const QList<Row> &rows, qint64 total, bool full,
                              const QJsonObject &extra)
{
    QStringList order;
    order.reserve(rows.size());
    QHash<QString, QByteArray> texts;
    texts.reserve(rows.size());
    QJsonArray upsert;
    for (const Row &row : rows) {
        order.append(row.first);
        const QByteArray text = compact(row.second);
        if (full || m_rows.value(row.first) != text)
            upsert.append(row.second);
        texts.insert(row.first, text);
    }
    QJsonArray remove;
    for (const QString &key : std::as_const(m_order)) {
        if (!texts.contains(key))
            remove.append(key);
    }
    QByteArray extraText = compact(extra);
    const bool changed = full || !upsert.isEmpty() || !remove.isEmpty() || order != m_order || total != m_total || extraText != m_extra;
    m_extra = std::move(extraText);
    m_order = order;
    m_rows = std::move(texts);
    m_total = total;
    if (!changed)
        return {};
    QJsonObject message = extra;
    message.insert(QStringLiteral("v"), 1);
    message.insert(QStringLiteral("stream"), stream);
    message.insert(QStringLiteral("total"), total);
    if (full) {
        message.insert(QStringLiteral("type"), QStringLiteral("snapshot"));
        message.insert(QStringLiteral("rows"), upsert);
    } else {
        message.insert(QStringLiteral("type"), QStringLiteral("diff"));
        message.insert(QStringLiteral("upsert"), upsert);
        message.insert(QStringLiteral("remove"), remove);
        message.insert(QStringLiteral("order"), QJsonArray::fromStringList(order));
    }
    return message;
}

std::unique_ptr<AdminStream> AdminStream::make(const QString &name, Server &server)
{
    if (name == QLatin1String("connections") || name == QLatin1String("rooms"))
        return makeNodePageStream(server, name == QLatin1String("rooms"));
    if (name == QLatin1String("events"))
        return std::make_unique<EventsStream>(server);
    if (name == QLatin1String("queues"))
        return std::make_unique<QueuesStream>(server);
    if (name == QLatin1String("deadletters"))
        return std::make_unique<DeadLettersStream>(server);
    if (name == QLatin1String("history"))
        return std::make_unique<HistoryStream>(server);
    if (name == QLatin1String("bridges"))
        return std::make_unique<BridgesStream>(server);
    return nullptr;
}

QStringList AdminStream::names()
{
    return {QStringLiteral("connections"), QStringLiteral("rooms"), QStringLiteral("events"), QStringLiteral("queues"),
            QStringLiteral("deadletters"), QStringLiteral("history"), QStringLiteral("bridges")};
}

QString AdminStream::tableAction(const QString &name)
{
    if (name == QLatin1String("connections"))
        return QStringLiteral("connections.list");
    if (name == QLatin1String("rooms"))
        return QStringLiteral("rooms.list");
    if (name == QLatin1String("events"))
        return QStringLiteral("events.list");
    if (name == QLatin1String("deadletters"))
        return QStringLiteral("dlq.list");
    if (name == QLatin1String("bridges"))
        return QStringLiteral("bridges.get");
    // Queue stats and the metrics history are public over HTTP; a viewer may read them.
    return QStringLiteral("whoami");
}

} // namespace Switchboard
