#include "redislink.h"

#include <algorithm>
#include <deque>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/adapters/qt.h>

#include "core/logging.h"

namespace Switchboard {

// --- RedisUrl ------------------------------------------------------------------------------------

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    QString localError;
    if (!error)
        error = &localError;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("redis")) {
        *error = QStringLiteral("expected redis://[:password@]host:port[/db]");
        return std::nullopt;
    }
    if (!url.userName().isEmpty()) {
        *error = QStringLiteral("user names are not supported (redis://:password@host:port)");
        return std::nullopt;
    }
    if (url.host().isEmpty()) {
        *error = QStringLiteral("no host");
        return std::nullopt;
    }
    RedisUrl out;
    out.host = url.host();
    const int port = url.port(6379);
    if (port <= 0 || port > 65535) {
        *error = QStringLiteral("invalid port");
        return std::nullopt;
    }
    out.port = quint16(port);
    if (url.hasQuery() || url.hasFragment()) {
        *error = QStringLiteral("a query or fragment is not supported (redis://[:password@]host:port[/db])");
        return std::nullopt;
    }
    out.password = url.password(QUrl::FullyDecoded).toUtf8();
    const QString path = url.path();
    if (!path.isEmpty() && path != QLatin1String("/")) {
        const QString digits = path.mid(1);
        bool ok = !digits.isEmpty() && std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); });
        out.db = ok ? digits.toInt(&ok) : -1;
        if (!ok || out.db < 0 || out.db > 65535) {
            *error = QStringLiteral("invalid database number \"%1\"").arg(path.mid(1));
            return std::nullopt;
        }
    }
    return out;
}

QString RedisUrl::display() const
{
    const QString shownHost = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host; // IPv6
    return QStringLiteral("%1:%2/%3").arg(shownHost).arg(port).arg(db);
}

// --- the link ------------------------------------------------------------------------------------

namespace {

RedisReply toReply(const redisReply *r)
{
    RedisReply out;
    if (!r) {
        out.type = RedisReply::Type::Error;
        out.string = "connection lost";
        return out;
    }
    switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::String; out.string = QByteArray(r->str, int(r->len)); break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::Status; out.string = QByteArray(r->str, int(r->len)); break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::Error; out.string = QByteArray(r->str, int(r->len)); break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(toReply(r->element[i]));
        break;
    default: out.type = RedisReply::Type::Nil; break;
    }
    return out;
}

/// An error reply to the handshake, as lastError() puts it.
QString refusal(const QString &error)
{
    const bool auth = error.contains(QLatin1String("AUTH"), Qt::CaseInsensitive) || error.startsWith(QLatin1String("WRONGPASS"))
                      || error.startsWith(QLatin1String("NOAUTH")) || error.startsWith(QLatin1String("ERR invalid password"));
    return (auth ? QStringLiteral("auth failed: %1") : QStringLiteral("setup failed: %1")).arg(error);
}

RedisReply errorReply(const QByteArray &text)
{
    RedisReply r;
    r.type = RedisReply::Type::Error;
    r.string = text;
    return r;
}

RedisReply notConnected()
{
    return errorReply("not connected");
}

/// What a command costs while it waits: its arguments plus RESP framing.
qint64 commandBytes(const QList<QByteArray> &args)
{
    qint64 bytes = 16;
    for (const QByteArray &a : args)
        bytes += a.size() + 16;
    return bytes;
}

qint64 monotonicMs()
{
    static const QElapsedTimer clock = [] { QElapsedTimer t; t.start(); return t; }();
    return clock.elapsed();
}

} // namespace

struct RedisLink::Private
{
    /// One hiredis connection and its Qt adapter (both used on the link's thread only).
    struct Conn
    {
        Private *d = nullptr;
        bool subscriber = false;
        redisAsyncContext *ctx = nullptr;
        RedisQtAdapter *adapter = nullptr;
        bool linked = false;   // TCP connected, handshake sent
        int awaiting = 0;      // handshake replies to come: AUTH, then SELECT and PING or every
                               // SUBSCRIBE/PSUBSCRIBE confirmation
        bool ready = false;    // all of them came back without an error
        QString failure;       // the first refused AUTH/SELECT of this connection
        qint64 openedMs = 0;   // when open() started it: the handshake's deadline counts from here
        // Command connection: when each command not answered yet was handed to hiredis, in
        // order (Redis answers in order), handshake commands included.
        std::deque<qint64> sentMs;
    };

