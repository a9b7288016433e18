#include "adminchannel.h"

#include <map>

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include "admin/adminactions.h"
#include "admin/adminauth.h"
#include "admin/adminroles.h"
#include "admin/adminstreams.h"
#include "admin/adminsummary.h"
#include "admin/auditlog.h"
#include "protocol/ratelimiter.h"
#include "protocol/strictjson.h"
#include "server.h"
#include "transport/ioworker.h"
#include "transport/wsstream.h"

Q_LOGGING_CATEGORY(lcAdmin, "switchboard.admin")

namespace Switchboard {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject errorMessage(const QString &code, const QString &message)
{
    return {{QStringLiteral("type"), QStringLiteral("error")},
            {QStringLiteral("v"), 1},
            {QStringLiteral("code"), code},
            {QStringLiteral("message"), message}};
}

} // namespace

/// One channel as both threads know it.
struct AdminChannels::Link
{
    quint64 id = 0;
    IoWorker *worker = nullptr;
    QHostAddress client;
    QString peer;
    QByteArray authorization;        // of the upgrade request, if any
    qint64 maxQueued = 0;
    // I/O thread only.
    WsStream *stream = nullptr;
    RateLimiter frames;
    qint64 lastRateErrorMs = 0;
    bool pingOutstanding = false;
    // Any thread.
    std::atomic<qint64> queued{0};   // bytes handed to the I/O thread and not yet to the socket
    std::atomic<bool> closing{false};
    std::atomic<quint64> bytesSent{0};
};

/**
 * @brief The channels' state on their own thread: who each one is, what it subscribed to,
 * and the tick that sends summaries and stream updates.
 */
class AdminChannels::Hub final : public QObject
{
public:
    Hub(AdminChannels &owner, Server &server) : m_owner(owner), m_server(server) {}

    void begin()
    {
        m_timer = new QTimer(this);
        m_timer->setInterval(kTickMs);
        connect(m_timer, &QTimer::timeout, this, &Hub::tick);
        m_timer->start();
    }

    void end()
    {
        if (m_timer)
            m_timer->stop();
        m_sessions.clear();
    }

    void opened(const std::shared_ptr<Link> &link)
    {
        Session session;
        session.link = link;
        session.helloDeadlineMs = Server::monotonicMs() + kHelloTimeoutMs;
        m_sessions.emplace(link->id, std::move(session));
    }

    void closed(quint64 id) { m_sessions.erase(id); }

