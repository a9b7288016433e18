#include "webhooks.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUuid>

#include "core/backoff.h"
#include "core/mailbox.h"
#include "hooks/hookrules.h"
#include "rooms/registry.h"

namespace Switchboard {

namespace {

// A failed batch is sent again after a full-jitter backoff over 250 ms * 2^(n-1), at most 30 s.
constexpr qint64 kRetryBaseMs = 250;
constexpr qint64 kRetryCapMs = 30000;
// The back end's answer is not used; only its status is.
constexpr qint64 kMaxAnswerBytes = 64 * 1024;

struct TypeName { Webhooks::Type type; const char *name; };
constexpr TypeName kTypes[] = {
    {Webhooks::Connect, "connect"}, {Webhooks::Disconnect, "disconnect"}, {Webhooks::Join, "join"},
    {Webhooks::Leave, "leave"}, {Webhooks::DeadLetter, "dead_letter"},
};

QString typeName(Webhooks::Type type)
{
    for (const TypeName &t : kTypes) {
        if (t.type == type)
            return QString::fromLatin1(t.name);
    }
    return {};
}

template<typename T>
bool intOption(const std::function<bool(const QString &, QString *)> &resolve, const char *name, qint64 min,
               qint64 max, T *out, QString *error)
{
    QString v;
    if (!resolve(QString::fromLatin1(name), &v))
        return true;
    bool ok = false;
    const qint64 n = v.trimmed().toLongLong(&ok);
    if (!ok || n < min || n > max) {
        *error = QStringLiteral("invalid value for %1: \"%2\" (an integer from %3 to %4)")
                     .arg(QString::fromLatin1(name), v).arg(min).arg(max);
        return false;
    }
    *out = T(n);
    return true;
}

} // namespace

bool WebhookSettings::load(const std::function<bool(const QString &, QString *)> &resolve, WebhookSettings *out,
                           QString *error)
{
    WebhookSettings s;
    QString v;
    if (resolve(QStringLiteral("webhook-url"), &v) && !v.isEmpty()) {
        const QUrl url(v, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            *error = QStringLiteral("invalid value for webhook-url: \"%1\" (an http:// or https:// URL)").arg(v);
            return false;
        }
        s.url = url;
    }
    if (resolve(QStringLiteral("webhook-events"), &v)) {
        s.events = 0;
        for (const QString &part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString name = part.trimmed();
            quint32 bit = 0;
            for (const TypeName &t : kTypes) {
                if (name == QLatin1String(t.name))
                    bit = t.type;
            }
            if (name == QLatin1String("all"))
                bit = 0x1f;
            if (!bit) {
                *error = QStringLiteral("invalid value for webhook-events: \"%1\" (comma-separated: connect, disconnect, join, leave, dead_letter, or all)").arg(name);
                return false;
            }
            s.events |= bit;
        }
        if (!s.events) {
            *error = QStringLiteral("invalid value for webhook-events: \"%1\" (name at least one event)").arg(v);
            return false;
        }
    }
    if (!intOption(resolve, "webhook-batch-size", 1, 1000, &s.batchSize, error)
        || !intOption(resolve, "webhook-batch-interval", 10, 60000, &s.batchMs, error)
        || !intOption(resolve, "webhook-queue-max", 1, 1000000, &s.queueMax, error)
        || !intOption(resolve, "webhook-queue-max-bytes", 1024, qint64(1) << 30, &s.queueMaxBytes, error)
        || !intOption(resolve, "webhook-timeout", 100, 60000, &s.timeoutMs, error)
        || !intOption(resolve, "webhook-flush-timeout", 0, 60000, &s.flushMs, error))
        return false;
    *out = s;
    return true;
}

/// The sending side, on "switchboard-webhooks": one batch at a time, retried until delivered.
class Webhooks::Sender final : public QObject
{
public:
    explicit Sender(Webhooks &owner) : m_owner(owner), m_tick(new QTimer(this)), m_retry(new QTimer(this))
    {
        m_tick->setInterval(owner.m_settings.batchMs);
        connect(m_tick, &QTimer::timeout, this, [this] { send(false); });
        m_retry->setSingleShot(true);
        connect(m_retry, &QTimer::timeout, this, [this] { attempt(); });
    }

