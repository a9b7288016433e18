#include "router.h"

namespace Switchboard {

// HTTP answers as values: no routes or server needed (the request parser and its fuzzer use
// them on their own).

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return {status, QJsonDocument(object).toJson(QJsonDocument::Compact)};
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    return {status, QJsonDocument(array).toJson(QJsonDocument::Compact)};
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message)
{
    return json(QJsonObject{{QStringLiteral("error"), message}, {QStringLiteral("code"), code}}, status);
}

HttpResponse HttpResponse::text(const QByteArray &body, const QByteArray &contentType, int status)
{
    return {status, body, contentType};
}

QByteArray httpReasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : "Error";
    }
}

} // namespace Switchboard
