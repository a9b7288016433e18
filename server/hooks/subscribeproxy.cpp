#include "subscribeproxy.h"

#include <chrono>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMutexLocker>
#include <QtCore/QRegularExpression>
#include <QtCore/QUuid>

#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

constexpr qsizetype kMaxErrorMessage = 1024;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

qint64 nowMs()
{
    return nowNs() / 1000000;
}

JoinDecision unavailable(const QString &message)
{
    return {false, QStringLiteral("subscribe_unavailable"), message};
}

} // namespace

SubscribeProxy::SubscribeProxy(const HookSettings &settings, const QByteArray &secret)
    : m_settings(settings)
    , m_client(secret, settings.maxInFlight, settings.maxResponseBytes)
    , m_counters(std::make_unique<Counters[]>(size_t(settings.subscribe.size())))
    , m_cache(settings.subscribeCacheMaxBytes)
{
}

SubscribeProxy::~SubscribeProxy()
{
    stop();
}

void SubscribeProxy::start()
{
    m_client.start();
}

void SubscribeProxy::stop()
{
    m_client.stop();
}

bool SubscribeProxy::covers(const QString &room) const
{
    return HookRules::findSubscribe(m_settings, room) >= 0;
}

QString SubscribeProxy::cacheKey(const QString &userId, const QString &room)
{
    // Length-prefixed, so no user id and room can pass for another pair.
    return QString::number(userId.size()) + QLatin1Char(':') + userId + room;
}

