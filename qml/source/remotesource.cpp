#include "remotesource.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtWebSockets/QWebSocket>

#include "protocol/emitjson.h"
#include "queue/queuejson.h"

namespace Switchboard {

Q_LOGGING_CATEGORY(lcRemote, "switchboard.console.remote")

namespace {

constexpr int kMinBackoffMs = 500;
constexpr int kMaxBackoffMs = 15000;
constexpr int kProtocolVersion = 1;

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isString() ? v.toString().toLongLong() : qint64(v.toDouble());
}

double real(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toDouble();
}

// Times come as ISO 8601 (the /api/connections rows) or as ms since the epoch.
qint64 timeMs(const QJsonValue &v)
{
    if (v.isString())
        return QDateTime::fromString(v.toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
    return qint64(v.toDouble());
}

// The key of a row: connections by id, everything else by name.
QString keyOf(const QString &stream, const QJsonValue &row)
{
    if (row.isString() || row.isDouble())
        return row.isString() ? row.toString() : QString::number(qint64(row.toDouble()));
    const QJsonObject o = row.toObject();
    if (stream == QLatin1String("connections")) {
        const QJsonValue id = o.value(QLatin1String("id"));
        return id.isString() ? id.toString() : QString::number(qint64(id.toDouble()));
    }
    // Rooms of other nodes ("node": a name or "*") may share a name: the node tells them apart.
    const QString name = o.value(QLatin1String("name")).toString();
    const QString node = o.value(QLatin1String("node")).toString();
    return stream == QLatin1String("rooms") && !node.isEmpty() ? node + QLatin1Char('/') + name : name;
}

// Whether @p key, as the node lists it in a diff's "order", names @p row: the node's own key
// for a row of several nodes may join node and name differently from keyOf().
bool keyNames(const QString &key, const QJsonObject &row)
{
    const QString name = row.value(QLatin1String("name")).toString();
    const QString node = row.value(QLatin1String("node")).toString();
    if (key == name)
        return node.isEmpty();
    const qsizetype parts = name.size() + node.size();
    return !node.isEmpty() && key.size() >= parts && key.size() <= parts + 3
        && ((key.startsWith(node) && key.endsWith(name)) || (key.startsWith(name) && key.endsWith(node)));
}

} // namespace

RemoteSource::RemoteSource(const QUrl &url, const QString &token, QObject *parent)
    : ConsoleSource(parent), m_url(url), m_token(token), m_socket(std::make_unique<QWebSocket>())
{
    m_socket->setMaxAllowedIncomingMessageSize(quint64(kMaxFrameBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(kMaxFrameBytes));
    connect(m_socket.get(), &QWebSocket::connected, this, &RemoteSource::onConnected);
    connect(m_socket.get(), &QWebSocket::disconnected, this, &RemoteSource::onDisconnected);
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &RemoteSource::onMessage);
    // QWebSocket::error (errorOccurred arrived in 6.5).
    connect(m_socket.get(), QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
        m_linkError = m_socket->errorString();
    });
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, [this] {
        if (m_wanted)
            m_socket->open(channelUrl(m_url));
    });
    // Subscription changes (a filter typed letter by letter) go out at most ten times a
    // second, well under the channel's 20 frames per second.
    m_subscribeFlush.setSingleShot(true);
    m_subscribeFlush.setInterval(100);
    connect(&m_subscribeFlush, &QTimer::timeout, this, &RemoteSource::flushSubscriptions);
    m_watchTimer.setInterval(1000);
    connect(&m_watchTimer, &QTimer::timeout, this, &RemoteSource::pollWatchedConnection);
}

RemoteSource::~RemoteSource()
{
    m_wanted = false;
    m_socket->disconnect(this);
    m_socket->abort();
}

QUrl RemoteSource::channelUrl(const QUrl &url)
{
    QUrl ws(url);
    if (url.scheme() == QLatin1String("http"))
        ws.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == QLatin1String("https"))
        ws.setScheme(QStringLiteral("wss"));
    else if (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))
        return {};
    if (ws.host().isEmpty())
        return {};
    ws.setPath(QStringLiteral("/admin/ws"));
    ws.setQuery(QString());
    ws.setFragment(QString());
    return ws;
}

void RemoteSource::open()
{
    m_wanted = true;
    m_reconnect.stop();
    const QUrl ws = channelUrl(m_url);
    if (!ws.isValid()) {
        setLink(Link::Refused, tr("%1 is not an http:// or https:// address.").arg(m_url.toString()));
        return;
    }
    setLink(m_link == Link::Connected || m_link == Link::Reconnecting ? Link::Reconnecting : Link::Connecting);
    m_socket->abort();
    m_socket->open(ws);
}

void RemoteSource::close()
{
    m_wanted = false;
    m_reconnect.stop();
    m_socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("console closed"));
}

