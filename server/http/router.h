#pragma once

#include <functional>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtHttpServer/QHttpServerRequest>

namespace Switchboard {

class Server;

struct HttpResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    /// {"error": message, "code": code}
    static HttpResponse error(int status, const QString &code, const QString &message);
    static HttpResponse text(const QByteArray &body, const QByteArray &contentType, int status = 200);
};

/// One request as a handler sees it: the raw request plus the path's <arg> values.
struct HttpRequest
{
    const QHttpServerRequest &raw;
    QStringList params;

    /// Parses the body as a JSON object; on failure returns false with a 400 in @p error.
    bool jsonBody(QJsonObject *object, HttpResponse *error) const;
    QString query(const QString &name) const;
};

/**
 * @brief The HTTP routes and their access rules, in one place.
 *
 * Patterns are literal segments and "<arg>" placeholders ("/api/rooms/<arg>"). A path that
 * matches no pattern is a 404; one that matches with another method is a 405. Admin routes
 * are checked against the internal key / admin token before the handler runs.
 */
class Router final
{
public:
    enum class Access { Public, Admin };
    using Method = QHttpServerRequest::Method;
    using Handler = std::function<HttpResponse(const HttpRequest &)>;

    void add(Method method, const QString &pattern, Access access, Handler handler);
    HttpResponse dispatch(const QHttpServerRequest &request, const Server &server) const;

private:
    struct Route
    {
        Method method;
        QStringList segments;
        Access access;
        Handler handler;
    };
    static bool match(const Route &route, const QStringList &segments, QStringList *params);

    QList<Route> m_routes;
};

/// Header lookup that ignores the case of the name.
QByteArray headerValue(const QHttpServerRequest &request, const QByteArray &name);

/// Registers every route of SPEC section 3 on @p router.
void registerApiRoutes(Router &router, Server &server);
/// The durable queue routes (SPEC sections 3 and 4); called by registerApiRoutes().
void registerQueueRoutes(Router &router, Server &server);

} // namespace Switchboard