QByteArray SubscribeProxy::requestBody(const JoinRequest &request, const QString &rule, const QString &requestId)
{
    QJsonObject body{{QStringLiteral("requestId"), requestId},
                     {QStringLiteral("room"), request.room},
                     {QStringLiteral("rule"), rule},
                     {QStringLiteral("protocol"), request.protocol},
                     {QStringLiteral("userId"), request.userId},
                     {QStringLiteral("connectionId"), QString::number(request.connectionId)},
                     {QStringLiteral("claims"), request.claims}};
    if (!request.nsp.isEmpty())
        body.insert(QStringLiteral("namespace"), request.nsp);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

void SubscribeProxy::authorize(JoinRequest request, Done done)
{
    const int index = HookRules::findSubscribe(m_settings, request.room);
    if (index < 0) {
        done({true, {}, {}});
        return;
    }
    const SubscribeRule &rule = m_settings.subscribe.at(index);
    Counters &counters = m_counters[size_t(index)];
    const QString key = cacheKey(request.userId, request.room);
    {
        QMutexLocker lock(&m_lock);
        if (rule.cacheMs > 0) {
            if (const std::optional<JoinDecision> cached = m_cache.find(key, nowMs())) {
                m_cacheBytes.store(m_cache.bytes(), std::memory_order_relaxed);
                m_cacheEntries.store(m_cache.size(), std::memory_order_relaxed);
                lock.unlock();
                counters.cacheHits.fetch_add(1, std::memory_order_relaxed);
                count(index, *cached, false);
                done(*cached);
                return;
            }
        }
        // The same question is being asked already: its answer is this one's too.
        const auto asking = m_asking.find(key);
        if (asking != m_asking.end()) {
            asking->append(std::move(done));
            counters.cacheHits.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        m_asking.insert(key, QList<Done>{std::move(done)});
    }
    counters.cacheMisses.fetch_add(1, std::memory_order_relaxed);
    counters.calls.fetch_add(1, std::memory_order_relaxed);
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    HookClient::Call call{rule.url, requestBody(request, rule.name, requestId), requestId.toLatin1(), rule.timeoutMs, 0};
    const qint64 started = nowNs();
    // Not under the lock: a refusal (hook_busy) is answered inside post().
    m_client.post(std::move(call), [this, index, key, started](const HookClient::Result &r) {
        finished(index, key, r, started);
    });
}

void SubscribeProxy::finished(int index, const QString &key, const HookClient::Result &result, qint64 startedNs)
{
    const SubscribeRule &rule = m_settings.subscribe.at(index);
    bool failed = false;
    const JoinDecision decision = decide(result, &failed);
    if (result.outcome != HookClient::Outcome::Busy && result.outcome != HookClient::Outcome::Unavailable)
        m_counters[size_t(index)].latency.record((nowNs() - startedNs) / 1000);
    if (failed)
        qCWarning(lcHooks).noquote() << "subscribe rule" << rule.name << "refused a join for lack of a decision:" << decision.message;
    QList<Done> waiting;
    {
        QMutexLocker lock(&m_lock);
        waiting = m_asking.take(key);
        // Decisions are kept, allows and refusals alike; failures are not.
        if (!failed && rule.cacheMs > 0) {
            m_cache.insert(key, decision, nowMs() + rule.cacheMs);
            m_evictions.store(m_cache.evictions(), std::memory_order_relaxed);
            m_cacheBytes.store(m_cache.bytes(), std::memory_order_relaxed);
            m_cacheEntries.store(m_cache.size(), std::memory_order_relaxed);
        }
    }
    for (const Done &done : std::as_const(waiting)) {
        count(index, decision, failed);
        done(decision);
    }
}

void SubscribeProxy::count(int index, const JoinDecision &decision, bool failed)
{
    Counters &counters = m_counters[size_t(index)];
    if (failed)
        counters.failures.fetch_add(1, std::memory_order_relaxed);
    else if (decision.allowed)
        counters.allowed.fetch_add(1, std::memory_order_relaxed);
    else
        counters.refused.fetch_add(1, std::memory_order_relaxed);
}

JoinDecision SubscribeProxy::decide(const HookClient::Result &result, bool *failed)
{
    *failed = true;
    switch (result.outcome) {
    case HookClient::Outcome::Busy:
        return {false, QStringLiteral("hook_busy"), result.error};
    case HookClient::Outcome::Unavailable:
        return {false, QStringLiteral("unavailable"), result.error};
    case HookClient::Outcome::Timeout:
        return unavailable(QStringLiteral("the back end did not decide in time"));
    case HookClient::Outcome::Failed:
        if (result.status == 403) {
            *failed = false;
            return {false, QStringLiteral("forbidden"), QStringLiteral("the back end refused the join")};
        }
        return unavailable(QStringLiteral("no decision: %1").arg(result.error));
    case HookClient::Outcome::Ok:
        break;
    }
    QString why;
    const QJsonDocument doc = Json::parse(result.body, &why);
    if (!why.isEmpty() || !doc.isObject())
        return unavailable(QStringLiteral("no decision: the back end's answer is not a JSON object"));
    const QJsonObject o = doc.object();
    const QJsonValue error = o.value(QLatin1String("error"));
    if (!error.isUndefined() && !error.isNull()) {
        static const QRegularExpression codeChars(QStringLiteral("^[A-Za-z0-9_.:-]{1,64}$"));
        const QString code = error.toObject().value(QLatin1String("code")).toString();
        if (!error.isObject() || !codeChars.match(code).hasMatch())
            return unavailable(QStringLiteral("no decision: the back end's \"error\" needs a \"code\" of 1-64 characters from A-Z a-z 0-9 _ . : -"));
        *failed = false;
        return {false, code, error.toObject().value(QLatin1String("message")).toString().left(kMaxErrorMessage)};
    }
    const QJsonValue allow = o.value(QLatin1String("allow"));
    if (!allow.isBool())
        return unavailable(QStringLiteral("no decision: the back end's answer needs \"allow\": true or an \"error\""));
    *failed = false;
    if (allow.toBool())
        return {true, {}, {}};
    return {false, QStringLiteral("forbidden"), QStringLiteral("the back end refused the join")};
}

QByteArray SubscribeProxy::prometheusText() const
{
    QByteArray out;
    const QList<SubscribeRule> &rules = m_settings.subscribe;
    const auto counter = [&](const char *name, const char *help, std::atomic<quint64> Counters::*field) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n";
        for (qsizetype i = 0; i < rules.size(); ++i) {
            out += QByteArray(name) + "{rule=\"" + prometheusLabelValue(rules.at(i).name) + "\"} "
                + QByteArray::number((m_counters[size_t(i)].*field).load(std::memory_order_relaxed)) + '\n';
        }
    };
    counter("switchboard_subscribe_calls_total", "Subscribe-proxy HTTP calls made.", &Counters::calls);
    counter("switchboard_subscribe_allowed_total", "Client joins the subscribe proxy allowed (back end or cache).", &Counters::allowed);
    counter("switchboard_subscribe_refused_total", "Client joins the back end refused (back end or cache).", &Counters::refused);
    counter("switchboard_subscribe_failures_total", "Client joins refused because no decision came (timeout, network, non-2xx, bad answer, busy, stopping).", &Counters::failures);
    counter("switchboard_subscribe_cache_hits_total", "Joins decided without a call of their own (cached, or a call already asking).", &Counters::cacheHits);
    counter("switchboard_subscribe_cache_misses_total", "Joins that needed a back-end call.", &Counters::cacheMisses);
    out += "# HELP switchboard_subscribe_cache_evictions_total Cached decisions evicted to stay within subscribeCacheMaxBytes.\n"
           "# TYPE switchboard_subscribe_cache_evictions_total counter\n"
           "switchboard_subscribe_cache_evictions_total " + QByteArray::number(m_evictions.load(std::memory_order_relaxed)) + '\n';
    out += "# HELP switchboard_subscribe_cache_bytes Bytes the cached decisions count.\n# TYPE switchboard_subscribe_cache_bytes gauge\n"
           "switchboard_subscribe_cache_bytes " + QByteArray::number(m_cacheBytes.load(std::memory_order_relaxed)) + '\n';
    out += "# HELP switchboard_subscribe_cache_entries Cached decisions.\n# TYPE switchboard_subscribe_cache_entries gauge\n"
           "switchboard_subscribe_cache_entries " + QByteArray::number(m_cacheEntries.load(std::memory_order_relaxed)) + '\n';
    out += "# HELP switchboard_subscribe_in_flight Subscribe-proxy HTTP calls in flight.\n# TYPE switchboard_subscribe_in_flight gauge\n"
           "switchboard_subscribe_in_flight " + QByteArray::number(m_client.inFlight()) + '\n';
    out += "# HELP switchboard_subscribe_latency_seconds Subscribe-proxy call latency, per rule.\n"
           "# TYPE switchboard_subscribe_latency_seconds histogram\n";
    for (qsizetype i = 0; i < rules.size(); ++i)
        appendPrometheusHistogram(out, "switchboard_subscribe_latency_seconds",
                                  "rule=\"" + prometheusLabelValue(rules.at(i).name) + '"', m_counters[size_t(i)].latency);
    return out;
}

} // namespace Switchboard