QString RemoteSource::displayName() const
{
    return m_nodeName.isEmpty() ? m_url.toString() : QStringLiteral("%1 (%2)").arg(m_nodeName, m_url.toString());
}

namespace {

// Admin actions the channel does not carry (its welcome does not list them): the console
// calls the node's HTTP admin route instead, with the same token (docs/console.md).
struct HttpAction
{
    const char *action;
    const char *path;
    const char *role;   // the least role, as AdminRoles' table has it for the route
};
const HttpAction kHttpActions[] = {
    {"undrain", "/api/admin/undrain", "admin"},
    {"mint_token", "/api/admin/tokens", "admin"},
};

const HttpAction *findHttpAction(const QString &action)
{
    for (const HttpAction &a : kHttpActions) {
        if (action == QLatin1String(a.action))
            return &a;
    }
    return nullptr;
}

} // namespace

QString RemoteSource::requiredRole(const QString &action) const
{
    // Until the welcome says otherwise, nothing is allowed: the buttons stay disabled.
    const auto it = m_actionRoles.constFind(action);
    if (it != m_actionRoles.cend())
        return *it;
    const HttpAction *http = findHttpAction(action);
    return http && !m_role.isEmpty() ? QLatin1String(http->role) : QStringLiteral("unknown");
}

void RemoteSource::httpAction(const QString &path, const QJsonObject &body, SourceCallback done)
{
    if (!m_http)
        m_http = std::make_unique<QNetworkAccessManager>();
    QUrl url(m_url);
    url.setPath(path);
    url.setQuery(QString());
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(kHttpTimeoutMs);
    QNetworkReply *reply = m_http->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    // An answer bigger than any of these routes gives is cut off, not buffered.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxHttpAnswerBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [reply, path, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->read(kMaxHttpAnswerBytes);
        if (status == 0) {
            done(SourceResult{false, QStringLiteral("error"), reply->errorString(), {}});
            return;
        }
        const QJsonObject data = QJsonDocument::fromJson(bytes).object();
        SourceResult r;
        r.ok = status >= 200 && status < 300;
        r.result = r.ok ? QStringLiteral("ok") : status == 401 ? QStringLiteral("unauthenticated")
            : status == 403 ? QStringLiteral("forbidden") : status == 404 ? QStringLiteral("not_found")
            : status < 500 ? QStringLiteral("invalid") : QStringLiteral("error");
        r.message = data.value(QLatin1String("error")).toString();
        if (status == 404 && r.message.isEmpty())
            r.message = tr("The node has no %1 route (an older version).").arg(path);
        r.data = data;
        done(r);
    });
}

void RemoteSource::setLink(Link link, const QString &error)
{
    const bool changed = m_link != link || m_linkError != error;
    m_link = link;
    m_linkError = error;
    if (changed)
        Q_EMIT linkChanged();
}

void RemoteSource::onConnected()
{
    qCInfo(lcRemote).noquote() << "connected to" << channelUrl(m_url).toString() << "- saying hello";
    send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("token"), m_token}});
}

void RemoteSource::onDisconnected()
{
    const int code = int(m_socket->closeCode());
    const QString reason = m_socket->closeReason();
    failPending(tr("The connection to the node was lost."));
    if (code == 4001 || code == 4400) {
        // A refused token or protocol version will be refused again: wait for the operator.
        m_wanted = false;
        setLink(Link::Refused, reason.isEmpty() ? tr("The node refused the admin token.") : reason);
        return;
    }
    if (!m_wanted) {
        setLink(Link::Reconnecting, tr("Disconnected."));
        return;
    }
    QString why = reason;
    if (why.isEmpty())
        why = m_linkError.isEmpty() ? tr("The connection was closed (code %1).").arg(code) : m_linkError;
    setLink(Link::Reconnecting, why);
    scheduleReconnect();
}

void RemoteSource::scheduleReconnect()
{
    m_backoffMs = m_backoffMs == 0 ? kMinBackoffMs : qMin(kMaxBackoffMs, m_backoffMs * 2);
    qCInfo(lcRemote).noquote() << "reconnecting to" << m_url.toString() << "in" << m_backoffMs << "ms";
    m_reconnect.start(m_backoffMs);
}

void RemoteSource::failPending(const QString &why)
{
    const auto pending = std::exchange(m_pending, {});
    for (const SourceCallback &done : pending)
        done(SourceResult{false, QStringLiteral("error"), why, {}});
    if (m_deadLettersDone) {
        SourceDeadLetters page;
        page.error = why;
        std::exchange(m_deadLettersDone, {})(page);
    }
}

void RemoteSource::send(const QJsonObject &message)
{
    QJsonObject m = message;
    m.insert(QStringLiteral("v"), kProtocolVersion);
    m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
}