    /// A command handed to hiredis: its callback and what it counts in pendingBytes.
    struct Command
    {
        Private *d = nullptr;
        Done done;
        qint64 bytes = 0;
    };

    RedisLink *q = nullptr;
    RedisUrl url;
    Options options;
    std::atomic<qint64> pendingBytes{0};
    QTimer *watchdog = nullptr;
    qint64 lastPingMs = 0;
    QByteArray dropReason;    // while drop() frees the contexts: what their commands are told
    QThread thread;
    QObject *home = nullptr;  // lives on the thread: target of posts, parent of the timer
    QTimer *retry = nullptr;
    int backoffMs = 100;
    bool stopping = false;
    bool started = false;
    // Set by stop() before it queues the shutdown: commands queued behind it, and any issued
    // later, are answered at once instead of being formatted into hiredis' output buffer first.
    std::atomic<bool> stopRequested{false};
    // Held by command() from its stopRequested check until its task is posted, and by stop()
    // while it sets stopRequested: every command that passed the check is then queued before
    // the shutdown and answered by it or before it, never left behind in a finished thread.
    QMutex postLock;
    Conn cmd;
    Conn sub;
    QList<QByteArray> channels;
    QList<QByteArray> patterns;
    MessageHandler handler;
    mutable QMutex errorLock;
    QString lastError;

    void setError(const QString &e)
    {
        QMutexLocker lock(&errorLock);
        lastError = e;
    }

    template <typename F>
    void post(F &&f) { QMetaObject::invokeMethod(home, std::forward<F>(f), Qt::QueuedConnection); }

    void open(Conn &conn);
    void connected(Conn &conn);
    void confirmed(Conn &conn);
    void closed(Conn &conn, const QString &why);
    void detach(Conn &conn);
    void updateState();
    void scheduleRetry();
    void sendSubscriptions(Conn &conn, const QList<QByteArray> &list, const char *verb);
    void shutdown();
    void checkDeadlines();
    void drop(const QString &why);
    void sendSetup(Conn &conn, int argc, const char **argv, const size_t *len);

    static void onConnect(const redisAsyncContext *ac, int status);
    static void onDisconnect(const redisAsyncContext *ac, int status);
    static void onReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onSetupReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onPing(redisAsyncContext *ac, void *reply, void *privdata);
    static void onMessage(redisAsyncContext *ac, void *reply, void *privdata);
};

void RedisLink::Private::open(Conn &conn)
{
    redisAsyncContext *ctx = redisAsyncConnect(url.host.toUtf8().constData(), url.port);
    if (!ctx)
        return scheduleRetry();
    if (ctx->err) {
        setError(QString::fromUtf8(ctx->errstr));
        redisAsyncFree(ctx); // no adapter attached yet
        return scheduleRetry();
    }
    ctx->data = &conn;
    conn.ctx = ctx;
    conn.failure.clear();
    conn.openedMs = monotonicMs();
    conn.sentMs.clear();
    conn.adapter = new RedisQtAdapter;
    conn.adapter->setContext(ctx);
    redisAsyncSetConnectCallback(ctx, &Private::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &Private::onDisconnect);
}

void RedisLink::Private::detach(Conn &conn)
{
    // hiredis 0.14 calls the adapter's cleanup when it frees a context, and the adapter's
    // destructor writes into the context: the adapter goes while the context is still alive,
    // with its notifiers, and hiredis is told there is nothing left to clean up.
    if (conn.ctx) {
        if (conn.ctx->ev.cleanup)
            conn.ctx->ev.cleanup(conn.ctx->ev.data);
        conn.ctx->ev.cleanup = nullptr;
        conn.ctx->ev.addRead = conn.ctx->ev.delRead = conn.ctx->ev.addWrite = conn.ctx->ev.delWrite = nullptr;
        conn.ctx->data = nullptr;
    }
    delete conn.adapter;
    conn.adapter = nullptr;
    conn.ctx = nullptr;
    conn.linked = false;
    conn.awaiting = 0;
    conn.ready = false;
    conn.sentMs.clear();
}

