#include "bindings.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSet>

#include <amqp.h>

#include "auth/roompolicy.h"
#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

const QString kRoutingKey = QStringLiteral("routingKey");

// The fields of a binding, so a misspelt one ("routingkeys") is refused, not ignored.
const QSet<QString> &knownFields()
{
    static const QSet<QString> fields{
        QStringLiteral("exchange"), QStringLiteral("type"), QStringLiteral("queue"), QStringLiteral("durable"),
        QStringLiteral("routingKeys"), QStringLiteral("prefetch"), QStringLiteral("event"),
        QStringLiteral("targets"), QStringLiteral("broadcast"), QStringLiteral("persist"),
        QStringLiteral("deadLetterExchange")};
    return fields;
}

// AMQP 0-9-1 short strings: names of exchanges and queues, routing keys.
constexpr qsizetype kShortString = 255;

bool parseOne(const QJsonObject &o, AmqpBinding *b, QString *why)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!knownFields().contains(it.key())) {
            *why = QStringLiteral("%1: unknown field").arg(it.key());
            return false;
        }
    }
    auto string = [&](const QString &key, bool required, QString *out) {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                *why = QStringLiteral("%1: required").arg(key);
            return !required;
        }
        if (!v.isString() || v.toString().isEmpty() || v.toString().toUtf8().size() > kShortString) {
            *why = QStringLiteral("%1: must be a non-empty string of at most %2 bytes").arg(key).arg(kShortString);
            return false;
        }
        *out = v.toString();
        return true;
    };
    auto boolean = [&](const QString &key, bool *out) {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isBool()) {
            *why = QStringLiteral("%1: must be true or false").arg(key);
            return false;
        }
        *out = v.toBool();
        return true;
    };
    if (!string(QStringLiteral("exchange"), true, &b->exchange)
        || !string(QStringLiteral("type"), false, &b->type)
        || !string(QStringLiteral("queue"), true, &b->queue)
        || !string(QStringLiteral("deadLetterExchange"), false, &b->deadLetterExchange)
        || !boolean(QStringLiteral("durable"), &b->durable)
        || !boolean(QStringLiteral("broadcast"), &b->broadcast)
        || !boolean(QStringLiteral("persist"), &b->persist))
        return false;
    static const QStringList types{QStringLiteral("direct"), QStringLiteral("topic"), QStringLiteral("fanout"),
                                   QStringLiteral("headers")};
    if (!types.contains(b->type)) {
        *why = QStringLiteral("type: \"%1\" is not one of direct, topic, fanout, headers").arg(b->type);
        return false;
    }
    if (b->exchange.startsWith(QLatin1String("amq."))) {
        // The broker refuses to declare these; binding to them needs no declaration we could make.
        *why = QStringLiteral("exchange: \"%1\": names starting with amq. are reserved by the broker").arg(b->exchange);
        return false;
    }

    const QJsonValue keys = o.value(QStringLiteral("routingKeys"));
    if (keys.isUndefined() && b->type == QLatin1String("fanout")) {
        b->routingKeys = {QString()};
    } else {
        if (!keys.isArray() || keys.toArray().isEmpty()) {
            *why = QStringLiteral("routingKeys: must be a non-empty array of strings");
            return false;
        }
        const QJsonArray list = keys.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (!list.at(i).isString() || list.at(i).toString().toUtf8().size() > kShortString) {
                *why = QStringLiteral("routingKeys[%1]: must be a string of at most %2 bytes").arg(i).arg(kShortString);
                return false;
            }
            b->routingKeys << list.at(i).toString();
        }
        b->routingKeys.removeDuplicates();
    }

    const QJsonValue prefetch = o.value(QStringLiteral("prefetch"));
    if (!prefetch.isUndefined()) {
        const double d = prefetch.toDouble(-1);
        if (!prefetch.isDouble() || d != double(int(d)) || d < 1 || d > 65535) {
            *why = QStringLiteral("prefetch: must be an integer from 1 to 65535");
            return false;
        }
        b->prefetch = int(d);
    }

    const QJsonValue event = o.value(QStringLiteral("event"));
    if (!event.isUndefined()) {
        if (!event.isString()) {
            *why = QStringLiteral("event: must be a string, \"{routingKey}\" or a template such as \"{type}\"");
            return false;
        }
        b->event = event.toString();
    }
    QString tmplError = RoomPolicy::checkTemplate(b->event);
    if (tmplError.isEmpty() && b->event.contains(QLatin1String("[]}")))
        tmplError = QStringLiteral("a list placeholder ({field[]}) cannot make one event name");
    if (!tmplError.isEmpty()) {
        *why = QStringLiteral("event: \"%1\": %2").arg(b->event, tmplError);
        return false;
    }

    const QJsonValue targets = o.value(QStringLiteral("targets"));
    if (!targets.isUndefined()) {
        if (!targets.isArray()) {
            *why = QStringLiteral("targets: must be an array of room templates");
            return false;
        }
        const QJsonArray list = targets.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString tmpl = list.at(i).toString();
            const QString bad = list.at(i).isString() ? RoomPolicy::checkTemplate(tmpl) : QStringLiteral("not a string");
            if (!bad.isEmpty()) {
                *why = QStringLiteral("targets[%1]: \"%2\": %3").arg(i).arg(tmpl, bad);
                return false;
            }
            b->targets << tmpl;
        }
    }
    if (b->broadcast == !b->targets.isEmpty()) {
        *why = b->broadcast ? QStringLiteral("targets: not allowed with \"broadcast\": true")
                            : QStringLiteral("targets: required (a non-empty array of room templates), or \"broadcast\": true");
        return false;
    }
    if (b->persist && b->broadcast) {
        *why = QStringLiteral("persist: only \"user:\" targets can be kept for offline users, not a broadcast");
        return false;
    }
    return true;
}

} // namespace