void RemoteSource::onMessage(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (!doc.isObject()) {
        qCWarning(lcRemote).noquote() << "ignoring a frame that is not a JSON object:" << error.errorString();
        return;
    }
    const QJsonObject m = doc.object();
    const QString type = str(m, "type");
    if (type == QLatin1String("welcome"))
        onWelcome(m);
    else if (type == QLatin1String("summary"))
        onSummary(m);
    else if (type == QLatin1String("snapshot"))
        onRows(m, true);
    else if (type == QLatin1String("diff"))
        onRows(m, false);
    else if (type == QLatin1String("append"))
        onRows(m, false);
    else if (type == QLatin1String("events"))
        onEvents(m);
    else if (type == QLatin1String("result"))
        onResult(m);
    else if (type == QLatin1String("acks"))
        onAcks(m);
    else if (type == QLatin1String("error"))
        m_linkError = str(m, "message").isEmpty() ? str(m, "code") : str(m, "message");
}

void RemoteSource::onWelcome(const QJsonObject &m)
{
    m_backoffMs = 0;
    m_role = str(m, "role");
    m_nodeName = m.value(QLatin1String("node")).toObject().value(QLatin1String("name")).toString();
    m_actionRoles.clear();
    const QJsonObject actions = m.value(QLatin1String("actions")).toObject();
    for (auto it = actions.constBegin(); it != actions.constEnd(); ++it)
        m_actionRoles.insert(it.key(), it.value().toString());
    const QJsonObject s = m.value(QLatin1String("server")).toObject();
    SourceSettings settings;
    settings.url = str(s, "url");
    settings.wsUrl = str(s, "wsUrl");
    const QUrl url(settings.url);
    settings.host = url.host();
    settings.port = url.port();
    settings.threads = int(num(s, "threads"));
    settings.maxConnections = int(num(s, "maxConnections"));
    settings.heartbeatInterval = int(num(s, "heartbeatInterval"));
    settings.heartbeatTimeout = int(num(s, "heartbeatTimeout"));
    settings.maxMessageSize = num(s, "maxMessageSize");
    settings.rateLimit = real(s, "rateLimit");
    settings.rateBurst = real(s, "rateBurst");
    settings.maxPendingBytes = num(s, "maxPendingBytes");
    settings.redisUrl = str(s, "redisUrl");
    settings.dataDir = str(s, "dataDir");
    settings.queueMaxAttempts = s.contains(QLatin1String("queueMaxAttempts")) ? int(num(s, "queueMaxAttempts")) : 5;
    settings.queueMaxPayload = num(s, "queueMaxPayload");
    m_settings = settings;
    m_status.url = settings.url;
    m_status.wsUrl = settings.wsUrl;
    m_status.threads = settings.threads;
    // The node may have restarted: what a stream held is gone until its new snapshot.
    m_events.clear();
    m_watched.reset();
    // Every wanted stream again, plus the metrics history the charts draw.
    if (!m_subscriptions.contains(QStringLiteral("history")))
        m_subscriptions.insert(QStringLiteral("history"), {});
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it)
        m_dirtySubscriptions.insert(it.key());
    flushSubscriptions();
    qCInfo(lcRemote).noquote() << "attached to" << displayName() << "as" << m_role;
    setLink(Link::Connected);
    Q_EMIT roleChanged();
    Q_EMIT reset();
}

void RemoteSource::onSummary(const QJsonObject &m)
{
    SourceStatus s = m_status;
    s.running = m.value(QLatin1String("running")).toBool(true);
    s.uptime = num(m, "uptime");
    s.connections = int(num(m, "connections"));
    s.users = int(num(m, "users"));
    s.rooms = int(num(m, "rooms"));
    s.totalConnections = num(m, "totalConnections");
    s.authFailures = num(m, "authFailures");
    s.rateLimited = num(m, "rateLimited");
    s.errorsTotal = num(m, "errorsTotal");
    s.clustered = m.value(QLatin1String("clustered")).toBool();
    s.nodeName = str(m, "nodeName");
    s.redisAddress = str(m, "redisAddress");
    s.degradedReason = str(m, "degradedReason");
    s.nodes = m.value(QLatin1String("nodes")).toArray();
    s.draining = m.value(QLatin1String("draining")).toBool();
    const QJsonObject sample = m.value(QLatin1String("sample")).toObject();
    if (!sample.isEmpty()) {
        s.sample = sampleFrom(sample);
    } else {
        s.sample.timestampMs = num(m, "at");
        s.sample.connections = s.connections;
        s.sample.users = s.users;
        s.sample.rooms = s.rooms;
    }
    // The figures the summary carries win over the sample's (they are newer).
    s.sample.messagesInPerSec = m.contains(QLatin1String("eventsInPerSec")) ? real(m, "eventsInPerSec") : s.sample.messagesInPerSec;
    s.sample.messagesOutPerSec = m.contains(QLatin1String("eventsOutPerSec")) ? real(m, "eventsOutPerSec") : s.sample.messagesOutPerSec;
    s.sample.queueDepth = m.contains(QLatin1String("queueDepth")) ? num(m, "queueDepth") : s.sample.queueDepth;
    s.sample.errorsPerSec = m.contains(QLatin1String("errorsPerSec")) ? real(m, "errorsPerSec") : s.sample.errorsPerSec;
    s.sample.p50Ms = m.contains(QLatin1String("p50Ms")) ? real(m, "p50Ms") : s.sample.p50Ms;
    s.sample.p99Ms = m.contains(QLatin1String("p99Ms")) ? real(m, "p99Ms") : s.sample.p99Ms;
    m_status = s;
    if (!m_subscriptions.contains(QStringLiteral("history")) || m_history.isEmpty()
        || m_history.constLast().timestampMs < s.sample.timestampMs) {
        if (s.sample.timestampMs > 0 && (m_history.isEmpty() || m_history.constLast().timestampMs < s.sample.timestampMs))
            m_history.append(s.sample);
        while (m_history.size() > kMaxHistory)
            m_history.removeFirst();
    }
    Q_EMIT sampled();
}