void RedisLink::Private::onConnect(const redisAsyncContext *ac, int status)
{
    auto *conn = static_cast<Conn *>(ac->data);
    if (!conn)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context right after this callback, without a disconnect callback.
        conn->d->detach(*conn);
        conn->d->closed(*conn, QString::fromUtf8(ac->errstr));
        return;
    }
    // A peer that vanishes without a FIN or RST (a partition, a dead host) is noticed by the
    // kernel: keepalive probes on an idle connection, and TCP_USER_TIMEOUT for data (or
    // probes) not acknowledged in time. A Redis that is up but does not answer is the
    // watchdog's (checkDeadlines).
    redisEnableKeepAlive(&conn->ctx->c);
    const unsigned int userTimeout = unsigned(qMax(conn->d->options.timeoutMs, 1000));
    ::setsockopt(conn->ctx->c.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &userTimeout, sizeof userTimeout);
    conn->d->connected(*conn);
}

void RedisLink::Private::onDisconnect(const redisAsyncContext *ac, int status)
{
    auto *conn = static_cast<Conn *>(ac->data);
    if (!conn)
        return; // detached on purpose
    // REDIS_ERR_OTHER once connected: an error reply no callback waited for, i.e. Redis
    // refused a SUBSCRIBE (NOAUTH without a password, NOPERM) and hiredis closed the connection.
    const QString why = status == REDIS_OK            ? QStringLiteral("disconnected")
                        : ac->err == REDIS_ERR_OTHER ? refusal(QString::fromUtf8(ac->errstr))
                                                     : QString::fromUtf8(ac->errstr);
    // The context is freed after this returns; its event hooks were already cleaned up.
    conn->d->detach(*conn);
    conn->d->closed(*conn, why);
}

void RedisLink::Private::connected(Conn &conn)
{
    // AUTH (and SELECT) first. The command connection counts once they and a PING behind
    // them are answered; the subscriber once AUTH is and Redis confirmed every subscription,
    // so that a message published after isConnected() turned true reaches this node. A
    // refused AUTH or SELECT closes the connection and is what lastError() says.
    conn.linked = true;
    conn.awaiting = 0;
    if (!url.password.isEmpty()) {
        const char *argv[] = {"AUTH", url.password.constData()};
        const size_t len[] = {4, size_t(url.password.size())};
        sendSetup(conn, 2, argv, len);
    }
    if (conn.subscriber) {
        conn.awaiting += int(channels.size() + patterns.size());
        sendSubscriptions(conn, channels, "SUBSCRIBE");
        sendSubscriptions(conn, patterns, "PSUBSCRIBE");
        if (conn.awaiting == 0) {
            conn.ready = true;
            updateState();
        }
        return;
    }
    if (url.db != 0) {
        const QByteArray db = QByteArray::number(url.db);
        const char *argv[] = {"SELECT", db.constData()};
        const size_t len[] = {6, size_t(db.size())};
        sendSetup(conn, 2, argv, len);
    }
    const char *argv[] = {"PING"};
    const size_t len[] = {4};
    sendSetup(conn, 1, argv, len);
}

void RedisLink::Private::sendSetup(Conn &conn, int argc, const char **argv, const size_t *len)
{
    if (redisAsyncCommandArgv(conn.ctx, &Private::onSetupReply, nullptr, argc, argv, len) != REDIS_OK)
        return;
    ++conn.awaiting;
    if (!conn.subscriber)
        conn.sentMs.push_back(monotonicMs());
}

void RedisLink::Private::onSetupReply(redisAsyncContext *ac, void *reply, void *)
{
    auto *conn = static_cast<Conn *>(ac->data);
    if (!conn || !reply)
        return;
    if (!conn->subscriber && !conn->sentMs.empty())
        conn->sentMs.pop_front();
    const auto *r = static_cast<redisReply *>(reply);
    if (r->type != REDIS_REPLY_ERROR) {
        conn->d->confirmed(*conn);
        return;
    }
    if (!conn->failure.isEmpty())
        return; // the NOAUTH of a PING behind a refused AUTH says less than the AUTH's own error
    conn->failure = refusal(QString::fromUtf8(r->str, int(r->len)));
    conn->d->setError(conn->failure);
    conn->ready = false;
    redisAsyncDisconnect(ac);
}

