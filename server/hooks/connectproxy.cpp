#include "connectproxy.h"

#include <chrono>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QUuid>

#include "auth/roompolicy.h"
#include "protocol/strictjson.h"

namespace Switchboard {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ConnectDecision refused(const QString &code, const QString &message, bool unavailable = false)
{
    ConnectDecision d;
    d.code = code;
    d.message = message;
    d.unavailable = unavailable;
    return d;
}

ConnectDecision unavailable(const QString &message)
{
    return refused(QStringLiteral("connect_unavailable"), message, true);
}

} // namespace

ConnectProxy::ConnectProxy(const HookSettings &settings, const QByteArray &secret)
    : m_settings(settings.connect), m_client(secret, settings.maxInFlight, settings.maxResponseBytes)
{
}

ConnectProxy::~ConnectProxy()
{
    stop();
}

void ConnectProxy::start()
{
    m_client.start();
}

void ConnectProxy::stop()
{
    m_client.stop();
}

QByteArray ConnectProxy::requestBody(const ConnectRequest &request, const QString &requestId)
{
    QJsonObject body{{QStringLiteral("requestId"), requestId},
                     {QStringLiteral("protocol"), request.protocol},
                     {QStringLiteral("address"), request.address}};
    if (!request.nsp.isEmpty())
        body.insert(QStringLiteral("namespace"), request.nsp);
    if (!request.token.isEmpty())
        body.insert(QStringLiteral("token"), request.token);
    if (request.tokenVerified) {
        body.insert(QStringLiteral("userId"), request.userId);
        body.insert(QStringLiteral("claims"), request.claims);
    } else if (!request.token.isEmpty()) {
        body.insert(QStringLiteral("tokenError"), request.tokenError);
    }
    if (request.inBand)
        body.insert(QStringLiteral("inBand"), true);
    if (!request.auth.isEmpty())
        body.insert(QStringLiteral("auth"), request.auth);

    // The handshake is the client's: what the request carries of it is bounded, and what
    // does not fit is left out whole, never cut.
    QJsonObject query;
    qsizetype queryBytes = 0;
    const auto items = request.query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        queryBytes += key.size() + value.size();
        if (query.size() >= kMaxQueryItems || queryBytes > kMaxQueryBytes) {
            qCInfo(lcHooks) << "connect proxy: the query of" << request.address << "is over" << kMaxQueryItems
                            << "parameters or" << kMaxQueryBytes << "bytes; the rest is left out";
            break;
        }
        if (!query.contains(key)) // the first of repeated parameters, as the rooms' templates read them
            query.insert(key, value);
    }
    body.insert(QStringLiteral("query"), query);
    QJsonObject headers;
    qsizetype headerBytes = 0;
    for (const auto &[name, value] : request.headers) {
        const QString key = QString::fromLatin1(name);
        if (headers.contains(key))
            continue; // the first of repeated headers
        if (headerBytes + name.size() + value.size() > kMaxHeaderBytes) {
            qCInfo(lcHooks) << "connect proxy: header" << key << "of" << request.address << "left out (over"
                            << kMaxHeaderBytes << "bytes of headers)";
            continue;
        }
        headerBytes += name.size() + value.size();
        headers.insert(key, QString::fromLatin1(value));
    }
    body.insert(QStringLiteral("headers"), headers);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

void ConnectProxy::handle(ConnectRequest request, Answer answer)
{
    m_calls.fetch_add(1, std::memory_order_relaxed);
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    HookClient::Call call{m_settings.url, requestBody(request, requestId), requestId.toLatin1(), m_settings.timeoutMs,
                          m_settings.retries};
    const qint64 started = nowNs();
    m_client.post(std::move(call), [this, request = std::move(request), answer = std::move(answer), started](const HookClient::Result &r) {
        finished(request, r, started, answer);
    });
}

void ConnectProxy::finished(const ConnectRequest &request, const HookClient::Result &result, qint64 startedNs,
                            const Answer &answer)
{
    if (result.outcome != HookClient::Outcome::Busy && result.outcome != HookClient::Outcome::Unavailable)
        m_latency.record((nowNs() - startedNs) / 1000);
    ConnectDecision decision;
    bool invalid = false;
    switch (result.outcome) {
    case HookClient::Outcome::Ok:
        decision = decide(request, result.body, &invalid);
        break;
    case HookClient::Outcome::Failed:
        // The back end's own "no", without a body to read (non-2xx answers are not kept).
        if (result.status == 401 || result.status == 403) {
            decision = refused(QStringLiteral("connect_refused"), QStringLiteral("the back end answered HTTP %1").arg(result.status));
            break;
        }
        Q_FALLTHROUGH();
    default:
        invalid = true;
        decision = unavailable(QStringLiteral("the connection could not be checked; try again later"));
        qCWarning(lcHooks).noquote() << "connect proxy: no verdict for" << request.address << ":" << result.error;
        break;
    }
    if (invalid) {
        m_failures.fetch_add(1, std::memory_order_relaxed);
        if (result.outcome == HookClient::Outcome::Ok)
            qCWarning(lcHooks).noquote() << "connect proxy: invalid answer for" << request.address << ":" << decision.message;
        decision = unavailable(QStringLiteral("the connection could not be checked; try again later"));
    } else if (decision.admitted) {
        m_admitted.fetch_add(1, std::memory_order_relaxed);
    } else {
        m_refusals.fetch_add(1, std::memory_order_relaxed);
    }
    answer(decision);
}