    void received(quint64 id, const QByteArray &utf8)
    {
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end())
            return;
        Session &session = it->second;
        QString why;
        const QJsonDocument doc = Json::parse(utf8, &why);
        if (!why.isEmpty() || !doc.isObject()) {
            send(session, errorMessage(QStringLiteral("invalid"), why.isEmpty() ? QStringLiteral("a message must be a JSON object") : why));
            return;
        }
        const QJsonObject message = doc.object();
        const QString type = message.value(QLatin1String("type")).toString();
        if (message.value(QLatin1String("v")).toInt(-1) != 1 || !message.value(QLatin1String("v")).isDouble()) {
            send(session, errorMessage(QStringLiteral("unsupported_version"), QStringLiteral("this server speaks admin channel protocol v1 (\"v\": 1)")));
            close(session, 4400, QStringLiteral("unsupported version"));
            return;
        }
        if (!session.authenticated) {
            if (type != QLatin1String("hello")) {
                send(session, errorMessage(QStringLiteral("unauthenticated"), QStringLiteral("the first message must be {\"type\":\"hello\",\"v\":1,\"token\":...}")));
                close(session, 4001, QStringLiteral("hello expected"));
                return;
            }
            hello(session, message);
            return;
        }
        if (type == QLatin1String("subscribe"))
            subscribe(session, message);
        else if (type == QLatin1String("unsubscribe"))
            session.streams.erase(message.value(QLatin1String("stream")).toString());
        else if (type == QLatin1String("action"))
            action(session, message);
        else if (type == QLatin1String("hello"))
            send(session, errorMessage(QStringLiteral("invalid"), QStringLiteral("already authenticated")));
        else
            send(session, errorMessage(QStringLiteral("invalid"), QStringLiteral("unknown message type \"%1\"").arg(type.left(64))));
    }

    /// @p ticket: non-zero for an emit whose acks were pushed ("acks" messages).
    void actionDone(quint64 id, const QJsonValue &requestId, const QString &name, AdminActions::Outcome outcome,
                    quint64 ticket)
    {
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end())
            return;
        if (ticket != 0) {
            // The acks that came since the last tick go ahead of the result, which then does
            // not list them again (a console counts what was pushed).
            flushAcks(it->second, ticket);
            --it->second.watching;
            if (outcome.ok && outcome.data.contains(QLatin1String("acks"))) {
                outcome.data.remove(QStringLiteral("acks"));
                outcome.data.insert(QStringLiteral("acksPushed"), true);
            }
        }
        QJsonObject result{{QStringLiteral("type"), QStringLiteral("result")},
                           {QStringLiteral("v"), 1},
                           {QStringLiteral("id"), requestId},
                           {QStringLiteral("action"), name},
                           {QStringLiteral("ok"), outcome.ok},
                           {QStringLiteral("result"), outcome.result},
                           {QStringLiteral("message"), outcome.message},
                           {QStringLiteral("data"), outcome.data}};
        send(it->second, result);
    }

    /// An ack of the channel emit @p emitId (its action's @p ticket), pushed with the next tick.
    void ackArrived(quint64 id, quint64 ticket, const QJsonValue &requestId, const QString &emitId, const QJsonObject &ack)
    {
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end())
            return;
        PendingAcks &pending = it->second.acks[ticket];
        pending.requestId = requestId;
        pending.emitId = emitId;
        pending.acks.append(ack);
    }