void RemoteSource::onRows(const QJsonObject &m, bool snapshot)
{
    const QString stream = str(m, "stream");
    if (stream == QLatin1String("history")) {
        // The snapshot's samples come as "rows" (like every snapshot) or "samples" (like append).
        const QJsonArray samples = m.contains(QLatin1String("samples")) ? m.value(QLatin1String("samples")).toArray()
                                                                        : m.value(QLatin1String("rows")).toArray();
        if (snapshot)
            m_history.clear();
        for (const QJsonValue &v : samples) {
            const MetricsSample s = sampleFrom(v.toObject());
            if (m_history.isEmpty() || m_history.constLast().timestampMs < s.timestampMs)
                m_history.append(s);
        }
        while (m_history.size() > kMaxHistory)
            m_history.removeFirst();
        Q_EMIT streamChanged(stream);
        return;
    }
    if (stream == QLatin1String("bridges")) {
        // docs/admin-channel.md: the snapshot carries GET /api/bridges under "data".
        m_bridges = m.value(QLatin1String("data")).toObject().value(QLatin1String("bridges")).toArray();
        Q_EMIT streamChanged(stream);
        return;
    }
    if (stream == QLatin1String("deadletters")) {
        SourceDeadLetters page;
        const QJsonArray rows = m.value(QLatin1String("rows")).toArray();
        for (const QJsonValue &v : rows) {
            if (page.rows.size() >= kMaxRows)
                break;
            page.rows.append(deadLetterFrom(v.toObject()));
        }
        page.total = num(m, "total");
        m_deadLetters = page;
        if (m_deadLettersDone)
            std::exchange(m_deadLettersDone, {})(page);
        Q_EMIT streamChanged(stream);
        return;
    }
    Rows *rows = stream == QLatin1String("connections") ? &m_connections
        : stream == QLatin1String("rooms")              ? &m_rooms
        : stream == QLatin1String("queues")             ? &m_queues
                                                        : nullptr;
    if (!rows)
        return;
    // Only the connections are read off this thread, but one lock for all keeps it simple.
    QMutexLocker lock(&m_connectionsMutex);
    if (snapshot) {
        rows->byKey.clear();
        rows->order.clear();
        for (const QJsonValue &v : m.value(QLatin1String("rows")).toArray()) {
            if (rows->order.size() >= kMaxRows)
                break;
            const QString key = keyOf(stream, v);
            if (!rows->byKey.contains(key))
                rows->order.append(key);
            rows->byKey.insert(key, v.toObject());
        }
    } else {
        for (const QJsonValue &v : m.value(QLatin1String("remove")).toArray()) {
            const QString key = keyOf(stream, v);
            rows->byKey.remove(key);
            rows->order.removeAll(key);
        }
        for (const QJsonValue &v : m.value(QLatin1String("upsert")).toArray()) {
            QString key = keyOf(stream, v);
            if (!rows->byKey.contains(key) && stream == QLatin1String("rooms")) {
                for (auto it = rows->byKey.cbegin(); it != rows->byKey.cend(); ++it) {
                    if (keyNames(it.key(), v.toObject())) {
                        key = it.key();
                        break;
                    }
                }
            }
            if (!rows->byKey.contains(key)) {
                if (rows->order.size() >= kMaxRows)
                    continue;
                rows->order.append(key);
            }
            rows->byKey.insert(key, v.toObject());
        }
        const QJsonArray order = m.value(QLatin1String("order")).toArray();
        if (!order.isEmpty() && stream == QLatin1String("rooms")) {
            // Rows keyed here otherwise than the node keys them take the node's key.
            for (const QJsonValue &v : order) {
                const QString key = v.toString();
                if (key.isEmpty() || rows->byKey.contains(key))
                    continue;
                for (auto it = rows->byKey.begin(); it != rows->byKey.end(); ++it) {
                    if (keyNames(key, *it)) {
                        const QJsonObject row = *it;
                        const QString old = it.key();
                        rows->byKey.erase(it);
                        rows->byKey.insert(key, row);
                        const qsizetype at = rows->order.indexOf(old);
                        if (at >= 0)
                            rows->order.replace(at, key);
                        break;
                    }
                }
            }
        }
        if (!order.isEmpty()) {
            QStringList next;
            for (const QJsonValue &v : order) {
                const QString key = keyOf(stream, v);
                if (rows->byKey.contains(key))
                    next.append(key);
            }
            rows->order = next;
            // Rows the order leaves out are no longer on the page.
            for (auto it = rows->byKey.begin(); it != rows->byKey.end();) {
                if (!next.contains(it.key()))
                    it = rows->byKey.erase(it);
                else
                    ++it;
            }
        }
    }
    rows->total = m.contains(QLatin1String("total")) ? int(num(m, "total")) : int(rows->order.size());
    lock.unlock();
    Q_EMIT streamChanged(stream);
}