    void begin() { m_tick->start(); }

    /// Takes the next batch when none is in flight; with @p fullOnly only a full one (unless draining).
    void send(bool fullOnly)
    {
        m_owner.m_wakePosted.store(false, std::memory_order_relaxed);
        if (m_busy)
            return;
        QList<QByteArray> events;
        {
            QMutexLocker lock(&m_owner.m_lock);
            const qsizetype size = qsizetype(m_owner.m_queue.size());
            if (size == 0 || (fullOnly && size < m_owner.m_settings.batchSize && !m_draining)) {
                lock.unlock();
                checkDrained();
                return;
            }
            const qsizetype n = qMin<qsizetype>(size, m_owner.m_settings.batchSize);
            events.reserve(n);
            for (qsizetype i = 0; i < n; ++i) {
                m_owner.m_queueBytes -= m_owner.m_queue.front().size();
                events << std::move(m_owner.m_queue.front());
                m_owner.m_queue.pop_front();
            }
        }
        m_batchId = QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1();
        // requestId too: the event proxy's back-end verifier (docs/hooks.md) keys replays on it.
        m_body = "{\"requestId\":\"" + m_batchId + "\",\"batchId\":\"" + m_batchId + "\",\"events\":["
            + events.join(',') + "]}";
        m_count = int(events.size());
        qCDebug(lcHooks).noquote() << "webhook batch" << m_batchId << "of" << m_count << "events";
        m_failures = 0;
        m_busy = true;
        attempt();
    }

    void drain()
    {
        m_draining = true;
        send(false);
    }

    /// Stops the timers (on this thread); what was not delivered.
    int finish()
    {
        m_tick->stop();
        m_retry->stop();
        return m_busy ? m_count : 0;
    }

private:
    void attempt()
    {
        HookClient::Call call;
        call.url = m_owner.m_settings.url;
        call.body = m_body;
        call.requestId = m_batchId;
        call.timeoutMs = m_owner.m_settings.timeoutMs;
        call.attemptsBefore = m_failures;
        // The answer comes back on the hooks thread: handed over to this one.
        m_owner.m_client.post(std::move(call), [mailbox = m_owner.m_mailbox, this](const HookClient::Result &r) {
            mailbox->post([this, r] { finished(r); });
        });
    }

    void finished(const HookClient::Result &r)
    {
        qCDebug(lcHooks).noquote() << "webhook batch" << m_batchId << "answered" << r.status << r.error;
        if (r.outcome == HookClient::Outcome::Ok) {
            m_owner.m_deliveredBatches.fetch_add(1, std::memory_order_relaxed);
            m_owner.m_deliveredEvents.fetch_add(quint64(m_count), std::memory_order_relaxed);
            next();
            return;
        }
        if (r.outcome == HookClient::Outcome::Unavailable)
            return; // stopping: finish() counts the batch
        m_owner.m_failedAttempts.fetch_add(1, std::memory_order_relaxed);
        // A 4xx other than 408 and 429 will not change when sent again: the batch is given up.
        if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
            qCWarning(lcHooks).noquote() << "webhook batch" << m_batchId << "refused:" << r.error << "-" << m_count
                                         << "events dropped";
            m_owner.m_droppedRejected.fetch_add(quint64(m_count), std::memory_order_relaxed);
            next();
            return;
        }
        ++m_failures;
        const qint64 delay = backoffDelayMs(m_failures, kRetryBaseMs, kRetryCapMs, QRandomGenerator::global()->generateDouble());
        qCInfo(lcHooks).noquote() << "webhook batch" << m_batchId << "failed:" << r.error << "- retrying in" << delay << "ms";
        m_retry->start(int(delay));
    }

    void next()
    {
        m_busy = false;
        m_body.clear();
        m_count = 0;
        send(true);
    }

    void checkDrained()
    {
        if (m_draining && !m_busy && !m_drainedSignalled) {
            m_drainedSignalled = true;
            m_owner.m_drained.release();
        }
    }

