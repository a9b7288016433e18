#include "eventproxy.h"

#include <chrono>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QUuid>

#include "protocol/emitjson.h"
#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

// A back end's answer may fan out to at most this many emits.
constexpr qsizetype kMaxEmits = 100;
constexpr qsizetype kMaxErrorMessage = 1024;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ClientEventAnswer failure(const QString &code, const QString &message)
{
    return {false, {}, code, message};
}

EventProxy::Decision invalid(const QString &message)
{
    return {failure(QStringLiteral("hook_failed"), message), {}, true};
}

} // namespace

EventProxy::EventProxy(const HookSettings &settings, const QByteArray &secret, Emitter emitter, Enqueuer enqueuer)
    : m_settings(settings)
    , m_emit(std::move(emitter))
    , m_enqueue(std::move(enqueuer))
    , m_client(secret, settings.maxInFlight, settings.maxResponseBytes)
    , m_counters(std::make_unique<Counters[]>(size_t(settings.events.size())))
{
}

EventProxy::~EventProxy()
{
    stop();
}

void EventProxy::start()
{
    m_client.start();
}

void EventProxy::stop()
{
    m_client.stop();
}

bool EventProxy::handles(const QString &event) const
{
    return HookRules::find(m_settings, event) >= 0;
}

QByteArray EventProxy::requestBody(const ClientEvent &event, const QString &rule, const QString &requestId)
{
    QJsonObject body{{QStringLiteral("requestId"), requestId},
                     {QStringLiteral("event"), event.event},
                     {QStringLiteral("rule"), rule},
                     {QStringLiteral("data"), event.data.isUndefined() ? QJsonValue() : event.data},
                     {QStringLiteral("protocol"), event.protocol},
                     {QStringLiteral("userId"), event.userId},
                     {QStringLiteral("connectionId"), QString::number(event.connectionId)},
                     {QStringLiteral("claims"), event.claims}};
    if (event.args.size() > 1)
        body.insert(QStringLiteral("args"), event.args);
    if (!event.requestId.isUndefined() && !event.requestId.isNull())
        body.insert(QStringLiteral("id"), event.requestId);
    if (!event.nsp.isEmpty())
        body.insert(QStringLiteral("namespace"), event.nsp);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

void EventProxy::handle(ClientEvent event, Answer answer)
{
    const int index = HookRules::find(m_settings, event.event);
    if (index < 0) {
        answer(failure(QStringLiteral("unknown_type"), QStringLiteral("no hook takes %1").arg(event.event)));
        return;
    }
    const HookRule &rule = m_settings.events.at(index);
    Counters &counters = m_counters[size_t(index)];
    counters.calls.fetch_add(1, std::memory_order_relaxed);
    const quint64 connection = event.connectionId;
    if (!admit(connection)) {
        counters.rejected.fetch_add(1, std::memory_order_relaxed);
        answer(failure(QStringLiteral("hook_busy"),
                       QStringLiteral("this connection has %1 events in flight (maxInFlightPerConnection); wait for their answers")
                           .arg(m_settings.maxInFlightPerConnection)));
        return;
    }
    // Called exactly once (ClientEventHandler::handle): the connection's slot is given back.
    answer = [this, connection, answer = std::move(answer)](const ClientEventAnswer &a) {
        release(connection);
        answer(a);
    };
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QByteArray body = requestBody(event, rule.name, requestId);
    if (!rule.queue.isEmpty()) {
        enqueue(index, body, std::move(answer));
        return;
    }
    HookClient::Call call{rule.url, body, requestId.toLatin1(), rule.timeoutMs, rule.retries};
    const qint64 started = nowNs();
    m_client.post(std::move(call), [this, index, event = std::move(event), answer = std::move(answer), started](const HookClient::Result &r) {
        finished(index, event, r, started, answer);
    });
}

bool EventProxy::admit(quint64 id)
{
    QMutexLocker lock(&m_perConnectionLock);
    int &n = m_perConnection[id];
    if (n >= m_settings.maxInFlightPerConnection)
        return false;
    ++n;
    return true;
}

void EventProxy::release(quint64 id)
{
    QMutexLocker lock(&m_perConnectionLock);
    const auto it = m_perConnection.find(id);
    if (it != m_perConnection.end() && --*it <= 0)
        m_perConnection.erase(it);
}

void EventProxy::enqueue(int index, const QByteArray &body, Answer answer)
{
    const HookRule &rule = m_settings.events.at(index);
    // The queue thread commits one enqueue at a time: a flood waits there, so it is bounded
    // here as HTTP calls are, and refused at once beyond it.
    if (m_enqueuing.fetch_add(1, std::memory_order_acq_rel) >= m_settings.maxInFlight) {
        m_enqueuing.fetch_sub(1, std::memory_order_acq_rel);
        m_counters[size_t(index)].rejected.fetch_add(1, std::memory_order_relaxed);
        answer(failure(QStringLiteral("hook_busy"),
                       QStringLiteral("too many enqueues in flight (maxInFlight %1); try again later").arg(m_settings.maxInFlight)));
        return;
    }
    const qint64 started = nowNs();
    m_enqueue(rule.queue, body, rule.maxQueueDepth,
              [this, index, queue = rule.queue, started, answer = std::move(answer)](qint64 id, const QString &error, bool full) {
        m_enqueuing.fetch_sub(1, std::memory_order_acq_rel);
        Counters &counters = m_counters[size_t(index)];
        if (full) {
            counters.rejected.fetch_add(1, std::memory_order_relaxed);
            answer(failure(QStringLiteral("hook_busy"), QStringLiteral("not queued: %1 (maxQueueDepth); try again later").arg(error)));
            return;
        }
        counters.latency.record((nowNs() - started) / 1000);
        if (!error.isEmpty()) {
            counters.failures.fetch_add(1, std::memory_order_relaxed);
            qCWarning(lcHooks).noquote() << "rule" << m_settings.events.at(index).name << "could not enqueue into" << queue << ":" << error;
            answer(failure(QStringLiteral("hook_failed"), QStringLiteral("not queued: %1").arg(error)));
            return;
        }
        counters.enqueued.fetch_add(1, std::memory_order_relaxed);
        answer({true, QJsonObject{{QStringLiteral("queued"), true}, {QStringLiteral("queue"), queue},
                                  {QStringLiteral("jobId"), QString::number(id)}}, {}, {}});
    });
}

void EventProxy::finished(int index, const ClientEvent &event, const HookClient::Result &result, qint64 startedNs,
                          const Answer &answer)
{
    const HookRule &rule = m_settings.events.at(index);
    Counters &counters = m_counters[size_t(index)];
    switch (result.outcome) {
    case HookClient::Outcome::Busy:
        counters.rejected.fetch_add(1, std::memory_order_relaxed);
        answer(failure(QStringLiteral("hook_busy"), result.error));
        return;
    case HookClient::Outcome::Unavailable:
        counters.failures.fetch_add(1, std::memory_order_relaxed);
        answer(failure(QStringLiteral("unavailable"), result.error));
        return;
    default:
        break;
    }
    counters.latency.record((nowNs() - startedNs) / 1000);
    if (result.outcome == HookClient::Outcome::Timeout) {
        counters.timeouts.fetch_add(1, std::memory_order_relaxed);
        qCWarning(lcHooks).noquote() << "rule" << rule.name << "timed out after" << result.attempts << "attempt(s):" << result.error;
        answer(failure(QStringLiteral("hook_timeout"), QStringLiteral("the back end did not answer %1 in time").arg(event.event)));
        return;
    }
    Decision decision = result.outcome == HookClient::Outcome::Ok ? decide(result.body) : invalid(result.error);
    // A back end's own error answer is not a failure of the call.
    if (decision.invalid) {
        counters.failures.fetch_add(1, std::memory_order_relaxed);
        qCWarning(lcHooks).noquote() << "rule" << rule.name << "failed for event" << event.event << ":" << decision.client.message;
    }
    for (EmitRequest &request : decision.emits) {
        request.source = QStringLiteral("hook");
        request.fromUserId = event.userId;
        const EmitResult emitted = m_emit(std::move(request));
        if (!emitted.error.isEmpty())
            qCWarning(lcHooks).noquote() << "rule" << rule.name << "could not emit an answer's event:" << emitted.error;
    }
    answer(decision.client);
}

EventProxy::Decision EventProxy::decide(const QByteArray &body)
{
    Decision d;
    if (body.trimmed().isEmpty()) {
        d.client.ok = true; // 204 or an empty 200: done, nothing to say
        return d;
    }
    QString why;
    const QJsonDocument doc = Json::parse(body, &why);
    if (!why.isEmpty() || !doc.isObject())
        return invalid(QStringLiteral("the back end's answer is not a JSON object"));
    const QJsonObject o = doc.object();
    const QJsonValue error = o.value(QLatin1String("error"));
    if (!error.isUndefined() && !error.isNull()) {
        static const QRegularExpression codeChars(QStringLiteral("^[A-Za-z0-9_.:-]{1,64}$"));
        const QString code = error.toObject().value(QLatin1String("code")).toString();
        if (!error.isObject() || !codeChars.match(code).hasMatch())
            return invalid(QStringLiteral("the back end's \"error\" needs a \"code\" of 1-64 characters from A-Z a-z 0-9 _ . : -"));
        d.client = failure(code, error.toObject().value(QLatin1String("message")).toString().left(kMaxErrorMessage));
        return d;
    }
    const QJsonValue emits = o.value(QLatin1String("emits"));
    if (!emits.isUndefined() && !emits.isNull()) {
        const QJsonArray list = emits.toArray();
        if (!emits.isArray() || list.size() > kMaxEmits)
            return invalid(QStringLiteral("the back end's \"emits\" must be an array of at most %1 emits").arg(kMaxEmits));
        // All checked before any is made: a bad answer emits nothing.
        for (qsizetype i = 0; i < list.size(); ++i) {
            EmitRequest request;
            if (!list.at(i).isObject() || !parseEmitJson(list.at(i).toObject(), &request, &why))
                return invalid(QStringLiteral("the back end's emits[%1]: %2").arg(i).arg(list.at(i).isObject() ? why : QStringLiteral("not an object")));
            d.emits << request;
        }
    }
    d.client.ok = true;
    d.client.reply = o.value(QLatin1String("reply"));
    if (d.client.reply.isUndefined())
        d.client.reply = QJsonValue::Null;
    return d;
}

QByteArray EventProxy::prometheusText() const
{
    QByteArray out;
    const auto n = [](quint64 v) { return QByteArray::number(v); };
    const auto counter = [&](const char *name, const char *help, std::atomic<quint64> Counters::*field) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n";
        for (qsizetype i = 0; i < m_settings.events.size(); ++i) {
            out += QByteArray(name) + "{rule=\"" + prometheusLabelValue(m_settings.events.at(i).name) + "\"} "
                + n((m_counters[size_t(i)].*field).load(std::memory_order_relaxed)) + '\n';
        }
    };
    counter("switchboard_hook_calls_total", "Client events handed to an event-proxy rule.", &Counters::calls);
    counter("switchboard_hook_failures_total", "Event-proxy calls answered hook_failed (network, non-2xx, bad answer, enqueue refused) or unavailable.", &Counters::failures);
    counter("switchboard_hook_timeouts_total", "Event-proxy calls whose back end did not answer in time (after retries).", &Counters::timeouts);
    counter("switchboard_hook_rejected_total", "Event-proxy calls refused with hook_busy (too many in flight, or the rule's queue full).", &Counters::rejected);
    counter("switchboard_hook_enqueued_total", "Client events a queue rule committed to its durable queue.", &Counters::enqueued);
    out += "# HELP switchboard_hook_in_flight Event-proxy HTTP calls in flight.\n# TYPE switchboard_hook_in_flight gauge\n"
           "switchboard_hook_in_flight " + QByteArray::number(m_client.inFlight()) + '\n';
    out += "# HELP switchboard_hook_enqueues_in_flight Event-proxy enqueues (queue rules) in flight.\n"
           "# TYPE switchboard_hook_enqueues_in_flight gauge\nswitchboard_hook_enqueues_in_flight "
           + QByteArray::number(m_enqueuing.load(std::memory_order_relaxed)) + '\n';
    out += "# HELP switchboard_hook_latency_seconds Event-proxy call latency (retries included), per rule.\n"
           "# TYPE switchboard_hook_latency_seconds histogram\n";
    for (qsizetype i = 0; i < m_settings.events.size(); ++i) {
        appendPrometheusHistogram(out, "switchboard_hook_latency_seconds",
                                  "rule=\"" + prometheusLabelValue(m_settings.events.at(i).name) + '"',
                                  m_counters[size_t(i)].latency);
    }
    return out;
}

} // namespace Switchboard