ConnectDecision ConnectProxy::decide(const ConnectRequest &request, const QByteArray &body, bool *invalid)
{
    *invalid = false;
    const auto bad = [invalid](const QString &why) {
        *invalid = true;
        return unavailable(why);
    };
    QJsonObject o;
    if (!body.trimmed().isEmpty()) {
        QString why;
        const QJsonDocument doc = Json::parse(body, &why);
        if (!why.isEmpty() || !doc.isObject())
            return bad(QStringLiteral("the back end's answer is not a JSON object"));
        o = doc.object();
    }
    const QJsonValue error = o.value(QLatin1String("error"));
    if (!error.isUndefined() && !error.isNull()) {
        static const QRegularExpression codeChars(QStringLiteral("^[A-Za-z0-9_.:-]{1,64}$"));
        const QString code = error.toObject().value(QLatin1String("code")).toString();
        if (!error.isObject() || !codeChars.match(code).hasMatch())
            return bad(QStringLiteral("the back end's \"error\" needs a \"code\" of 1-64 characters from A-Z a-z 0-9 _ . : -"));
        QString message = error.toObject().value(QLatin1String("message")).toString().left(kMaxErrorMessage);
        return refused(code, message.isEmpty() ? code : message);
    }
    ConnectDecision d;
    d.claims = request.tokenVerified ? request.claims : QJsonObject();
    d.userId = request.tokenVerified ? request.userId : QString();
    const QJsonValue user = o.value(QLatin1String("user"));
    if (!user.isUndefined() && !user.isNull()) {
        if (!user.isString() || user.toString().isEmpty() || user.toString().toUtf8().size() > kMaxUserIdBytes)
            return bad(QStringLiteral("the back end's \"user\" must be a string of 1-%1 bytes").arg(kMaxUserIdBytes));
        d.userId = user.toString();
        // The token names someone else: none of its claims (role, rooms, templates) carry over.
        if (request.tokenVerified && d.userId != request.userId)
            d.claims = QJsonObject();
    }
    const QJsonValue claims = o.value(QLatin1String("claims"));
    if (!claims.isUndefined() && !claims.isNull()) {
        if (!claims.isObject())
            return bad(QStringLiteral("the back end's \"claims\" must be an object"));
        const QJsonObject more = claims.toObject();
        for (auto it = more.begin(); it != more.end(); ++it)
            d.claims.insert(it.key(), it.value()); // the back end's win
    }
    const QJsonValue rooms = o.value(QLatin1String("rooms"));
    if (!rooms.isUndefined() && !rooms.isNull()) {
        const QJsonArray list = rooms.toArray();
        if (!rooms.isArray() || list.size() > kMaxRooms)
            return bad(QStringLiteral("the back end's \"rooms\" must be an array of at most %1 room names").arg(kMaxRooms));
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString room = list.at(i).toString();
            if (!list.at(i).isString() || room.isEmpty() || room.size() > RoomPolicy::kMaxRoomLength)
                return bad(QStringLiteral("the back end's rooms[%1] must be a room name of 1-%2 characters").arg(i).arg(RoomPolicy::kMaxRoomLength));
            if (!d.rooms.contains(room))
                d.rooms << room;
        }
    }
    if (d.userId.isEmpty()) {
        // Neither a valid token nor the back end says who this is.
        return refused(QStringLiteral("connect_refused"), request.token.isEmpty()
                           ? QStringLiteral("missing credentials")
                           : QStringLiteral("invalid token: %1").arg(request.tokenError));
    }
    d.admitted = true;
    return d;
}

QByteArray ConnectProxy::prometheusText() const
{
    QByteArray out;
    const auto counter = [&](const char *name, const char *help, const std::atomic<quint64> &value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n" + name + ' '
            + QByteArray::number(value.load(std::memory_order_relaxed)) + '\n';
    };
    counter("switchboard_connect_proxy_calls_total", "Connections handed to the connect proxy.", m_calls);
    counter("switchboard_connect_proxy_admitted_total", "Connections the connect proxy's back end admitted.", m_admitted);
    counter("switchboard_connect_proxy_refusals_total", "Connections the connect proxy's back end refused.", m_refusals);
    counter("switchboard_connect_proxy_failures_total",
            "Connect-proxy calls without a verdict (timeout, network error, non-2xx, invalid answer, busy, stopping): refused connect_unavailable.",
            m_failures);
    out += "# HELP switchboard_connect_proxy_in_flight Connect-proxy HTTP calls in flight.\n"
           "# TYPE switchboard_connect_proxy_in_flight gauge\nswitchboard_connect_proxy_in_flight "
        + QByteArray::number(m_client.inFlight()) + '\n';
    out += "# HELP switchboard_connect_proxy_latency_seconds Connect-proxy call latency (retries included).\n"
           "# TYPE switchboard_connect_proxy_latency_seconds histogram\n";
    appendPrometheusHistogram(out, "switchboard_connect_proxy_latency_seconds", {}, m_latency);
    return out;
}

} // namespace Switchboard
