#include "hookclient.h"

#include <QtCore/QDateTime>
#include <QtCore/QHash>
#include <QtCore/QMessageAuthenticationCode>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>

#include "core/backoff.h"
#include "core/mailbox.h"
#include "hookrules.h"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif

namespace Switchboard {

namespace {

// Retries wait a full-jitter backoff over 100 ms * 2^(n-1), at most 2 s.
constexpr qint64 kRetryBaseMs = 100;
constexpr qint64 kRetryCapMs = 2000;
// QNetworkAccessManager's own read buffer per reply; the answer is moved out as it arrives.
constexpr qint64 kReadChunk = 64 * 1024;

} // namespace

/// The hooks thread's side: the network access manager and the calls in flight.
class HookClient::Engine final : public QObject
{
public:
    Engine(const QByteArray &secret, qint64 maxResponseBytes, std::atomic<int> &inFlight)
        : m_secret(secret), m_maxResponseBytes(maxResponseBytes), m_inFlight(inFlight) {}

    void send(Call call, Done done);
    /// Fails everything in flight as Unavailable and refuses what comes later.
    void stopAll();

private:
    struct Pending
    {
        quint64 key = 0;
        Call call;
        Done done;
        int attempts = 0;
        QNetworkReply *reply = nullptr;
        QTimer *timer = nullptr;  // the attempt's timeout, then the retry's wait
        QByteArray body;
        qint64 status = 0;
        bool timedOut = false;
        bool tooLarge = false;
    };
    using PendingPtr = std::shared_ptr<Pending>;

    void attempt(const PendingPtr &p);
    void readSome(const PendingPtr &p);
    void attemptFinished(const PendingPtr &p);
    void complete(const PendingPtr &p, Result result);

    const QByteArray m_secret;
    const qint64 m_maxResponseBytes;
    std::atomic<int> &m_inFlight;
    QNetworkAccessManager *m_nam = nullptr; // made on this thread, at the first call
    QHash<quint64, PendingPtr> m_live;
    quint64 m_nextKey = 1;
    bool m_stopping = false;
};

void HookClient::Engine::send(Call call, Done done)
{
    auto p = std::make_shared<Pending>();
    p->key = m_nextKey++;
    p->call = std::move(call);
    p->done = std::move(done);
    if (m_stopping) {
        complete(p, {Outcome::Unavailable, 0, {}, QStringLiteral("hooks are stopping"), 0});
        return;
    }
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    m_live.insert(p->key, p);
    attempt(p);
}

void HookClient::Engine::attempt(const PendingPtr &p)
{
    // A retry's wait that ended after stopAll() (which answered the call and deleted m_nam).
    if (m_stopping || !m_nam || !m_live.contains(p->key))
        return;
    ++p->attempts;
    p->body.clear();
    p->status = 0;
    p->timedOut = p->tooLarge = false;

    QNetworkRequest request(p->call.url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Switchboard/" SWITCHBOARD_VERSION));
    // A redirect is the back end's mistake, shown as one (a non-2xx status), not followed.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    // Signed per attempt: a retry carries a fresh timestamp, so the back end's window holds.
    const qint64 timestamp = QDateTime::currentSecsSinceEpoch();
    request.setRawHeader("X-Switchboard-Timestamp", QByteArray::number(timestamp));
    request.setRawHeader("X-Switchboard-Signature", "v1=" + HookClient::sign(m_secret, timestamp, p->call.body));
    request.setRawHeader("X-Switchboard-Request-Id", p->call.requestId);
    request.setRawHeader("X-Switchboard-Attempt", QByteArray::number(p->call.attemptsBefore + p->attempts));

    QNetworkReply *reply = m_nam->post(request, p->call.body);
    p->reply = reply;
    reply->setReadBufferSize(qMin(kReadChunk, m_maxResponseBytes + 1));
    if (!p->timer) {
        p->timer = new QTimer(this);
        p->timer->setSingleShot(true);
    }
    p->timer->disconnect();
    connect(p->timer, &QTimer::timeout, reply, [p] {
        p->timedOut = true;
        p->reply->abort();
    });
    p->timer->start(p->call.timeoutMs);
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, p] {
        const QVariant length = p->reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > m_maxResponseBytes) {
            p->tooLarge = true;
            p->reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, p] { readSome(p); });
    connect(reply, &QNetworkReply::finished, this, [this, p] { attemptFinished(p); });
}

void HookClient::Engine::readSome(const PendingPtr &p)
{
    if (p->tooLarge)
        return;
    // One byte over the cap is enough to know the answer is too large.
    p->body += p->reply->read(m_maxResponseBytes + 1 - p->body.size());
    if (p->body.size() > m_maxResponseBytes) {
        p->tooLarge = true;
        p->body.clear();
        if (!p->reply->isFinished())
            p->reply->abort();
    }
}