    Webhooks &m_owner;
    QTimer *m_tick;
    QTimer *m_retry;
    QByteArray m_batchId;
    QByteArray m_body;
    int m_count = 0;
    int m_failures = 0;
    bool m_busy = false;
    bool m_draining = false;
    bool m_drainedSignalled = false;
};

Webhooks::Webhooks(const WebhookSettings &settings, const QByteArray &secret)
    : m_settings(settings), m_client(secret, 1, kMaxAnswerBytes)
{
}

Webhooks::~Webhooks()
{
    stop();
}

void Webhooks::start()
{
    if (m_thread)
        return;
    m_client.start();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("switchboard-webhooks"));
    m_sender = new Sender(*this);
    m_sender->moveToThread(m_thread);
    // Deleted on its own thread once the loop has ended.
    QObject::connect(m_thread, &QThread::finished, m_sender, &QObject::deleteLater);
    QObject::connect(m_thread, &QThread::started, m_sender, [sender = m_sender] { sender->begin(); });
    m_mailbox = std::make_shared<Mailbox>(m_sender);
    m_thread->start();
}

void Webhooks::stop()
{
    if (!m_thread)
        return;
    m_mailbox->post([sender = m_sender] { sender->drain(); });
    // Bounded: a back end that is down must not hold the shutdown (the rest is counted below).
    m_drained.tryAcquire(1, m_settings.flushMs);
    // A batch in flight fails as Unavailable; its answer reaches the sender while it still runs.
    m_client.stop();
    int lost = 0;
    QMetaObject::invokeMethod(m_sender, [&lost, sender = m_sender] { lost = sender->finish(); }, Qt::BlockingQueuedConnection);
    m_mailbox->close();
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_sender = nullptr;
    {
        QMutexLocker lock(&m_lock);
        lost += int(m_queue.size());
        m_queue.clear();
        m_queueBytes = 0;
    }
    if (lost > 0) {
        qCWarning(lcHooks) << "webhooks:" << lost << "events not delivered within" << m_settings.flushMs << "ms of the shutdown; dropped";
        m_droppedShutdown.fetch_add(quint64(lost), std::memory_order_relaxed);
    }
    m_drained.tryAcquire(m_drained.available());
}

QJsonObject Webhooks::connectionFields(const ConnectionInfo &info)
{
    return {{QStringLiteral("connectionId"), QString::number(info.id)},
            {QStringLiteral("userId"), info.userId},
            {QStringLiteral("protocol"), info.protocol == QLatin1String("socket.io") ? info.protocol : QStringLiteral("native")}};
}

void Webhooks::connected(const ConnectionInfo &info, const QStringList &rooms)
{
    if (!wants(Connect))
        return;
    QJsonObject e = connectionFields(info);
    e.insert(QStringLiteral("address"), info.address);
    e.insert(QStringLiteral("rooms"), QJsonArray::fromStringList(rooms));
    record(Connect, std::move(e));
}

void Webhooks::disconnected(const ConnectionInfo &info, int code, const QString &reason)
{
    if (!wants(Disconnect))
        return;
    QJsonObject e = connectionFields(info);
    e.insert(QStringLiteral("code"), code);
    e.insert(QStringLiteral("reason"), reason);
    record(Disconnect, std::move(e));
}

void Webhooks::joined(const ConnectionInfo &info, const QString &room)
{
    if (!wants(Join))
        return;
    QJsonObject e = connectionFields(info);
    e.insert(QStringLiteral("room"), room);
    record(Join, std::move(e));
}

void Webhooks::left(const ConnectionInfo &info, const QString &room)
{
    if (!wants(Leave))
        return;
    QJsonObject e = connectionFields(info);
    e.insert(QStringLiteral("room"), room);
    record(Leave, std::move(e));
}

void Webhooks::deadLetter(const QString &queue, qint64 messageId, int attempts, const QString &error)
{
    if (!wants(DeadLetter))
        return;
    record(DeadLetter, {{QStringLiteral("queue"), queue},
                        {QStringLiteral("messageId"), QString::number(messageId)},
                        {QStringLiteral("attempts"), attempts},
                        {QStringLiteral("error"), error}});
}