private:
    /// Acks of one watched emit not pushed yet (bounded by the wait's --max-ack-bytes).
    struct PendingAcks
    {
        QJsonValue requestId;
        QString emitId;
        QJsonArray acks;
    };

    struct Session
    {
        std::shared_ptr<Link> link;
        qint64 helloDeadlineMs = 0;
        bool authenticated = false;
        AdminCaller caller;
        QByteArray authorization;
        std::map<QString, std::unique_ptr<AdminStream>> streams;
        std::map<quint64, PendingAcks> acks; // by the emit action's ticket
        int watching = 0;                    // emits whose acks are followed
    };

    /// At most this many emits of one channel have their acks pushed at once; beyond, the
    /// acks come only with the result.
    static constexpr int kMaxWatchedEmits = 8;

    void flushAcks(Session &session, quint64 ticket)
    {
        const auto it = session.acks.find(ticket);
        if (it == session.acks.end())
            return;
        const PendingAcks pending = std::move(it->second);
        session.acks.erase(it);
        send(session, {{QStringLiteral("type"), QStringLiteral("acks")},
                       {QStringLiteral("v"), 1},
                       {QStringLiteral("id"), pending.requestId},
                       {QStringLiteral("emitId"), pending.emitId},
                       {QStringLiteral("acks"), pending.acks}});
    }

    void audit(const Session &session, const AdminCaller &who, const QString &result, const QString &detail)
    {
        AuditRecord record;
        record.timeMs = QDateTime::currentMSecsSinceEpoch();
        record.who = who;
        record.action = QStringLiteral("admin_channel");
        record.target = m_server.nodeName();
        record.result = result;
        record.detail = detail;
        record.remote = session.link->client.toString();
        m_server.auditLog().record(std::move(record));
    }

    void hello(Session &session, const QJsonObject &message)
    {
        const QJsonValue token = message.value(QLatin1String("token"));
        QByteArray authorization;
        if (token.isString() && !token.toString().isEmpty())
            authorization = "Bearer " + token.toString().toUtf8();
        else
            authorization = session.link->authorization;
        const AdminAuth::Result auth = m_server.adminAuth().authenticate({}, authorization);
        if (!auth.ok()) {
            audit(session, auth.caller, QStringLiteral("unauthenticated"), auth.reason + QStringLiteral(": ") + auth.message);
            QJsonObject error = errorMessage(QStringLiteral("unauthenticated"), auth.message);
            error.insert(QStringLiteral("reason"), auth.reason);
            send(session, error);
            close(session, 4001, auth.reason.left(100));
            return;
        }
        session.authenticated = true;
        session.caller = auth.caller;
        session.authorization = authorization;
        audit(session, auth.caller, QStringLiteral("ok"), QStringLiteral("opened"));
        qCInfo(lcAdmin).noquote() << "admin channel from" << session.link->peer << "as" << auth.caller.name
                                  << adminRoleName(auth.caller.role);
        send(session, {{QStringLiteral("type"), QStringLiteral("welcome")},
                       {QStringLiteral("v"), 1},
                       {QStringLiteral("role"), adminRoleName(auth.caller.role)},
                       {QStringLiteral("name"), auth.caller.name},
                       {QStringLiteral("node"), AdminSummary::nodeJson(m_server)},
                       {QStringLiteral("server"), AdminSummary::serverJson(m_server)},
                       {QStringLiteral("actions"), AdminActions::rolesJson()},
                       {QStringLiteral("streams"), QJsonArray::fromStringList(AdminStream::names())},
                       {QStringLiteral("features"), QJsonArray{QStringLiteral("acks")}},
                       {QStringLiteral("limits"), QJsonObject{{QStringLiteral("maxFrameBytes"), kMaxFrameBytes},
                                                              {QStringLiteral("framesPerSecond"), kFramesPerSecond},
                                                              {QStringLiteral("maxPendingBytes"), session.link->maxQueued}}}});
        send(session, AdminSummary::summaryJson(m_server));
    }

    void subscribe(Session &session, const QJsonObject &message)
    {
        const QString name = message.value(QLatin1String("stream")).toString();
        const QJsonValue query = message.value(QLatin1String("query"));
        auto refuse = [&](const QString &code, const QString &why) {
            QJsonObject error = errorMessage(code, why);
            error.insert(QStringLiteral("stream"), name.left(64));
            send(session, error);
        };
        if (!query.isUndefined() && !query.isNull() && !query.isObject())
            return refuse(QStringLiteral("invalid"), QStringLiteral("\"query\" must be an object"));
        if (!AdminStream::names().contains(name))
            return refuse(QStringLiteral("invalid"), QStringLiteral("no stream \"%1\"; streams: %2").arg(name.left(64), AdminStream::names().join(QStringLiteral(", "))));
        if (!AdminRoles::allows(session.caller.role, AdminRoles::action(AdminStream::tableAction(name))))
            return refuse(QStringLiteral("forbidden"), QStringLiteral("the %1 role may not read %2").arg(adminRoleName(session.caller.role), name));
        std::unique_ptr<AdminStream> &stream = session.streams[name];
        std::unique_ptr<AdminStream> fresh = AdminStream::make(name, m_server);
        const QString why = fresh->setQuery(query.toObject());
        if (!why.isEmpty()) {
            if (!stream)
                session.streams.erase(name);
            return refuse(QStringLiteral("invalid"), why);
        }
        // A new query starts over: a snapshot, then diffs against it.
        stream = std::move(fresh);
        stream->tick(Server::monotonicMs(), true, [this, &session](const QJsonObject &m) { send(session, m); });
    }

    void action(Session &session, const QJsonObject &message)
    {
        // Echoed in the result: a number, or a short string.
        QJsonValue requestId = message.value(QLatin1String("id"));
        if (requestId.isString())
            requestId = requestId.toString().left(64);
        else if (!requestId.isDouble())
            requestId = QJsonValue::Null;
        const QString name = message.value(QLatin1String("action")).toString().left(64);
        const QJsonValue args = message.value(QLatin1String("args"));
        if (!args.isUndefined() && !args.isNull() && !args.isObject()) {
            AdminActions::Outcome outcome{false, QStringLiteral("invalid"), QStringLiteral("\"args\" must be an object"), {}};
            return actionDone(session.link->id, requestId, name, outcome, 0);
        }
        AdminChannels *owner = &m_owner;
        const quint64 id = session.link->id;
        // An emit that waits for its acks: they are pushed as they come ("acks"), not only
        // with the result (docs/admin-channel.md, "Actions"). The progress belongs to this
        // action's wait alone: the route hands it to the wait it opens, once it accepted the
        // emit (role, body, a free and unique id), so no other emit's acks can reach it.
        quint64 ticket = 0;
        std::function<void(const QString &, const QJsonObject &)> progress;
        if (name == QLatin1String("emit") && session.watching < kMaxWatchedEmits) {
            ticket = m_nextTicket++;
            ++session.watching;
            progress = [owner, id, ticket, requestId](const QString &emitId, const QJsonObject &ack) {
                owner->toHub([id, ticket, requestId, emitId, ack](Hub &hub) { hub.ackArrived(id, ticket, requestId, emitId, ack); });
            };
        }
        AdminActions::run(m_server, name, args.toObject(), session.authorization, session.link->client,
                          [owner, id, requestId, name, ticket](const AdminActions::Outcome &outcome) {
            // Answers may come from the queue thread or the store's: back to the hub.
            owner->toHub([id, requestId, name, outcome, ticket](Hub &hub) { hub.actionDone(id, requestId, name, outcome, ticket); });
        }, std::move(progress));
    }

    void tick()
    {
        const qint64 now = Server::monotonicMs();
        const bool summaryDue = now - m_lastSummaryMs >= 1000 - kTickMs / 2;
        QByteArray summary;
        if (summaryDue) {
            m_lastSummaryMs = now;
            summary = compact(AdminSummary::summaryJson(m_server));
        }
        std::vector<quint64> ids;
        for (const auto &entry : m_sessions)
            ids.push_back(entry.first);
        for (quint64 id : ids) {
            const auto it = m_sessions.find(id);
            if (it == m_sessions.end())
                continue;
            Session &session = it->second;
            if (session.link->closing.load(std::memory_order_relaxed))
                continue;
            if (!session.authenticated) {
                if (now > session.helloDeadlineMs) {
                    send(session, errorMessage(QStringLiteral("unauthenticated"), QStringLiteral("no hello within %1 ms").arg(kHelloTimeoutMs)));
                    close(session, 4001, QStringLiteral("hello timeout"));
                }
                continue;
            }
            if (summaryDue) {
                // A token revoked or expired meanwhile ends the channel.
                const AdminAuth::Result auth = m_server.adminAuth().authenticate({}, session.authorization);
                if (!auth.ok()) {
                    audit(session, session.caller, QStringLiteral("unauthenticated"), auth.reason + QStringLiteral(": channel closed"));
                    QJsonObject error = errorMessage(QStringLiteral("unauthenticated"), auth.message);
                    error.insert(QStringLiteral("reason"), auth.reason);
                    send(session, error);
                    close(session, 4001, auth.reason.left(100));
                    continue;
                }
                sendText(session, summary);
            }
            while (!session.acks.empty() && !session.link->closing.load(std::memory_order_relaxed))
                flushAcks(session, session.acks.begin()->first);
            for (auto &[name, stream] : session.streams) {
                stream->tick(now, false, [this, &session](const QJsonObject &m) { send(session, m); });
                if (session.link->closing.load(std::memory_order_relaxed))
                    break;
            }
        }
    }

    void send(Session &session, const QJsonObject &message) { sendText(session, compact(message)); }

    void sendText(Session &session, const QByteArray &text)
    {
        const std::shared_ptr<Link> &link = session.link;
        if (link->closing.load(std::memory_order_relaxed))
            return;
        const qint64 size = text.size();
        if (link->queued.load(std::memory_order_relaxed) + size > link->maxQueued && link->queued.load(std::memory_order_relaxed) > 0) {
            // The socket's thread has not even taken what was handed to it: the console is
            // not reading (its socket's own budget catches the rest).
            m_server.metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
            qCInfo(lcAdmin).noquote() << "closing the admin channel from" << link->peer << ": it does not read what it is sent";
            close(session, 1008, QStringLiteral("slow consumer"));
            return;
        }
        link->queued.fetch_add(size, std::memory_order_relaxed);
        link->worker->post([link, text, size] {
            link->queued.fetch_sub(size, std::memory_order_relaxed);
            if (link->stream && link->stream->isOpen() && link->stream->sendText(text))
                link->bytesSent.fetch_add(quint64(size), std::memory_order_relaxed);
        });
    }

    void close(Session &session, int code, const QString &reason)
    {
        const std::shared_ptr<Link> link = session.link;
        // The session (and its streams, which may be calling in here) goes when the socket
        // reports it closed; until then it is skipped.
        if (link->closing.exchange(true))
            return;
        link->worker->post([link, code, reason] {
            if (link->stream)
                link->stream->closeAndDispose(code, reason);
        });
    }

    AdminChannels &m_owner;
    Server &m_server;
    QTimer *m_timer = nullptr;
    qint64 m_lastSummaryMs = 0;
    std::map<quint64, Session> m_sessions;
    quint64 m_nextTicket = 1;
};