void HookClient::Engine::attemptFinished(const PendingPtr &p)
{
    if (!m_live.contains(p->key))
        return; // stopAll() answered it
    p->timer->stop();
    p->timer->disconnect();
    readSome(p); // what arrived with the end of the answer
    QNetworkReply *reply = std::exchange(p->reply, nullptr);
    reply->deleteLater();
    p->status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();

    Result r;
    r.status = int(p->status);
    r.attempts = p->attempts;
    bool retryable = false;
    if (p->tooLarge) {
        r.outcome = Outcome::Failed;
        r.error = QStringLiteral("the back end's answer is over %1 bytes").arg(m_maxResponseBytes);
    } else if (p->timedOut) {
        r.outcome = Outcome::Timeout;
        r.error = QStringLiteral("no answer within %1 ms").arg(p->call.timeoutMs);
        retryable = true;
    } else if (p->status == 0) {
        r.outcome = Outcome::Failed;
        r.error = reply->errorString();
        retryable = true;
    } else if (p->status < 200 || p->status > 299) {
        r.outcome = Outcome::Failed;
        r.error = QStringLiteral("the back end answered HTTP %1").arg(p->status);
        retryable = p->status >= 500;
    } else {
        r.outcome = Outcome::Ok;
        r.body = std::move(p->body);
    }
    if (retryable && p->attempts <= p->call.retries && !m_stopping) {
        qCInfo(lcHooks).noquote() << "retrying" << p->call.url.toDisplayString() << "after attempt" << p->attempts << ":" << r.error;
        p->timer->disconnect();
        connect(p->timer, &QTimer::timeout, this, [this, p] { attempt(p); });
        p->timer->start(int(backoffDelayMs(p->attempts, kRetryBaseMs, kRetryCapMs, QRandomGenerator::global()->generateDouble())));
        return;
    }
    complete(p, std::move(r));
}

void HookClient::Engine::complete(const PendingPtr &p, Result result)
{
    m_live.remove(p->key);
    if (p->timer) {
        // Stopped and cut off now: deleteLater() alone would let a timeout already due fire
        // first (the abort lambda on a reply stopAll() took, or a retry after m_nam is gone).
        p->timer->stop();
        p->timer->disconnect();
        p->timer->deleteLater();
        p->timer = nullptr;
    }
    m_inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (Done done = std::exchange(p->done, {}))
        done(result);
}

void HookClient::Engine::stopAll()
{
    m_stopping = true;
    const QList<PendingPtr> live = m_live.values();
    for (const PendingPtr &p : live) {
        if (QNetworkReply *reply = std::exchange(p->reply, nullptr)) {
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
        }
        complete(p, {Outcome::Unavailable, 0, {}, QStringLiteral("the server is stopping"), p->attempts});
    }
    delete m_nam;
    m_nam = nullptr;
}

HookClient::HookClient(const QByteArray &secret, int maxInFlight, qint64 maxResponseBytes)
    : m_secret(secret), m_maxInFlight(maxInFlight), m_maxResponseBytes(maxResponseBytes)
{
}

HookClient::~HookClient()
{
    stop();
}

void HookClient::start()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("switchboard-hooks"));
    m_engine = new Engine(m_secret, m_maxResponseBytes, m_inFlight);
    m_engine->moveToThread(m_thread);
    // Deleted on its own thread once the loop has ended (QThread runs deferred deletes then).
    QObject::connect(m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_mailbox = std::make_shared<Mailbox>(m_engine);
    m_thread->start();
}

void HookClient::stop()
{
    if (!m_thread)
        return;
    // Closed first: whatever was posted before is queued ahead of stopAll() and answered by it.
    m_mailbox->close();
    QMetaObject::invokeMethod(m_engine, [engine = m_engine] { engine->stopAll(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    // m_mailbox stays (closed) and m_engine with it: post() may still read them on an I/O
    // thread, and a closed mailbox refuses without touching the engine.
}

void HookClient::post(Call call, Done done)
{
    if (m_inFlight.fetch_add(1, std::memory_order_relaxed) >= m_maxInFlight) {
        m_inFlight.fetch_sub(1, std::memory_order_relaxed);
        done({Outcome::Busy, 0, {}, QStringLiteral("%1 back-end calls in flight; try again later").arg(m_maxInFlight), 0});
        return;
    }
    // Written only by start(), while no I/O thread runs.
    const std::shared_ptr<Mailbox> mailbox = m_mailbox;
    // Posted as a shared pointer: when the mailbox refuses, the callback is still ours to call.
    auto task = std::make_shared<std::pair<Call, Done>>(std::move(call), std::move(done));
    Engine *engine = m_engine;
    if (!mailbox || !mailbox->post([engine, task] { engine->send(std::move(task->first), std::move(task->second)); })) {
        m_inFlight.fetch_sub(1, std::memory_order_relaxed);
        if (Done d = std::exchange(task->second, {}))
            d({Outcome::Unavailable, 0, {}, QStringLiteral("the server is not running"), 0});
    }
}

QByteArray HookClient::sign(const QByteArray &secret, qint64 timestamp, const QByteArray &body)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret);
    mac.addData(QByteArray::number(timestamp));
    mac.addData(".", 1);
    mac.addData(body);
    return mac.result().toHex();
}

} // namespace Switchboard
