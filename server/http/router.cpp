#include "router.h"

#include <QtCore/QJsonParseError>
#include <QtCore/QUrlQuery>
#include <QtCore/QVarLengthArray>

#include "admingate.h"
#include "core/logging.h"
#include "server.h"
#include "protocol/strictjson.h"

namespace Switchboard {

bool HttpRequest::jsonBody(QJsonObject *object, HttpResponse *error) const
{
    const QByteArray body = raw.body();
    if (body.trimmed().isEmpty()) {
        *error = HttpResponse::error(400, QStringLiteral("invalid_json"), QStringLiteral("request body is empty; expected a JSON object"));
        return false;
    }
    QString why;
    const QJsonDocument doc = Json::parse(body, &why);
    if (!why.isEmpty()) {
        *error = HttpResponse::error(400, QStringLiteral("invalid_json"), why);
        return false;
    }
    if (!doc.isObject()) {
        *error = HttpResponse::error(400, QStringLiteral("invalid_json"), QStringLiteral("request body must be a JSON object"));
        return false;
    }
    *object = doc.object();
    return true;
}

QString HttpRequest::query(const QString &name) const
{
    return raw.query().queryItemValue(name, QUrl::FullyDecoded);
}

void Router::add(Method method, const QString &pattern, Access access, Handler handler)
{
    append({method, pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts), access, pattern, nullptr, std::move(handler), {}});
}

void Router::addDeferred(Method method, const QString &pattern, Access access, DeferredHandler handler)
{
    append({method, pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts), access, pattern, nullptr, {}, std::move(handler)});
}

void Router::append(Route route)
{
    if (route.access == Access::Admin) {
        route.action = AdminRoles::routeAction(route.method, route.pattern);
        if (!route.action)
            qCWarning(lcHttp).noquote() << describe(route) << "is not in the admin role table: it is refused to everyone";
    }
    m_routes.append(std::move(route));
}

QString Router::describe(const Route &route)
{
    QString method;
    switch (route.method) {
    case Method::Get: method = QStringLiteral("GET"); break;
    case Method::Post: method = QStringLiteral("POST"); break;
    case Method::Put: method = QStringLiteral("PUT"); break;
    case Method::Delete: method = QStringLiteral("DELETE"); break;
    case Method::Patch: method = QStringLiteral("PATCH"); break;
    default: method = QStringLiteral("OTHER"); break;
    }
    return method + QLatin1Char(' ') + route.pattern;
}

QStringList Router::adminRoutes() const
{
    QStringList list;
    for (const Route &route : m_routes) {
        if (route.access == Access::Admin)
            list << describe(route);
    }
    return list;
}

QStringList Router::adminRoutesWithoutRole() const
{
    QStringList list;
    for (const Route &route : m_routes) {
        if (route.access == Access::Admin && !route.action)
            list << describe(route);
    }
    return list;
}

bool Router::match(const Route &route, const QStringView *segments, qsizetype count, QStringList *params)
{
    if (route.segments.size() != count)
        return false;
    params->clear();
    for (qsizetype i = 0; i < count; ++i) {
        const QString &pattern = route.segments[i];
        // Decoded only when it has to be: an <arg>, or a segment with an escape in it.
        if (pattern == QLatin1String("<arg>")) {
            params->append(QUrl::fromPercentEncoding(segments[i].toUtf8()));
        } else if (segments[i].contains(QLatin1Char('%'))) {
            if (QUrl::fromPercentEncoding(segments[i].toUtf8()) != pattern)
                return false;
        } else if (segments[i] != pattern) {
            return false;
        }
    }
    return true;
}

void Router::limitBody(Method method, const QString &pattern, qint64 maxBody)
{
    const QStringList segments = pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (Route &route : m_routes) {
        if (route.method == method && route.segments == segments)
            route.maxBody = maxBody;
    }
}

const Router::Route *Router::find(const RequestData &request, QStringList *params, bool *pathKnown) const
{
    // Split before decoding: a room named "order:2024/17" arrives as "order:2024%2F17" and
    // is one <arg>, not two segments. Views into the path, nothing allocated per segment.
    const QString path = request.url().path(QUrl::FullyEncoded);
    QVarLengthArray<QStringView, 8> segments;
    for (const QStringView segment : QStringView(path).tokenize(u'/', Qt::SkipEmptyParts))
        segments.append(segment);
    *pathKnown = false;
    for (const Route &route : m_routes) {
        if (!match(route, segments.constData(), segments.size(), params))
            continue;
        *pathKnown = true;
        if (route.method == request.method())
            return &route;
    }
    return nullptr;
}

std::optional<HttpResponse> Router::checkHead(const RequestData &head, const Server &server, qint64 *maxBody) const
{
    QStringList params;
    bool pathKnown = false;
    const Route *route = find(head, &params, &pathKnown);
    *maxBody = route ? route->maxBody : kDefaultMaxBody;
    if (!route || route->access != Access::Admin)
        return std::nullopt;
    // Refusals are audited here (the request ends with them); an allowed head is checked
    // and audited again with its body in dispatch().
    return AdminGate::check(route->action, head, params, server).refusal;
}

void Router::dispatch(const RequestData &request, const Server &server, const Responder &responder) const
{
    QStringList params;
    bool pathKnown = false;
    const Route *route = find(request, &params, &pathKnown);
    if (!route) {
        const QString path = request.url().path(QUrl::FullyDecoded);
        if (pathKnown)
            responder.send(HttpResponse::error(405, QStringLiteral("method_not_allowed"), QStringLiteral("method not allowed on %1").arg(path)));
        else
            responder.send(HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("no route for %1").arg(path)));
        return;
    }
    Responder reply = responder;
    if (route->access == Access::Admin) {
        const AdminGate::Decision decision = AdminGate::check(route->action, request, params, server);
        if (decision.refusal)
            return responder.send(*decision.refusal);
        reply = AdminGate::observe(decision, request, responder, server);
    }
    if (route->deferred)
        route->deferred(HttpRequest{request, params}, reply);
    else
        reply.send(route->handler(HttpRequest{request, params}));
}

} // namespace Switchboard