AdminChannels::AdminChannels(Server &server)
    : m_server(server)
{
}

AdminChannels::~AdminChannels()
{
    stop(1001, QStringLiteral("server shutting down"));
}

bool AdminChannels::toHub(std::function<void(Hub &)> task)
{
    QMutexLocker lock(&m_lock);
    if (!m_hub)
        return false;
    Hub *hub = m_hub;
    QMetaObject::invokeMethod(hub, [hub, task = std::move(task)] { task(*hub); }, Qt::QueuedConnection);
    return true;
}

void AdminChannels::start()
{
    QMutexLocker lock(&m_lock);
    if (m_hub)
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("admin channels"));
    m_hub = new Hub(*this, m_server);
    m_hub->moveToThread(m_thread.get());
    m_thread->start();
    Hub *hub = m_hub;
    QMetaObject::invokeMethod(hub, [hub] { hub->begin(); }, Qt::QueuedConnection);
}

void AdminChannels::stop(int code, const QString &reason)
{
    Hub *hub = nullptr;
    QHash<quint64, std::shared_ptr<Link>> links;
    {
        QMutexLocker lock(&m_lock);
        hub = std::exchange(m_hub, nullptr);
        links = m_links;
    }
    if (!hub)
        return;
    // Nothing posts to the hub any more; what it was sending is ahead of the closes below.
    QMetaObject::invokeMethod(hub, [hub] { hub->end(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete hub; // with the tasks posted to it and never run
    m_thread.reset();
    for (const std::shared_ptr<Link> &link : std::as_const(links)) {
        link->closing.store(true);
        IoWorker *worker = link->worker;
        worker->post([worker, link, code, reason] {
            if (link->stream)
                worker->dispose(std::exchange(link->stream, nullptr), code, reason);
        });
    }
}

void AdminChannels::forget(quint64 id)
{
    {
        QMutexLocker lock(&m_lock);
        m_links.remove(id);
    }
    m_open.fetch_sub(1, std::memory_order_relaxed);
    toHub([id](Hub &hub) { hub.closed(id); });
}

void AdminChannels::open(IoWorker &worker, const WsUpgrade &upgrade)
{
    const ServerConfig &config = m_server.config();
    // The worker's child: whatever is left of it when the worker's thread ends goes with it.
    auto *stream = new WsStream(upgrade.descriptor, &worker, upgrade.leftover);
    stream->setMaxMessageSize(kMaxFrameBytes);
    stream->setMaxBufferedBytes(config.maxPendingBytes);
    stream->setControlFrameLimit(config.controlFrameRate, 2 * config.controlFrameRate);
    if (m_open.fetch_add(1, std::memory_order_relaxed) >= config.maxAdminChannels) {
        m_open.fetch_sub(1, std::memory_order_relaxed);
        qCInfo(lcAdmin).noquote() << "refused an admin channel from" << upgrade.peer << "(--max-admin-channels" << config.maxAdminChannels << "open)";
        // Answered at its first frame (the hello), or when the hello would be late, with an
        // error message and close 1013: QtWebSockets 6.4 takes 1013 for an invalid close code
        // and reports 1002, so a Qt console learns why from the message. The stream holds
        // nothing meanwhile and is the worker's, so a shutdown takes it too.
        auto refused = std::make_shared<bool>(false);
        const int max = config.maxAdminChannels;
        const auto refuse = [&worker, stream, refused, max] {
            if (std::exchange(*refused, true))
                return;
            stream->sendText(compact(errorMessage(QStringLiteral("too_many_channels"),
                                                  QStringLiteral("%1 admin channels are open on this node (--max-admin-channels)").arg(max))));
            worker.dispose(stream, 1013, QStringLiteral("too many admin channels"));
        };
        // Queued: not from inside the stream's own parse.
        QObject::connect(stream, &WsStream::textReceived, stream, refuse, Qt::QueuedConnection);
        QObject::connect(stream, &WsStream::binaryReceived, stream, refuse, Qt::QueuedConnection);
        QObject::connect(stream, &WsStream::disconnected, stream, [stream, refused] {
            if (!std::exchange(*refused, true))
                stream->deleteLater();
        });
        QTimer::singleShot(kHelloTimeoutMs, stream, refuse);
        return;
    }
    auto link = std::make_shared<Link>();
    link->worker = &worker;
    link->client = upgrade.client;
    link->peer = upgrade.peer;
    link->authorization = upgrade.authorization;
    link->maxQueued = config.maxPendingBytes;
    link->stream = stream;
    link->frames = RateLimiter(kFramesPerSecond, 2 * kFramesPerSecond, Server::monotonicMs());
    {
        QMutexLocker lock(&m_lock);
        if (!m_hub) {
            lock.unlock();
            m_open.fetch_sub(1, std::memory_order_relaxed);
            worker.dispose(stream, 1001, QStringLiteral("server shutting down"));
            return;
        }
        link->id = m_nextId++;
        m_links.insert(link->id, link);
        Hub *hub = m_hub;
        QMetaObject::invokeMethod(hub, [hub, link] { hub->opened(link); }, Qt::QueuedConnection);
    }
    const quint64 id = link->id;
    QObject::connect(stream, &WsStream::textReceived, stream, [this, link, id](const QByteArray &utf8) {
        const qint64 now = Server::monotonicMs();
        if (!link->frames.tryAcquire(now)) {
            m_server.metrics().rateLimited.fetch_add(1, std::memory_order_relaxed);
            if (now - link->lastRateErrorMs >= 1000 && link->stream) {
                link->lastRateErrorMs = now;
                link->stream->sendText(compact(errorMessage(QStringLiteral("rate_limited"),
                                                            QStringLiteral("more than %1 frames per second; this one was dropped").arg(kFramesPerSecond))));
            }
            return;
        }
        toHub([id, utf8](Hub &hub) { hub.received(id, utf8); });
    });
    QObject::connect(stream, &WsStream::binaryReceived, stream, [link](const QByteArray &) {
        if (link->stream)
            link->stream->sendText(compact(errorMessage(QStringLiteral("invalid"), QStringLiteral("text frames only"))));
    });
    QObject::connect(stream, &WsStream::pong, stream, [link] { link->pingOutstanding = false; });
    QObject::connect(stream, &WsStream::overBudget, stream, [this, link](qint64 bytes) {
        m_server.metrics().slowConsumers.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAdmin).noquote() << "closed the admin channel from" << link->peer << "with 1008: it does not read what it is sent ("
                                  << bytes << "bytes would wait; --max-pending-bytes" << link->maxQueued << ")";
    });
    // A console that went away without closing (a cut network) is found by the heartbeat.
    auto *heartbeat = new QTimer(stream);
    heartbeat->setInterval(config.heartbeatIntervalMs);
    QObject::connect(heartbeat, &QTimer::timeout, stream, [link] {
        if (!link->stream)
            return;
        if (link->pingOutstanding) {
            link->stream->abort();
            return;
        }
        link->pingOutstanding = true;
        link->stream->ping();
    });
    heartbeat->start();
    QObject::connect(stream, &WsStream::disconnected, stream, [this, link, id, stream] {
        link->closing.store(true);
        link->stream = nullptr;
        forget(id);
        stream->deleteLater();
    });
}

} // namespace Switchboard
