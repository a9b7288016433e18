#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QUrl>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

class Mailbox;

/**
 * @brief Signed HTTP POSTs to back ends (docs/hooks.md), on a thread of its own.
 *
 * A QNetworkAccessManager lives on "switchboard-hooks"; callers on any thread (I/O threads)
 * hand it a call and get the result through a callback on that thread, so no socket thread
 * ever waits for a back end. Every request carries
 * `X-Switchboard-Timestamp: <unix seconds>` and
 * `X-Switchboard-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
 * Calls in flight are capped (over the cap a call is refused at once as Busy); each attempt
 * has a timeout; a call may be retried after a timeout, a network error or a 5xx; the answer
 * body is read up to a byte cap (over it the call fails), and redirects are not followed.
 */
class HookClient final
{
    Q_DISABLE_COPY_MOVE(HookClient)

public:
    struct Call
    {
        QUrl url;
        QByteArray body;          // JSON
        QByteArray requestId;     // X-Switchboard-Request-Id, the same on every attempt
        int timeoutMs = 5000;     // per attempt
        int retries = 0;          // extra attempts after a retryable failure
        int attemptsBefore = 0;   // earlier attempts the caller made itself (X-Switchboard-Attempt counts on)
    };
    enum class Outcome { Ok, Timeout, Failed, Busy, Unavailable };
    struct Result
    {
        Outcome outcome = Outcome::Unavailable;
        int status = 0;           // HTTP status of the last attempt; 0 without one
        QByteArray body;          // Ok: the answer body (at most the byte cap)
        QString error;            // not Ok: why, for logs and the client
        int attempts = 0;
    };
    using Done = std::function<void(const Result &)>;

    HookClient(const QByteArray &secret, int maxInFlight, qint64 maxResponseBytes);
    ~HookClient();

    /// Starts the thread. Calls before start() or after stop() are Unavailable.
    void start();
    /// Fails every call in flight as Unavailable (their callbacks run) and joins the thread.
    /// Not from the hooks thread.
    void stop();

    /// Any thread. @p done runs exactly once: on the hooks thread, or in this call for Busy
    /// and Unavailable.
    void post(Call call, Done done);
    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    int maxInFlight() const { return m_maxInFlight; }

    /// The signature's hex digest: HMAC-SHA256 over "<timestamp>.<body>".
    static QByteArray sign(const QByteArray &secret, qint64 timestamp, const QByteArray &body);

    class Engine;

private:
    const QByteArray m_secret;
    const int m_maxInFlight;
    const qint64 m_maxResponseBytes;
    std::atomic<int> m_inFlight{0};
    QThread *m_thread = nullptr;
    Engine *m_engine = nullptr;
    std::shared_ptr<Mailbox> m_mailbox;
};

} // namespace Switchboard
