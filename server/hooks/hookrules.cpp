#include "hookrules.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>

#include "protocol/strictjson.h"
#include "queue/queuemessage.h"

namespace Switchboard {

Q_LOGGING_CATEGORY(lcHooks, "switchboard.hooks")

namespace {

constexpr qsizetype kMaxPatternBytes = 128;
constexpr qsizetype kMaxRules = 256;
constexpr int kMaxTimeoutMs = 60000;
constexpr int kMaxRetries = 5;
constexpr qint64 kMaxQueueDepth = 10000000;

// The fields of a rule, so a misspelt one ("timeout") is refused, not ignored.
const QSet<QString> &ruleFields()
{
    static const QSet<QString> fields{QStringLiteral("name"), QStringLiteral("match"), QStringLiteral("url"),
                                      QStringLiteral("queue"), QStringLiteral("timeoutMs"),
                                      QStringLiteral("idempotent"), QStringLiteral("retries"),
                                      QStringLiteral("maxQueueDepth")};
    return fields;
}

const QSet<QString> &topFields()
{
    static const QSet<QString> fields{QStringLiteral("events"), QStringLiteral("maxInFlight"),
                                      QStringLiteral("maxInFlightPerConnection"), QStringLiteral("maxResponseBytes"),
                                      QStringLiteral("subscribe"), QStringLiteral("subscribeCacheMaxBytes"),
                                      QStringLiteral("subscribeMaxPending"), QStringLiteral("connect")};
    return fields;
}

/// An integer field from @p min to @p max; untouched when absent.
template <typename Int>
bool integer(const QJsonObject &o, const QString &key, qint64 min, qint64 max, Int *out, QString *why)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != double(qint64(d)) || d < double(min) || d > double(max)) {
        *why = QStringLiteral("%1: must be an integer from %2 to %3").arg(key).arg(min).arg(max);
        return false;
    }
    *out = Int(d);
    return true;
}

bool unknownField(const QJsonObject &o, const QSet<QString> &known, QString *why)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key())) {
            *why = QStringLiteral("%1: unknown field").arg(it.key());
            return true;
        }
    }
    return false;
}

// A rule's "match" (a pattern or an array of them) and "name" (default: the patterns joined
// with ","), shared by event and subscribe rules; @p example names a pattern for the error.
bool parseMatchAndName(const QJsonObject &o, const char *example, QStringList *match, QString *name, QString *why)
{
    const QJsonValue value = o.value(QStringLiteral("match"));
    const QJsonArray patterns = value.isString() ? QJsonArray{value} : value.toArray();
    if (patterns.isEmpty()) {
        *why = QStringLiteral("match: required (%1, or an array of them)").arg(QLatin1String(example));
        return false;
    }
    for (qsizetype i = 0; i < patterns.size(); ++i) {
        const QString p = patterns.at(i).toString();
        if (!patterns.at(i).isString() || p.isEmpty() || p.toUtf8().size() > kMaxPatternBytes) {
            *why = QStringLiteral("match[%1]: must be a non-empty string of at most %2 bytes").arg(i).arg(kMaxPatternBytes);
            return false;
        }
        *match << p;
    }
    const QJsonValue given = o.value(QStringLiteral("name"));
    if (!given.isUndefined() && (!given.isString() || given.toString().isEmpty() || given.toString().toUtf8().size() > kMaxPatternBytes)) {
        *why = QStringLiteral("name: must be a non-empty string of at most %1 bytes").arg(kMaxPatternBytes);
        return false;
    }
    *name = given.isString() ? given.toString() : match->join(QLatin1Char(','));
    return true;
}

bool parseSubscribeRule(const QJsonObject &o, SubscribeRule *r, QString *why)
{
    static const QSet<QString> fields{QStringLiteral("name"), QStringLiteral("match"), QStringLiteral("url"),
                                      QStringLiteral("timeoutMs"), QStringLiteral("cacheMs")};
    if (unknownField(o, fields, why))
        return false;
    if (!parseMatchAndName(o, "a room-name pattern such as \"chat:*\"", &r->match, &r->name, why))
        return false;
    const QJsonValue url = o.value(QStringLiteral("url"));
    r->url = QUrl(url.toString(), QUrl::StrictMode);
    if (!url.isString() || !r->url.isValid() || r->url.host().isEmpty()
        || (r->url.scheme() != QLatin1String("http") && r->url.scheme() != QLatin1String("https"))) {
        *why = QStringLiteral("url: required, an http:// or https:// URL with a host, e.g. \"http://127.0.0.1:4000/subscribe\"");
        return false;
    }
    return integer(o, QStringLiteral("timeoutMs"), 1, kMaxTimeoutMs, &r->timeoutMs, why)
        && integer(o, QStringLiteral("cacheMs"), 0, 24 * 3600 * 1000, &r->cacheMs, why);
}