void RemoteSource::onEvents(const QJsonObject &m)
{
    for (const QJsonValue &v : m.value(QLatin1String("entries")).toArray()) {
        EventLog::Entry e = eventFrom(v.toObject());
        // Our own numbering: the console's buffer counts what it received.
        e.seq = ++m_eventSeq;
        m_events.append(e);
    }
    m_eventsSkipped += quint64(qMax<qint64>(0, num(m, "skipped")));
    if (m_events.size() > kMaxEvents)
        m_events.erase(m_events.begin(), m_events.begin() + (m_events.size() - kMaxEvents));
    Q_EMIT streamChanged(QStringLiteral("events"));
}

void RemoteSource::onResult(const QJsonObject &m)
{
    const qint64 id = num(m, "id");
    const SourceCallback done = m_pending.take(id);
    if (!done)
        return;
    done(SourceResult{m.value(QLatin1String("ok")).toBool(), str(m, "result"), str(m, "message"),
                      m.value(QLatin1String("data")).toObject()});
}

void RemoteSource::onAcks(const QJsonObject &m)
{
    // Acks of an emit this console made with a wait, as the node collected them (from every
    // node of its cluster), ahead of the emit's result.
    const QString emitId = str(m, "emitId");
    for (const QJsonValue &value : m.value(QLatin1String("acks")).toArray()) {
        const QJsonObject ack = value.toObject();
        Q_EMIT ackReceived(emitId, SourceAckWait::connectionIdOf(ack.value(QLatin1String("connectionId"))), str(ack, "userId"), ack.value(QLatin1String("ok")).toBool(true),
                           str(ack, "error"));
    }
}

void RemoteSource::subscribe(const QString &stream, const QJsonObject &query)
{
    if (stream == QLatin1String("connection")) {
        const quint64 id = query.value(QLatin1String("id")).toVariant().toULongLong();
        if (id != m_watchedId)
            m_watched.reset();
        m_watchedId = id;
        if (id != 0) {
            m_watchTimer.start();
            pollWatchedConnection();
        } else {
            m_watchTimer.stop();
        }
        return;
    }
    if (m_subscriptions.contains(stream) && m_subscriptions.value(stream) == query)
        return;
    m_subscriptions.insert(stream, query);
    m_dirtySubscriptions.insert(stream);
    if (!m_subscribeFlush.isActive())
        m_subscribeFlush.start();
}

void RemoteSource::unsubscribe(const QString &stream)
{
    if (stream == QLatin1String("connection")) {
        m_watchedId = 0;
        m_watched.reset();
        m_watchTimer.stop();
        return;
    }
    if (!m_subscriptions.remove(stream))
        return;
    m_dirtySubscriptions.insert(stream);
    if (!m_subscribeFlush.isActive())
        m_subscribeFlush.start();
}

void RemoteSource::flushSubscriptions()
{
    if (m_link != Link::Connected && m_role.isEmpty())
        return; // sent with the welcome
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    const QSet<QString> dirty = std::exchange(m_dirtySubscriptions, {});
    for (const QString &stream : dirty) {
        if (m_subscriptions.contains(stream)) {
            // No node chosen means the attached node's own rows: the node is named, since a
            // node that lists the cluster reads an empty "node" as every node's.
            QJsonObject query = m_subscriptions.value(stream);
            if (query.contains(QLatin1String("node")) && query.value(QLatin1String("node")).toString().isEmpty()
                && !m_nodeName.isEmpty())
                query.insert(QStringLiteral("node"), m_nodeName);
            send({{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("stream"), stream},
                  {QStringLiteral("query"), query}});
        }
        else
            send({{QStringLiteral("type"), QStringLiteral("unsubscribe")}, {QStringLiteral("stream"), stream}});
    }
}