bool AmqpBindings::parse(const QByteArray &json, QList<AmqpBinding> *bindings, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset);
        return false;
    }
    const QJsonValue list = doc.object().value(QStringLiteral("bindings"));
    if (!doc.isObject() || !list.isArray() || list.toArray().isEmpty()) {
        *error = QStringLiteral("bindings: must be a non-empty array (the document is {\"bindings\": [...]})");
        return false;
    }
    QList<AmqpBinding> out;
    QSet<QString> queues;
    const QJsonArray array = list.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        AmqpBinding b;
        QString why; // starts with the field: "prefetch: must be ..."
        if (!array.at(i).isObject()) {
            *error = QStringLiteral("bindings[%1]: must be an object").arg(i);
            return false;
        }
        if (parseOne(array.at(i).toObject(), &b, &why) && queues.contains(b.queue))
            why = QStringLiteral("queue: \"%1\" is already consumed by an earlier binding").arg(b.queue);
        if (!why.isEmpty()) {
            *error = QStringLiteral("bindings[%1].%2").arg(i).arg(why);
            return false;
        }
        queues.insert(b.queue);
        out << b;
    }
    *bindings = out;
    return true;
}

bool AmqpBindings::load(const QString &path, QList<AmqpBinding> *bindings, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    QString why;
    if (!parse(f.readAll(), bindings, &why)) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

QString AmqpBindings::checkUrl(const QString &url)
{
    if (!url.startsWith(QLatin1String("amqp://")) && !url.startsWith(QLatin1String("amqps://")))
        return QStringLiteral("the URL must start with amqp:// or amqps:// (amqp://user:pass@host:5672/vhost)");
    QByteArray copy = url.toUtf8(); // amqp_parse_url writes into its argument
    amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(copy.data(), &info) != AMQP_STATUS_OK)
        return QStringLiteral("not a valid amqp:// URL (amqp://user:pass@host:5672/vhost)");
    return {};
}

QString AmqpBindings::checkTls(const QString &url, const AmqpTls &tls)
{
    const struct { const char *option; const QString &file; } files[] = {
        {"amqp-ca", tls.caFile}, {"amqp-cert", tls.certFile}, {"amqp-key", tls.keyFile}};
    for (const auto &f : files) {
        if (f.file.isEmpty())
            continue;
        if (!url.startsWith(QLatin1String("amqps://")))
            return QStringLiteral("--%1 is for a TLS bridge: give an amqps:// URL with --amqp").arg(QLatin1String(f.option));
        QFile file(f.file);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("invalid value for %1: cannot read %2: %3").arg(QLatin1String(f.option), f.file, file.errorString());
    }
    if (tls.certFile.isEmpty() != tls.keyFile.isEmpty())
        return QStringLiteral("--amqp-cert and --amqp-key go together: give both or neither");
    return {};
}

AmqpRoute AmqpBindings::route(const AmqpBinding &binding, const QByteArray &body, const QString &routingKey,
                              QJsonObject *message)
{
    AmqpRoute r;
    // The same strict parser as every other door (RFC 8259: no raw control characters).
    QString why;
    const QJsonDocument doc = Json::parse(body, &why);
    if (!why.isEmpty()) {
        r.error = QStringLiteral("malformed: not JSON (%1)").arg(why);
        return r;
    }
    if (!doc.isObject()) {
        r.error = QStringLiteral("malformed: not a JSON object");
        return r;
    }
    *message = doc.object();
    // "{routingKey}" is the routing key, even when the message has a field of that name.
    QJsonObject fields = *message;
    fields.insert(kRoutingKey, routingKey);
    const QStringList event = RoomPolicy::expandTemplate(binding.event, fields);
    if (event.size() != 1) {
        r.error = QStringLiteral("no event name: \"%1\" needs a field the message does not have").arg(binding.event);
        return r;
    }
    r.event = event.constFirst();
    if (binding.broadcast) {
        r.broadcast = true;
        return r;
    }
    r.rooms = RoomPolicy::expandTemplates(binding.targets, fields);
    r.rooms.removeDuplicates();
    if (r.rooms.isEmpty())
        r.error = QStringLiteral("no target: none of %1 can be filled from the message").arg(binding.targets.join(QStringLiteral(", ")));
    return r;
}

} // namespace Switchboard