void RedisLink::Private::sendSubscriptions(Conn &conn, const QList<QByteArray> &list, const char *verb)
{
    for (const QByteArray &name : list) {
        const char *argv[] = {verb, name.constData()};
        const size_t len[] = {strlen(verb), size_t(name.size())};
        redisAsyncCommandArgv(conn.ctx, &Private::onMessage, nullptr, 2, argv, len);
    }
}

void RedisLink::Private::onMessage(redisAsyncContext *ac, void *reply, void *)
{
    auto *conn = static_cast<Conn *>(ac->data);
    const auto *r = static_cast<redisReply *>(reply);
    if (!conn || !r || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return;
    const redisReply *kind = r->element[0];
    if (kind->type != REDIS_REPLY_STRING)
        return;
    const QByteArray k(kind->str, int(kind->len));
    Private *d = conn->d;
    if (k == "subscribe" || k == "psubscribe") { // hiredis hands confirmations to this callback too
        d->confirmed(*conn);
        return;
    }
    if (!d->handler)
        return;
    if (k == "message" && r->elements >= 3)
        d->handler(QByteArray(r->element[1]->str, int(r->element[1]->len)), QByteArray(r->element[2]->str, int(r->element[2]->len)));
    else if (k == "pmessage" && r->elements >= 4)
        d->handler(QByteArray(r->element[2]->str, int(r->element[2]->len)), QByteArray(r->element[3]->str, int(r->element[3]->len)));
}

void RedisLink::Private::confirmed(Conn &conn)
{
    if (conn.ready || !conn.failure.isEmpty() || conn.awaiting <= 0 || --conn.awaiting > 0)
        return; // up already (a live subscribe), or more to come
    conn.ready = true;
    updateState();
}

void RedisLink::Private::onReply(redisAsyncContext *ac, void *reply, void *privdata)
{
    std::unique_ptr<Command> command(static_cast<Command *>(privdata));
    auto *conn = static_cast<Conn *>(ac->data); // null once detached (drop(), shutdown())
    if (conn && reply && !conn->sentMs.empty())
        conn->sentMs.pop_front();
    if (!command)
        return;
    command->d->pendingBytes.fetch_sub(command->bytes, std::memory_order_relaxed);
    if (!command->done)
        return;
    if (!reply && !command->d->dropReason.isEmpty())
        command->done(errorReply(command->d->dropReason));
    else
        command->done(toReply(static_cast<redisReply *>(reply)));
}

void RedisLink::Private::onPing(redisAsyncContext *ac, void *reply, void *)
{
    auto *conn = static_cast<Conn *>(ac->data);
    if (conn && reply && !conn->sentMs.empty())
        conn->sentMs.pop_front();
}

void RedisLink::Private::checkDeadlines()
{
    if (stopping)
        return;
    const qint64 now = monotonicMs();
    const int timeout = options.timeoutMs;
    for (Conn *conn : {&cmd, &sub}) {
        if (conn->ctx && !conn->ready && conn->failure.isEmpty() && now - conn->openedMs > timeout) {
            return drop(conn->linked ? QStringLiteral("Redis did not answer the handshake within %1 ms").arg(timeout)
                                     : QStringLiteral("could not connect to Redis within %1 ms").arg(timeout));
        }
    }
    if (!cmd.ctx || !cmd.ready)
        return;
    if (!cmd.sentMs.empty() && now - cmd.sentMs.front() > timeout)
        return drop(QStringLiteral("no answer from Redis within %1 ms").arg(timeout));
    // An idle command connection is asked, so that a Redis that stopped is noticed before
    // the next emit has to wait for it.
    if (cmd.sentMs.empty() && now - lastPingMs >= timeout / 3) {
        const char *argv[] = {"PING"};
        const size_t len[] = {4};
        if (redisAsyncCommandArgv(cmd.ctx, &Private::onPing, nullptr, 1, argv, len) == REDIS_OK) {
            cmd.sentMs.push_back(now);
            lastPingMs = now;
        }
    }
}

void RedisLink::Private::drop(const QString &why)
{
    // Both connections go: the commands in flight are answered with @p why (hiredis calls
    // their callbacks with no reply while it frees the context), and the link reconnects.
    // hiredis' own redisAsyncDisconnect() would wait for the replies that are not coming.
    dropReason = why.toUtf8();
    for (Conn *conn : {&cmd, &sub}) {
        redisAsyncContext *ctx = conn->ctx;
        if (!ctx)
            continue;
        detach(*conn);
        redisAsyncFree(ctx);
    }
    dropReason.clear();
    closed(cmd, why);
}

void RedisLink::Private::closed(Conn &conn, const QString &why)
{
    // A refused AUTH or SELECT says more than the disconnection it caused; any later failure
    // (a refused connect on the retry) replaces it.
    setError(conn.failure.isEmpty() ? why : conn.failure);
    updateState();
    if (!stopping)
        scheduleRetry();
}

void RedisLink::Private::updateState()
{
    q->m_subscribed.store(sub.ready, std::memory_order_release);
    const bool up = cmd.ready && sub.ready;
    if (q->m_connected.exchange(up, std::memory_order_acq_rel) == up)
        return;
    if (up) {
        backoffMs = 100;
        setError({});
    }
    Q_EMIT q->connectedChanged(up);
}

void RedisLink::Private::scheduleRetry()
{
    if (stopping || retry->isActive())
        return;
    // Full jitter over half the backoff, so nodes that lost Redis together do not return together.
    const int delay = backoffMs / 2 + int(QRandomGenerator::global()->bounded(backoffMs / 2 + 1));
    backoffMs = qMin(backoffMs * 2, 5000);
    retry->start(delay);
}

void RedisLink::Private::shutdown()
{
    stopping = true;
    retry->stop();
    watchdog->stop();
    for (Conn *conn : {&cmd, &sub}) {
        redisAsyncContext *ctx = conn->ctx;
        if (!ctx)
            continue;
        detach(*conn);
        redisAsyncFree(ctx); // pending callbacks get a null reply: "connection lost"
    }
    updateState();
}

RedisLink::RedisLink(RedisUrl url, Options options, QObject *parent)
    : QObject(parent), d(new Private)
{
    d->q = this;
    d->url = std::move(url);
    d->options = options;
    d->options.timeoutMs = qMax(d->options.timeoutMs, 100);
    d->cmd.d = d->sub.d = d;
    d->sub.subscriber = true;
    d->home = new QObject;
    d->retry = new QTimer(d->home);
    d->retry->setSingleShot(true);
    connect(d->retry, &QTimer::timeout, d->home, [this] {
        if (!d->cmd.ctx)
            d->open(d->cmd);
        if (!d->sub.ctx)
            d->open(d->sub);
    });
    d->watchdog = new QTimer(d->home);
    d->watchdog->setInterval(qBound(50, d->options.timeoutMs / 10, 500));
    connect(d->watchdog, &QTimer::timeout, d->home, [this] { d->checkDeadlines(); });
    d->thread.setObjectName(QStringLiteral("switchboard-redis"));
    d->home->moveToThread(&d->thread);
}

RedisLink::RedisLink(RedisUrl url, QObject *parent)
    : RedisLink(std::move(url), Options{}, parent)
{
}

RedisLink::~RedisLink()
{
    stop();
    delete d->home;
    delete d;
}

void RedisLink::setMessageHandler(MessageHandler handler)
{
    d->handler = std::move(handler);
}

void RedisLink::start()
{
    if (d->started)
        return;
    d->started = true;
    d->thread.start();
    d->post([this] {
        d->watchdog->start();
        d->open(d->cmd);
        d->open(d->sub);
    });
}

void RedisLink::stop()
{
    if (!d->started || !d->thread.isRunning())
        return;
    Q_ASSERT(QThread::currentThread() != &d->thread);
    {
        QMutexLocker postLock(&d->postLock);
        d->stopRequested.store(true, std::memory_order_release);
    }
    QMetaObject::invokeMethod(d->home, [this] { d->shutdown(); }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
}

void RedisLink::later(int delayMs, std::function<void()> fn)
{
    if (!d->started || d->stopRequested.load(std::memory_order_acquire))
        return;
    d->post([this, delayMs, fn = std::move(fn)] {
        if (d->stopping)
            return;
        // A child of home, not QTimer::singleShot: one still pending when the link stops is
        // deleted with home instead of left behind on the finished thread.
        auto *timer = new QTimer(d->home);
        timer->setSingleShot(true);
        QObject::connect(timer, &QTimer::timeout, d->home, [this, timer, fn] {
            timer->deleteLater();
            if (!d->stopping)
                fn();
        });
        timer->start(delayMs);
    });
}

QString RedisLink::lastError() const
{
    QMutexLocker lock(&d->errorLock);
    return d->lastError.isEmpty() && !isConnected() ? QStringLiteral("connecting") : d->lastError;
}

qint64 RedisLink::pendingBytes() const
{
    return d->pendingBytes.load(std::memory_order_relaxed);
}

void RedisLink::evalScript(const QByteArray &sha1, const QByteArray &source, QList<QByteArray> keysAndArgs, Done done)
{
    QList<QByteArray> command;
    command.reserve(keysAndArgs.size() + 2);
    command << "EVALSHA" << sha1;
    command += keysAndArgs;
    this->command(std::move(command), [this, source, keysAndArgs = std::move(keysAndArgs), done = std::move(done)](const RedisReply &reply) mutable {
        if (!(reply.isError() && reply.string.startsWith("NOSCRIPT"))) {
            if (done)
                done(reply);
            return;
        }
        QList<QByteArray> again;
        again.reserve(keysAndArgs.size() + 2);
        again << "EVAL" << source;
        again += keysAndArgs;
        this->command(std::move(again), std::move(done));
    });
}

void RedisLink::command(QList<QByteArray> args, Done done)
{
    QMutexLocker postLock(&d->postLock);
    if (!d->thread.isRunning() || d->stopRequested.load(std::memory_order_acquire)) {
        postLock.unlock();
        if (done)
            done(notConnected());
        return;
    }
    // Counted from here (queued for the link's thread) until the reply or the refusal.
    const qint64 bytes = commandBytes(args);
    const qint64 before = d->pendingBytes.fetch_add(bytes, std::memory_order_relaxed);
    if (before + bytes > d->options.maxPendingBytes && before > 0) { // one command alone always goes
        d->pendingBytes.fetch_sub(bytes, std::memory_order_relaxed);
        // Answered on the link's thread like any reply (callers may hold the lock their
        // callback takes), without the arguments: nothing of the command is kept.
        if (done) {
            d->post([done = std::move(done), text = QStringLiteral("overloaded: %1 bytes of commands wait for Redis (at most %2)")
                                                        .arg(before).arg(d->options.maxPendingBytes).toUtf8()] {
                done(errorReply(text));
            });
        }
        return;
    }
    d->post([this, bytes, args = std::move(args), done = std::move(done)]() mutable {
        if (d->stopRequested.load(std::memory_order_acquire) || !d->cmd.ready || !d->cmd.ctx) {
            d->pendingBytes.fetch_sub(bytes, std::memory_order_relaxed);
            if (done)
                done(notConnected());
            return;
        }
        std::vector<const char *> argv;
        std::vector<size_t> len;
        for (const QByteArray &a : args) {
            argv.push_back(a.constData());
            len.push_back(size_t(a.size()));
        }
        auto *privdata = new Private::Command{d, std::move(done), bytes};
        if (redisAsyncCommandArgv(d->cmd.ctx, &Private::onReply, privdata, int(argv.size()), argv.data(), len.data()) != REDIS_OK) {
            d->pendingBytes.fetch_sub(bytes, std::memory_order_relaxed);
            if (privdata->done)
                privdata->done(notConnected());
            delete privdata;
            return;
        }
        d->cmd.sentMs.push_back(monotonicMs());
    });
}

void RedisLink::subscribe(const QByteArray &channel)
{
    addSubscription(false, channel);
}

void RedisLink::psubscribe(const QByteArray &pattern)
{
    addSubscription(true, pattern);
}

void RedisLink::addSubscription(bool pattern, const QByteArray &name)
{
    auto add = [this, pattern, name] {
        (pattern ? d->patterns : d->channels).append(name);
        if (!d->sub.ctx || !d->sub.linked)
            return; // sent with the others once the subscriber connects
        if (!d->sub.ready)
            ++d->sub.awaiting; // the handshake is still waiting for confirmations: this one too
        d->sendSubscriptions(d->sub, {name}, pattern ? "PSUBSCRIBE" : "SUBSCRIBE");
    };
    if (d->thread.isRunning())
        d->post(add);
    else
        add();
}

} // namespace Switchboard