void RemoteSource::pollWatchedConnection()
{
    if (m_watchedId == 0 || m_link != Link::Connected)
        return;
    const quint64 id = m_watchedId;
    action(QStringLiteral("connection"), {{QStringLiteral("id"), QString::number(id)}}, [this, id](const SourceResult &r) {
        if (id != m_watchedId)
            return;
        if (r.ok) {
            const QJsonObject row = r.data.contains(QLatin1String("connection"))
                ? r.data.value(QLatin1String("connection")).toObject() : r.data;
            m_watched = connectionFrom(row);
            m_watchedNode = str(row, "node");
        }
        else if (r.result == QLatin1String("not_found"))
            m_watched.reset();
        Q_EMIT streamChanged(QStringLiteral("connection"));
    });
}

QList<ConnectionSnapshot> RemoteSource::connections() const
{
    QMutexLocker lock(&m_connectionsMutex);
    QList<ConnectionSnapshot> out;
    out.reserve(m_connections.order.size());
    for (const QString &key : m_connections.order)
        out.append(connectionFrom(m_connections.byKey.value(key)));
    return out;
}

int RemoteSource::connectionsTotal() const
{
    QMutexLocker lock(&m_connectionsMutex);
    return m_connections.total;
}

std::optional<ConnectionSnapshot> RemoteSource::connection(quint64 id) const
{
    if (m_watched && m_watched->id == id)
        return m_watched;
    QMutexLocker lock(&m_connectionsMutex);
    const auto it = m_connections.byKey.constFind(QString::number(id));
    if (it == m_connections.byKey.cend())
        return std::nullopt;
    return connectionFrom(*it);
}

QHash<QString, int> RemoteSource::roomCounts(bool users) const
{
    // One rooms subscription per channel: it holds what its query's source asked for.
    const bool subscribedUsers = m_subscriptions.value(QStringLiteral("rooms")).value(QLatin1String("source")).toString()
        == QLatin1String("users");
    QHash<QString, int> out;
    if (subscribedUsers != users)
        return out;
    // Rows of several nodes ("node": "*") add up per name.
    QMutexLocker lock(&m_connectionsMutex);
    for (auto it = m_rooms.byKey.cbegin(); it != m_rooms.byKey.cend(); ++it)
        out[str(*it, "name")] += int(num(*it, "count"));
    return out;
}

QList<SourceRoom> RemoteSource::rooms(bool users) const
{
    const bool subscribedUsers = m_subscriptions.value(QStringLiteral("rooms")).value(QLatin1String("source")).toString()
        == QLatin1String("users");
    QList<SourceRoom> out;
    if (subscribedUsers != users)
        return out;
    QMutexLocker lock(&m_connectionsMutex);
    out.reserve(m_rooms.order.size());
    for (const QString &key : m_rooms.order) {
        const QJsonObject row = m_rooms.byKey.value(key);
        // The whole cluster's page has a row per name ("node": "*") with its count on each node
        // in "nodes": the console shows a row per node, as for one node's page.
        const QJsonObject perNode = row.value(QLatin1String("nodes")).toObject();
        if (str(row, "node") == QLatin1String("*") && !perNode.isEmpty()) {
            for (auto it = perNode.constBegin(); it != perNode.constEnd(); ++it)
                out.append(SourceRoom{str(row, "name"), it.value().toInt(), it.key()});
            continue;
        }
        out.append(SourceRoom{str(row, "name"), int(num(row, "count")), str(row, "node")});
    }
    return out;
}

QString RemoteSource::nodeOf(quint64 id) const
{
    {
        QMutexLocker lock(&m_connectionsMutex);
        const auto it = m_connections.byKey.constFind(QString::number(id));
        if (it != m_connections.byKey.cend() && it->contains(QLatin1String("node")))
            return str(*it, "node");
    }
    if (m_watched && m_watched->id == id)
        return m_watchedNode;
    return m_status.clustered ? m_nodeName : QString();
}

QString RemoteSource::nodeQueryProblem(const QString &stream) const
{
    const QString node = m_subscriptions.value(stream).value(QLatin1String("node")).toString();
    if (node.isEmpty() || node == m_nodeName || m_link != Link::Connected)
        return {};
    QMutexLocker lock(&m_connectionsMutex);
    const Rows &rows = stream == QLatin1String("rooms") ? m_rooms : m_connections;
    if (stream == QLatin1String("rooms")) {
        // A node that reads no "node" in the query lists its own rooms, without a node field.
        for (const QJsonObject &row : rows.byKey) {
            if (!row.contains(QLatin1String("node")))
                return tr("This node lists only its own rooms (it runs an older version): attach to the other nodes to see theirs.");
        }
        return {};
    }
    // An older node answers a query for another node (or "*") with an empty page, though the
    // summary counts connections there.
    if (rows.total > 0)
        return {};
    int elsewhere = 0;
    for (const QJsonValue &v : m_status.nodes) {
        const QJsonObject n = v.toObject();
        if (node == QLatin1String("*") || str(n, "name") == node)
            elsewhere += int(num(n, "connections"));
    }
    return elsewhere > 0 ? tr("This node lists only its own connections (it runs an older version): attach to the other nodes to see theirs.")
                         : QString();
}