/// The subscribe proxy's part of the hooks file: "subscribe" and its two limits.
bool parseSubscribe(const QJsonObject &top, HookSettings *out, QString *error)
{
    QString why;
    if (!integer(top, QStringLiteral("subscribeCacheMaxBytes"), 0, qint64(1) << 30, &out->subscribeCacheMaxBytes, &why)
        || !integer(top, QStringLiteral("subscribeMaxPending"), 1, 1000, &out->subscribeMaxPending, &why)) {
        *error = why;
        return false;
    }
    const QJsonValue list = top.value(QStringLiteral("subscribe"));
    if (list.isUndefined())
        return true;
    const QJsonArray array = list.toArray();
    if (!list.isArray() || array.isEmpty() || array.size() > kMaxRules) {
        *error = QStringLiteral("subscribe: must be an array of 1 to %1 rules").arg(kMaxRules);
        return false;
    }
    QSet<QString> names;
    for (qsizetype i = 0; i < array.size(); ++i) {
        SubscribeRule r;
        if (!array.at(i).isObject())
            why = QStringLiteral("must be an object");
        else if (parseSubscribeRule(array.at(i).toObject(), &r, &why) && names.contains(r.name))
            why = QStringLiteral("name: \"%1\" is already the name of an earlier rule (names label the metrics)").arg(r.name);
        if (!why.isEmpty()) {
            *error = QStringLiteral("subscribe[%1]%2%3").arg(i).arg(array.at(i).isObject() ? QStringLiteral(".") : QStringLiteral(": "), why);
            return false;
        }
        names.insert(r.name);
        out->subscribe << r;
    }
    return true;
}

bool parseRule(const QJsonObject &o, HookRule *r, QString *why)
{
    if (unknownField(o, ruleFields(), why))
        return false;

    if (!parseMatchAndName(o, "an event-name pattern such as \"location_*\"", &r->match, &r->name, why))
        return false;

    const QJsonValue url = o.value(QStringLiteral("url"));
    const QJsonValue queue = o.value(QStringLiteral("queue"));
    if (url.isUndefined() == queue.isUndefined()) {
        *why = QStringLiteral("url: exactly one of \"url\" (a back end) and \"queue\" (a durable queue) is required");
        return false;
    }
    if (!url.isUndefined()) {
        r->url = QUrl(url.toString(), QUrl::StrictMode);
        const QString scheme = r->url.scheme();
        if (!url.isString() || !r->url.isValid() || r->url.host().isEmpty()
            || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
            *why = QStringLiteral("url: must be an http:// or https:// URL with a host, e.g. \"http://127.0.0.1:4000/hooks\"");
            return false;
        }
    } else if (!queue.isString() || !isValidQueueName(queue.toString())) {
        *why = QStringLiteral("queue: must be a queue name: 1-128 characters from A-Z a-z 0-9 _ . : -");
        return false;
    } else {
        r->queue = queue.toString();
    }

    if (!integer(o, QStringLiteral("timeoutMs"), 1, kMaxTimeoutMs, &r->timeoutMs, why))
        return false;
    const QJsonValue idempotent = o.value(QStringLiteral("idempotent"));
    if (!idempotent.isUndefined() && !idempotent.isBool()) {
        *why = QStringLiteral("idempotent: must be true or false");
        return false;
    }
    r->idempotent = idempotent.toBool(false);
    if (r->idempotent)
        r->retries = 2;
    if (!integer(o, QStringLiteral("retries"), 0, kMaxRetries, &r->retries, why))
        return false;
    if (r->retries > 0 && !r->idempotent) {
        *why = QStringLiteral("retries: only an \"idempotent\": true event may be sent again");
        return false;
    }
    if (r->queue.isEmpty() && o.contains(QStringLiteral("maxQueueDepth"))) {
        *why = QStringLiteral("maxQueueDepth: only with \"queue\"");
        return false;
    }
    if (!integer(o, QStringLiteral("maxQueueDepth"), 1, kMaxQueueDepth, &r->maxQueueDepth, why))
        return false;
    if (!r->queue.isEmpty() && (o.contains(QStringLiteral("timeoutMs")) || r->idempotent)) {
        *why = QStringLiteral("%1: not used with \"queue\" (the enqueue is durable; workers retry)")
                   .arg(r->idempotent ? QStringLiteral("idempotent") : QStringLiteral("timeoutMs"));
        return false;
    }
    return true;
}

} // namespace