void Webhooks::record(Type type, QJsonObject event)
{
    event.insert(QStringLiteral("type"), typeName(type));
    event.insert(QStringLiteral("at"), QDateTime::currentMSecsSinceEpoch());
    // Serialised here, outside the lock; only the sequence number is added under it.
    const QByteArray json = QJsonDocument(event).toJson(QJsonDocument::Compact);
    bool wake = false;
    {
        QMutexLocker lock(&m_lock);
        // A dropped event takes its number too: the back end sees the gap.
        const quint64 seq = m_nextSeq++;
        if (qsizetype(m_queue.size()) >= m_settings.queueMax || m_queueBytes + json.size() + 24 > m_settings.queueMaxBytes) {
            m_droppedFull.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        QByteArray entry = "{\"seq\":" + QByteArray::number(seq) + ',';
        entry.append(json.constData() + 1, json.size() - 1);
        m_queueBytes += entry.size();
        m_queue.push_back(std::move(entry));
        wake = qsizetype(m_queue.size()) >= m_settings.batchSize;
    }
    // A full batch goes out before the interval ends; one wake-up per batch is enough.
    if (wake && !m_wakePosted.exchange(true, std::memory_order_relaxed)) {
        if (const std::shared_ptr<Mailbox> mailbox = m_mailbox)
            mailbox->post([sender = m_sender] { sender->send(true); });
    }
}

QByteArray Webhooks::prometheusText() const
{
    const auto n = [](const std::atomic<quint64> &v) { return QByteArray::number(v.load(std::memory_order_relaxed)); };
    qsizetype depth = 0;
    qint64 bytes = 0;
    {
        QMutexLocker lock(&m_lock);
        depth = qsizetype(m_queue.size());
        bytes = m_queueBytes;
    }
    QByteArray out;
    out += "# HELP switchboard_webhook_delivered_batches_total Lifecycle webhook batches the back end accepted (2xx).\n"
           "# TYPE switchboard_webhook_delivered_batches_total counter\n"
           "switchboard_webhook_delivered_batches_total " + n(m_deliveredBatches) + '\n';
    out += "# HELP switchboard_webhook_delivered_events_total Lifecycle webhook events in accepted batches.\n"
           "# TYPE switchboard_webhook_delivered_events_total counter\n"
           "switchboard_webhook_delivered_events_total " + n(m_deliveredEvents) + '\n';
    out += "# HELP switchboard_webhook_failed_attempts_total Webhook POSTs that failed (network, timeout, non-2xx).\n"
           "# TYPE switchboard_webhook_failed_attempts_total counter\n"
           "switchboard_webhook_failed_attempts_total " + n(m_failedAttempts) + '\n';
    out += "# HELP switchboard_webhook_dropped_total Lifecycle webhook events dropped: queue full, batch refused (4xx), or undelivered at shutdown.\n"
           "# TYPE switchboard_webhook_dropped_total counter\n"
           "switchboard_webhook_dropped_total{reason=\"queue_full\"} " + n(m_droppedFull) + '\n'
        + "switchboard_webhook_dropped_total{reason=\"rejected\"} " + n(m_droppedRejected) + '\n'
        + "switchboard_webhook_dropped_total{reason=\"shutdown\"} " + n(m_droppedShutdown) + '\n';
    out += "# HELP switchboard_webhook_queue_depth Lifecycle webhook events waiting (the batch in flight not included).\n"
           "# TYPE switchboard_webhook_queue_depth gauge\n"
           "switchboard_webhook_queue_depth " + QByteArray::number(depth) + '\n';
    out += "# HELP switchboard_webhook_queue_bytes Bytes of the waiting lifecycle webhook events.\n"
           "# TYPE switchboard_webhook_queue_bytes gauge\n"
           "switchboard_webhook_queue_bytes " + QByteArray::number(bytes) + '\n';
    return out;
}

} // namespace Switchboard