QList<EventLog::Entry> RemoteSource::eventsSince(quint64 seq) const
{
    QList<EventLog::Entry> out;
    for (auto it = m_events.crbegin(); it != m_events.crend() && it->seq > seq; ++it)
        out.prepend(*it);
    return out;
}

SourceQueueInfo RemoteSource::queueInfo() const
{
    SourceQueueInfo info;
    info.available = m_link == Link::Connected && m_status.running;
    info.durable = !m_settings.dataDir.isEmpty();
    info.description = tr("on %1").arg(m_url.toString());
    return info;
}

QList<QueueStats> RemoteSource::queueStats() const
{
    QList<QueueStats> out;
    for (const QString &key : m_queues.order)
        out.append(queueStatsFrom(m_queues.byKey.value(key)));
    return out;
}

void RemoteSource::deadLetters(const QString &queue, int offset, int limit,
                               std::function<void(const SourceDeadLetters &)> done)
{
    if (m_link != Link::Connected) {
        SourceDeadLetters page;
        page.error = tr("Not connected to the node.");
        done(page);
        return;
    }
    // The node answers a subscribe with a snapshot, and sends it again when it changes.
    if (m_deadLettersDone) {
        SourceDeadLetters superseded;
        superseded.error = tr("superseded");
        std::exchange(m_deadLettersDone, {})(superseded);
    }
    m_deadLettersDone = std::move(done);
    const QJsonObject query{{QStringLiteral("queue"), queue}, {QStringLiteral("offset"), offset},
                            {QStringLiteral("limit"), qMin(limit, 200)}};
    m_subscriptions.insert(QStringLiteral("deadletters"), query);
    m_dirtySubscriptions.insert(QStringLiteral("deadletters"));
    flushSubscriptions();
}