bool HookSettings::needsSecret() const
{
    if (!subscribe.isEmpty() || connect.enabled())
        return true;
    for (const HookRule &r : events) {
        if (r.queue.isEmpty())
            return true;
    }
    return false;
}

bool HookRules::parse(const QByteArray &json, HookSettings *settings, QString *error)
{
    QString why;
    const QJsonDocument doc = Json::parse(json, &why);
    if (!why.isEmpty()) {
        *error = QStringLiteral("not JSON: %1").arg(why);
        return false;
    }
    const QJsonObject top = doc.object();
    if (!doc.isObject() || unknownField(top, topFields(), &why)) {
        *error = doc.isObject() ? why : QStringLiteral("the document must be an object: {\"events\": [...]}");
        return false;
    }
    HookSettings out;
    if (!integer(top, QStringLiteral("maxInFlight"), 1, 10000, &out.maxInFlight, &why)
        || !integer(top, QStringLiteral("maxInFlightPerConnection"), 1, 10000, &out.maxInFlightPerConnection, &why)
        || !integer(top, QStringLiteral("maxResponseBytes"), 1, 16 * 1024 * 1024, &out.maxResponseBytes, &why)) {
        *error = why;
        return false;
    }
    if (!parseSubscribe(top, &out, error))
        return false;
    if (top.contains(QStringLiteral("connect"))
        && !ConnectHookSettings::parse(top.value(QStringLiteral("connect")), &out.connect, &why)) {
        *error = QStringLiteral("connect.%1").arg(why);
        return false;
    }
    const QJsonValue list = top.value(QStringLiteral("events"));
    const QJsonArray array = list.toArray();
    // "events" may be left out of a file that only configures the subscribe or connect proxy.
    const bool onlyProxies = list.isUndefined() && (!out.subscribe.isEmpty() || out.connect.enabled());
    if (!onlyProxies && (!list.isArray() || array.isEmpty() || array.size() > kMaxRules)) {
        *error = QStringLiteral("events: must be an array of 1 to %1 rules").arg(kMaxRules);
        return false;
    }
    QSet<QString> names;
    for (qsizetype i = 0; i < array.size(); ++i) {
        HookRule r;
        if (!array.at(i).isObject()) {
            *error = QStringLiteral("events[%1]: must be an object").arg(i);
            return false;
        }
        if (parseRule(array.at(i).toObject(), &r, &why) && names.contains(r.name))
            why = QStringLiteral("name: \"%1\" is already the name of an earlier rule (names label the metrics)").arg(r.name);
        if (!why.isEmpty()) {
            *error = QStringLiteral("events[%1].%2").arg(i).arg(why);
            return false;
        }
        names.insert(r.name);
        out.events << r;
    }
    *settings = out;
    return true;
}

bool HookRules::load(const QString &path, HookSettings *settings, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    QString why;
    if (!parse(f.read(1024 * 1024), settings, &why)) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

bool HookRules::matches(const QString &pattern, const QString &name)
{
    // Iterative glob with one backtrack point: linear in practice, no regex to build.
    qsizetype p = 0, n = 0, star = -1, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern.at(p) == QLatin1Char('?') || pattern.at(p) == name.at(n))) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern.at(p) == QLatin1Char('*')) {
            star = p++;
            mark = n;
        } else if (star >= 0) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern.at(p) == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

int HookRules::findSubscribe(const HookSettings &settings, const QString &room)
{
    for (qsizetype i = 0; i < settings.subscribe.size(); ++i) {
        for (const QString &pattern : settings.subscribe.at(i).match) {
            if (matches(pattern, room))
                return int(i);
        }
    }
    return -1;
}

int HookRules::find(const HookSettings &settings, const QString &event)
{
    for (qsizetype i = 0; i < settings.events.size(); ++i) {
        for (const QString &pattern : settings.events.at(i).match) {
            if (matches(pattern, event))
                return int(i);
        }
    }
    return -1;
}

} // namespace Switchboard
