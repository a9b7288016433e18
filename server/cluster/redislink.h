#pragma once

#include <atomic>
#include <functional>
#include <optional>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QString>

QT_BEGIN_NAMESPACE
class QThread;
class QTimer;
QT_END_NAMESPACE

struct redisAsyncContext;

namespace Switchboard {

/// `redis://[:password@]host:port[/db]` (user names, as in `redis://user:pass@…`, are refused).
struct RedisUrl
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QByteArray password;
    int db = 0;
    /// Empty with @p error set when @p url is not a valid Redis URL.
    static std::optional<RedisUrl> parse(const QString &url, QString *error = nullptr);
    QString display() const; // host:port/db, never the password
};

/// A reply from Redis (RESP2), or an error ("not connected" when the command never reached it).
struct RedisReply
{
    enum class Type { Error, Nil, Integer, String, Status, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray string;            // String, Status and Error
    QList<RedisReply> elements;   // Array
    bool isError() const { return type == Type::Error; }
};

/**
 * @brief One Redis server seen through two hiredis async connections (commands and
 * publishes on one, SUBSCRIBE/PSUBSCRIBE on the other), driven by hiredis' Qt adapter on a
 * thread of its own: never the GUI thread, never an I/O thread.
 *
 * Every public method may be called from any thread. Replies and messages arrive on the
 * link's thread. When a connection drops, the link reconnects with backoff (100 ms doubling
 * to 5 s, with jitter), sends AUTH and SELECT, then resubscribes everything subscribed so
 * far. It reports itself connected only once Redis confirmed every subscription: a message
 * published after that reaches this link. Commands issued while it is down are answered at
 * once with an Error reply ("not connected"); they are never queued unboundedly.
 *
 * A Redis that stops answering without closing the connection (a partition, a stopped or
 * hung process) is noticed: a command not answered within Options::timeoutMs, a PING sent
 * when the command connection is idle, and a connection whose handshake does not complete in
 * that time all take the link down. Both connections are closed, every command in flight is
 * answered with an Error ("no answer from Redis within … ms"), and the link reconnects with
 * backoff. The bytes of the commands queued or in flight are bounded (Options::
 * maxPendingBytes): past it a command is answered at once with an Error ("overloaded: …").
 * Both sockets have TCP keepalive and TCP_USER_TIMEOUT.
 */
class RedisLink final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisLink)

public:
    using Done = std::function<void(const RedisReply &)>;
    using MessageHandler = std::function<void(const QByteArray &channel, const QByteArray &payload)>;

    struct Options
    {
        /// Longest wait for a reply, the handshake, or a PING of an idle connection.
        int timeoutMs = 3000;
        /// Bytes of commands (their arguments) issued and not answered yet.
        qint64 maxPendingBytes = 64 * 1024 * 1024;
    };

    explicit RedisLink(RedisUrl url, QObject *parent = nullptr);
    RedisLink(RedisUrl url, Options options, QObject *parent = nullptr);
    ~RedisLink() override; // stops first

    /// Set before start(): called on the link's thread for every pub/sub message (pmessage
    /// and message alike; @p channel is the channel the message was published on).
    void setMessageHandler(MessageHandler handler);

    /// Starts the thread and the first connection attempt; returns at once.
    void start();
    /// Closes both connections and joins the thread. Every command gets its answer before this
    /// returns: "connection lost" when it had been handed to Redis, "not connected" when it
    /// was still queued for the link's thread or is issued from now on (answered at once).
    void stop();

    /// Both connections are up and Redis confirmed every subscription (any thread).
    bool isConnected() const { return m_connected.load(std::memory_order_acquire); }
    /// The subscriber connection is up and Redis confirmed every subscription (any thread);
    /// it can be down while commands still go through (it reconnects on its own). Read on
    /// the link's thread (in a Done), it is the state when that reply was read.
    bool isSubscribed() const { return m_subscribed.load(std::memory_order_acquire); }
    /// Why the link is down ("connection refused", "auth failed: …"); empty when connected.
    QString lastError() const;

    /// Bytes of commands issued and not answered yet (any thread).
    qint64 pendingBytes() const;

    /// Sends a command, arguments binary-safe (e.g. {"PUBLISH", channel, payload}). @p done
    /// runs on the link's thread with the reply (an Error "overloaded: …" when the pending
    /// bytes are over Options::maxPendingBytes), or at once on the caller's thread with "not
    /// connected" when the link is not running.
    void command(QList<QByteArray> args, Done done = {});
    /// Runs a Lua script by its SHA1 (EVALSHA), and by its @p source (EVAL) when Redis does not
    /// know it (NOSCRIPT: restarted, or SCRIPT FLUSH). @p keysAndArgs starts with the number of
    /// keys, as after EVAL's script. @p done as for command().
    void evalScript(const QByteArray &sha1, const QByteArray &source, QList<QByteArray> keysAndArgs, Done done = {});
    /// Runs @p fn on the link's thread after @p delayMs (nothing once the link is stopping):
    /// a caller that waits for something other than Redis does so without blocking the thread.
    void later(int delayMs, std::function<void()> fn);
    /// Subscriptions survive reconnects.
    void subscribe(const QByteArray &channel);
    void psubscribe(const QByteArray &pattern);

Q_SIGNALS:
    /// Up or down (emitted on the link's thread).
    void connectedChanged(bool connected);

private:
    void addSubscription(bool pattern, const QByteArray &name);

    struct Private;
    Private *d;
    std::atomic<bool> m_connected{false};
    std::atomic<bool> m_subscribed{false};
};

} // namespace Switchboard