bool RemoteSource::action(const QString &action, const QJsonObject &args, SourceCallback done)
{
    if (m_link != Link::Connected || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    if (!allows(action)) {
        done(SourceResult{false, QStringLiteral("forbidden"),
                          isReadOnly() ? tr("This profile is read-only.")
                                       : tr("Your role (%1) may not do this; it needs %2.").arg(m_role, requiredRole(action)),
                          {}});
        return true;
    }
    if (!m_actionRoles.contains(action)) {
        if (const HttpAction *http = findHttpAction(action)) {
            httpAction(QLatin1String(http->path), args, std::move(done));
            return true;
        }
    }
    if (m_pending.size() >= kMaxPendingActions) {
        done(SourceResult{false, QStringLiteral("error"), tr("Too many actions waiting for the node."), {}});
        return true;
    }
    const qint64 id = m_nextActionId++;
    m_pending.insert(id, std::move(done));
    send({{QStringLiteral("type"), QStringLiteral("action")}, {QStringLiteral("id"), id},
          {QStringLiteral("action"), action}, {QStringLiteral("args"), args}});
    return true;
}

void RemoteSource::emitEvent(const EmitRequest &request, int ackWaitMs, std::function<void(const EmitResult &)> done,
                             std::function<void(const SourceAckWait &)> waited)
{
    QJsonObject body = emitJson(request);
    const bool wait = request.ack && ackWaitMs > 0 && waited;
    if (wait) {
        // The node holds its answer until every socket of the cluster acked or waitMs passed,
        // and returns the acks with it (the HTTP emit's "waitMs"; docs/console.md, "Emit").
        body.insert(QStringLiteral("waitMs"), qBound(1, ackWaitMs, kMaxAckWaitMs));
    } else {
        // Nobody would follow the acks: the clients are not asked for them.
        body.remove(QStringLiteral("ack"));
    }
    const QPointer<RemoteSource> self(this);
    const auto answered = [self, done, waited, wait, request, ackWaitMs](const SourceResult &r) {
        // A node whose --max-ack-wait-ms is below the wait asked for refuses it before sending
        // anything: send again without the wait (the acks then are not followed).
        if (wait && r.result == QLatin1String("invalid") && r.message.contains(QLatin1String("waitMs")) && self) {
            qCInfo(lcRemote).noquote() << "the node refused the ack wait:" << r.message;
            EmitRequest plain = request;
            plain.ack = false;
            self->emitEvent(plain, 0, done, {});
            SourceAckWait refused;
            refused.error = tr("The node does not wait %1 s for acks: %2").arg(ackWaitMs / 1000).arg(r.message);
            waited(refused);
            return;
        }
        EmitResult result;
        result.id = r.data.value(QLatin1String("id")).toString(request.id);
        result.delivered = r.data.value(QLatin1String("delivered")).toInt();
        if (!r.ok)
            result.error = r.message.isEmpty() ? r.result : r.message;
        done(result);
        if (!wait)
            return;
        SourceAckWait acks = r.ok ? SourceAckWait::fromJson(r.data) : SourceAckWait{};
        if (!r.ok)
            acks.error = result.error;
        waited(acks);
    };
    if (!action(QStringLiteral("emit"), body, answered)) {
        EmitResult result;
        result.id = request.id;
        result.error = tr("Not connected to the node.");
        done(result);
    }
}

ConnectionSnapshot RemoteSource::connectionFrom(const QJsonObject &row)
{
    ConnectionSnapshot s;
    s.id = quint64(num(row, "id"));
    s.userId = row.contains(QLatin1String("userId")) ? str(row, "userId") : str(row, "user");
    s.role = str(row, "role");
    s.address = row.contains(QLatin1String("address")) ? str(row, "address") : str(row, "ip");
    s.protocol = str(row, "protocol");
    s.transport = str(row, "transport");
    s.connectedAtMs = timeMs(row.value(QLatin1String("connectedAt")));
    s.lastActivityMs = timeMs(row.value(QLatin1String("lastActivity")));
    for (const QJsonValue &room : row.value(QLatin1String("rooms")).toArray())
        s.rooms.append(room.toString());
    s.messagesIn = quint64(num(row, row.contains(QLatin1String("messagesIn")) ? "messagesIn" : "msgsIn"));
    s.messagesOut = quint64(num(row, row.contains(QLatin1String("messagesOut")) ? "messagesOut" : "msgsOut"));
    s.bytesIn = quint64(num(row, "bytesIn"));
    s.bytesOut = quint64(num(row, "bytesOut"));
    s.pendingBytes = num(row, "pendingBytes");
    s.worker = int(num(row, "thread"));
    return s;
}

QueueStats RemoteSource::queueStatsFrom(const QJsonObject &row)
{
    QueueStats s;
    s.name = str(row, "name");
    s.ready = num(row, "ready");
    s.inFlight = num(row, "inFlight");
    s.delayed = num(row, "delayed");
    s.dead = num(row, "dead");
    s.consumers = int(num(row, "consumers"));
    s.enqueued = quint64(num(row, "enqueued"));
    s.acked = quint64(num(row, "acked"));
    s.nacked = quint64(num(row, "nacked"));
    s.deadLettered = quint64(num(row, "deadLettered"));
    const QJsonObject rates = row.value(QLatin1String("rates")).toObject();
    s.enqueuedPerSec = real(rates, "enqueuedPerSec");
    s.ackedPerSec = real(rates, "ackedPerSec");
    s.nackedPerSec = real(rates, "nackedPerSec");
    s.deadLetteredPerSec = real(rates, "deadLetteredPerSec");
    return s;
}

MetricsSample RemoteSource::sampleFrom(const QJsonObject &o)
{
    MetricsSample s;
    s.timestampMs = o.contains(QLatin1String("timestamp")) ? num(o, "timestamp") : num(o, "timestampMs");
    s.connections = num(o, "connections");
    s.users = num(o, "users");
    s.rooms = num(o, "rooms");
    s.messagesInPerSec = real(o, "messagesInPerSec");
    s.messagesOutPerSec = real(o, "messagesOutPerSec");
    s.bytesInPerSec = real(o, "bytesInPerSec");
    s.bytesOutPerSec = real(o, "bytesOutPerSec");
    s.errorsPerSec = real(o, "errorsPerSec");
    s.p50Ms = real(o, "p50Ms");
    s.p95Ms = real(o, "p95Ms");
    s.p99Ms = real(o, "p99Ms");
    s.queueDepth = num(o, "queueDepth");
    return s;
}

EventLog::Entry RemoteSource::eventFrom(const QJsonObject &o)
{
    EventLog::Entry e;
    e.seq = quint64(num(o, "seq"));
    e.timestampMs = num(o, "timestamp");
    const QString direction = str(o, "direction");
    e.direction = direction == QLatin1String("in") ? EventLog::Direction::In
        : direction == QLatin1String("out")       ? EventLog::Direction::Out
                                                  : EventLog::Direction::System;
    e.name = str(o, "name");
    e.room = str(o, "room");
    e.userId = str(o, "userId");
    e.connectionId = quint64(num(o, "connectionId"));
    e.detail = str(o, "detail");
    return e;
}

QueueMessage RemoteSource::deadLetterFrom(const QJsonObject &o)
{
    QueueMessage m;
    m.id = num(o, "id");
    m.queue = str(o, "queue");
    m.payload = storedPayload(o.value(QLatin1String("payload")));
    parsePriority(str(o, "priority"), &m.priority);
    m.attempts = int(num(o, "attempts"));
    m.maxAttempts = int(num(o, "maxAttempts"));
    m.createdAtMs = timeMs(o.value(QLatin1String("createdAt")));
    m.deadAtMs = timeMs(o.value(QLatin1String("deadAt")));
    m.lastError = str(o, "lastError");
    return m;
}

} // namespace Switchboard
