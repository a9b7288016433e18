#include "amqpbridge.h"

#include <sys/time.h>

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QUrl>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>

#include "core/backoff.h"
#include "core/logging.h"
#include "metrics/metrics.h"

namespace Switchboard {

struct AmqpBridge::Inbox
{
    QMutex lock;
    QList<Settlement> items;

    void push(Settlement s)
    {
        QMutexLocker locker(&lock);
        items << std::move(s);
    }
    QList<Settlement> take()
    {
        QMutexLocker locker(&lock);
        return std::exchange(items, {});
    }
};

namespace {

constexpr int kHeartbeatSeconds = 10;
constexpr int kPollMs = 50;          // how long one wait for a delivery lasts: settlements and stop() are seen this fast
constexpr int kBackoffFirstMs = 200;
constexpr int kBackoffCapMs = 5000;

amqp_bytes_t bytes(const QByteArray &b)
{
    return amqp_bytes_t{size_t(b.size()), const_cast<char *>(b.constData())};
}

QString text(amqp_bytes_t b)
{
    return QString::fromUtf8(static_cast<const char *>(b.bytes), qsizetype(b.len));
}

QString describe(const amqp_rpc_reply_t &reply, const char *what)
{
    const QString prefix = QString::fromLatin1(what) + QStringLiteral(": ");
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return {};
    case AMQP_RESPONSE_NONE:
        return prefix + QStringLiteral("no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return prefix + QString::fromUtf8(amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const auto *m = static_cast<const amqp_connection_close_t *>(reply.reply.decoded);
            return prefix + QStringLiteral("connection closed by the broker: %1 %2").arg(m->reply_code).arg(text(m->reply_text));
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const auto *m = static_cast<const amqp_channel_close_t *>(reply.reply.decoded);
            return prefix + QStringLiteral("channel closed by the broker: %1 %2").arg(m->reply_code).arg(text(m->reply_text));
        }
        return prefix + QStringLiteral("broker error (method 0x%1)").arg(reply.reply.id, 8, 16, QLatin1Char('0'));
    }
    return prefix + QStringLiteral("unknown reply");
}

/// Counts the asynchronous parts of one message's emits; the last one settles it.
struct Pending
{
    std::shared_ptr<AmqpBridge::Inbox> inbox;
    AmqpBridge::Settlement settlement;
    std::atomic<int> left{1};
    QMutex lock;

    void done(const QString &error)
    {
        if (!error.isEmpty()) {
            QMutexLocker locker(&lock);
            if (settlement.error.isEmpty())
                settlement.error = error;
        }
        if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            QMutexLocker locker(&lock);
            inbox->push(settlement);
        }
    }
};

} // namespace

/// One connection to the broker, on the bridge's thread: declarations, consuming, settling.
class AmqpBridge::Session final
{
    Q_DISABLE_COPY_MOVE(Session)

public:
    Session(AmqpBridge *bridge, quint64 generation) : m_bridge(bridge), m_generation(generation) {}
    ~Session()
    {
        if (!m_conn)
            return;
        // Closing the connection closes its channels (AMQP 0-9-1), one round trip in all.
        if (m_closeOnExit)
            amqp_connection_close(m_conn, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(m_conn);
    }

    /// Connects, declares and starts consuming every binding; the reason when it cannot.
    QString open()
    {
        QByteArray url = m_bridge->m_url.toUtf8(); // amqp_parse_url points into it
        amqp_connection_info info;
        amqp_default_connection_info(&info);
        if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK)
            return QStringLiteral("invalid URL");
        m_conn = amqp_new_connection();
        QString error;
        amqp_socket_t *socket = info.ssl ? tlsSocket(&error) : amqp_tcp_socket_new(m_conn);
        if (!socket)
            return error.isEmpty() ? QStringLiteral("cannot create a socket") : error;
        const timeval timeout{5, 0};
        amqp_set_handshake_timeout(m_conn, &timeout);
        amqp_set_rpc_timeout(m_conn, &timeout);
        const int status = amqp_socket_open_noblock(socket, info.host, info.port, &timeout);
        if (status != AMQP_STATUS_OK)
            return QStringLiteral("cannot connect to %1:%2: %3").arg(QString::fromUtf8(info.host)).arg(info.port)
                .arg(QString::fromUtf8(amqp_error_string2(status)));
        error = describe(amqp_login(m_conn, info.vhost, 0, 131072, kHeartbeatSeconds, AMQP_SASL_METHOD_PLAIN,
                                    info.user, info.password), "login");
        if (!error.isEmpty())
            return error;
        for (int i = 0; i < m_bridge->m_bindings.size(); ++i) {
            error = declare(i);
            if (!error.isEmpty()) {
                m_bridge->noteError(i, error);
                return QStringLiteral("%1: %2").arg(m_bridge->m_bindings.at(i).name(), error);
            }
        }
        return {};
    }

    /// An amqps:// socket that verifies the broker's certificate and host name against
    /// --amqp-ca (or the system's CAs), with the client certificate when one is configured.
    amqp_socket_t *tlsSocket(QString *error)
    {
        amqp_socket_t *socket = amqp_ssl_socket_new(m_conn);
        if (!socket) {
            *error = QStringLiteral("cannot create a TLS socket");
            return nullptr;
        }
        amqp_ssl_socket_set_verify_peer(socket, 1);
        amqp_ssl_socket_set_verify_hostname(socket, 1);
        amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST);
        const AmqpTls &tls = m_bridge->m_tls;
        int status = AMQP_STATUS_OK;
        if (!tls.caFile.isEmpty()) {
            status = amqp_ssl_socket_set_cacert(socket, QFile::encodeName(tls.caFile).constData());
        } else if (auto *context = static_cast<SSL_CTX *>(amqp_ssl_socket_get_context(socket))) {
            if (SSL_CTX_set_default_verify_paths(context) != 1)
                status = AMQP_STATUS_SSL_ERROR;
        }
        if (status != AMQP_STATUS_OK) {
            *error = QStringLiteral("CA certificates %1: %2").arg(tls.caFile.isEmpty() ? QStringLiteral("(system)") : tls.caFile,
                                                                  QString::fromUtf8(amqp_error_string2(status)));
            return nullptr;
        }
        if (!tls.certFile.isEmpty()) {
            status = amqp_ssl_socket_set_key(socket, QFile::encodeName(tls.certFile).constData(),
                                             QFile::encodeName(tls.keyFile).constData());
            if (status != AMQP_STATUS_OK) {
                *error = QStringLiteral("client certificate %1: %2").arg(tls.certFile, QString::fromUtf8(amqp_error_string2(status)));
                return nullptr;
            }
        }
        return socket;
    }

    /// Consumes until the connection fails (the reason) or the bridge stops (empty).
    QString consume()
    {
        const QString error = consumeLoop();
        // Closed only when the bridge stops. After a failure (here or in open()) the
        // connection is dropped, not closed: a broker that closed a channel would have us wait
        // out the RPC timeout for a close-ok. Either way the broker puts back what this
        // connection had not acked.
        m_closeOnExit = error.isEmpty();
        return error;
    }

private:
    QString consumeLoop()
    {
        while (!m_bridge->m_stopping.load(std::memory_order_relaxed)) {
            QString error = settle();
            if (!error.isEmpty())
                return error;
            amqp_maybe_release_buffers(m_conn);
            amqp_envelope_t envelope;
            const timeval wait{0, kPollMs * 1000};
            const amqp_rpc_reply_t reply = amqp_consume_message(m_conn, &envelope, &wait, 0);
            if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
                handle(envelope);
                amqp_destroy_envelope(&envelope);
                continue;
            }
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT)
                continue;
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
                // A method other than basic.deliver: the broker closing a channel or the
                // connection, or cancelling a consumer (its queue was deleted).
                amqp_frame_t frame;
                if (amqp_simple_wait_frame(m_conn, &frame) != AMQP_STATUS_OK)
                    return QStringLiteral("connection lost");
                if (frame.frame_type != AMQP_FRAME_METHOD)
                    continue;
                switch (frame.payload.method.id) {
                case AMQP_CHANNEL_CLOSE_METHOD: {
                    const auto *m = static_cast<const amqp_channel_close_t *>(frame.payload.method.decoded);
                    return QStringLiteral("channel %1 closed by the broker: %2 %3").arg(frame.channel).arg(m->reply_code).arg(text(m->reply_text));
                }
                case AMQP_CONNECTION_CLOSE_METHOD: {
                    const auto *m = static_cast<const amqp_connection_close_t *>(frame.payload.method.decoded);
                    return QStringLiteral("connection closed by the broker: %1 %2").arg(m->reply_code).arg(text(m->reply_text));
                }
                case AMQP_BASIC_CANCEL_METHOD:
                    return QStringLiteral("the broker cancelled the consumer on channel %1 (queue deleted?)").arg(frame.channel);
                default:
                    continue;
                }
            }
            return describe(reply, "consume");
        }
        return settle();
    }

    QString declare(int i)
    {
        const AmqpBinding &b = m_bridge->m_bindings.at(i);
        const auto ch = amqp_channel_t(i + 1);
        amqp_channel_open(m_conn, ch);
        QString error = describe(amqp_get_rpc_reply(m_conn), "channel.open");
        if (!error.isEmpty())
            return error;
        const QByteArray exchange = b.exchange.toUtf8();
        const QByteArray queue = b.queue.toUtf8();
        amqp_exchange_declare(m_conn, ch, bytes(exchange), bytes(b.type.toUtf8()), 0, b.durable, 0, 0, amqp_empty_table);
        if (!(error = describe(amqp_get_rpc_reply(m_conn), "exchange.declare")).isEmpty())
            return error;
        const QByteArray dlx = b.deadLetterExchange.toUtf8();
        amqp_table_entry_t entry;
        entry.key = amqp_cstring_bytes("x-dead-letter-exchange");
        entry.value.kind = AMQP_FIELD_KIND_UTF8;
        entry.value.value.bytes = bytes(dlx);
        const amqp_table_t args = dlx.isEmpty() ? amqp_empty_table : amqp_table_t{1, &entry};
        amqp_queue_declare(m_conn, ch, bytes(queue), 0, b.durable, 0, 0, args);
        if (!(error = describe(amqp_get_rpc_reply(m_conn), "queue.declare")).isEmpty())
            return error;
        for (const QString &key : b.routingKeys) {
            amqp_queue_bind(m_conn, ch, bytes(queue), bytes(exchange), bytes(key.toUtf8()), amqp_empty_table);
            if (!(error = describe(amqp_get_rpc_reply(m_conn), "queue.bind")).isEmpty())
                return error;
        }
        amqp_basic_qos(m_conn, ch, 0, uint16_t(b.prefetch), 0);
        if (!(error = describe(amqp_get_rpc_reply(m_conn), "basic.qos")).isEmpty())
            return error;
        amqp_basic_consume(m_conn, ch, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
        return describe(amqp_get_rpc_reply(m_conn), "basic.consume");
    }

    void handle(const amqp_envelope_t &envelope)
    {
        const int index = int(envelope.channel) - 1;
        if (index < 0 || index >= m_bridge->m_bindings.size())
            return;
        const AmqpBinding &binding = m_bridge->m_bindings.at(index);
        Counters &counters = m_bridge->m_counters[index];
        counters.received.fetch_add(1, std::memory_order_relaxed);
        if (envelope.redelivered)
            counters.redelivered.fetch_add(1, std::memory_order_relaxed);

        auto pending = std::make_shared<Pending>();
        pending->inbox = m_bridge->m_inbox;
        pending->settlement = {m_generation, int(envelope.channel), envelope.delivery_tag, {}};

        const QByteArray body(static_cast<const char *>(envelope.message.body.bytes), qsizetype(envelope.message.body.len));
        const QString routingKey = text(envelope.routing_key);
        QJsonObject message;
        const AmqpRoute route = AmqpBindings::route(binding, body, routingKey, &message);
        if (!route.error.isEmpty()) {
            pending->done(route.error);
            return;
        }

        EmitRequest base;
        base.event = route.event;
        base.payload = message;
        base.source = QStringLiteral("amqp");
        QList<EmitRequest> requests;
        if (route.broadcast) {
            requests << base;
        } else {
            // With persist, "user:" targets are user emits (kept when the user is offline);
            // the other rooms skip their sockets, so a socket in both gets the event once.
            QStringList users;
            QStringList rooms;
            for (const QString &room : route.rooms)
                (binding.persist && room.startsWith(QLatin1String("user:")) ? users : rooms) << room;
            for (const QString &room : std::as_const(users)) {
                EmitRequest r = base;
                r.target = EmitRequest::Target::User;
                r.userId = room.mid(5);
                r.persist = true;
                requests << r;
            }
            if (!rooms.isEmpty()) {
                EmitRequest r = base;
                r.target = EmitRequest::Target::Room;
                r.room = rooms.takeFirst();
                r.moreRooms = rooms;
                r.exceptRooms = users;
                requests << r;
            }
        }
        for (EmitRequest &request : requests) {
            pending->left.fetch_add(2, std::memory_order_relaxed);
            if (request.persist)
                request.whenPersisted = [pending](const EmitResult &r) { pending->done(r.error); };
            request.whenPublished = [pending](const PublishOutcome &o) {
                pending->done(o.published ? QString() : o.error.isEmpty() ? QStringLiteral("not published to the cluster") : o.error);
            };
            const EmitResult result = m_bridge->m_emit(std::move(request));
            if (!result.persistPending)
                pending->done({});
            if (!result.publishPending)
                pending->done({});
            if (!result.error.isEmpty()) {
                pending->done(QStringLiteral("emit refused (%1): %2").arg(result.code, result.error));
                return;
            }
        }
        pending->done({});
    }

    /// Acks or rejects what finished; an error when the connection failed meanwhile.
    QString settle()
    {
        for (const Settlement &s : m_bridge->m_inbox->take()) {
            if (s.generation != m_generation)
                continue; // delivered on a connection that is gone: the broker delivers it again
            const int index = s.channel - 1;
            Counters &counters = m_bridge->m_counters[index];
            int status;
            if (s.error.isEmpty()) {
                status = amqp_basic_ack(m_conn, amqp_channel_t(s.channel), s.deliveryTag, 0);
                counters.emitted.fetch_add(1, std::memory_order_relaxed);
            } else {
                status = amqp_basic_reject(m_conn, amqp_channel_t(s.channel), s.deliveryTag, 0);
                counters.rejected.fetch_add(1, std::memory_order_relaxed);
                m_bridge->noteError(index, s.error);
                const AmqpBinding &b = m_bridge->m_bindings.at(index);
                qCWarning(lcBridge).noquote() << "rejected a message of" << b.name() << "to"
                                              << (b.deadLetterExchange.isEmpty() ? QStringLiteral("nowhere (no dead-letter exchange)") : b.deadLetterExchange)
                                              << "-" << s.error;
            }
            if (status != AMQP_STATUS_OK)
                return QStringLiteral("ack: %1").arg(QString::fromUtf8(amqp_error_string2(status)));
        }
        return {};
    }

    AmqpBridge *m_bridge;
    const quint64 m_generation;
    amqp_connection_state_t m_conn = nullptr;
    bool m_closeOnExit = false; // consume() returned because the bridge stops
};

AmqpBridge::AmqpBridge(const QString &url, const AmqpTls &tls, const QList<AmqpBinding> &bindings, Emitter emitter)
    : m_url(url)
    , m_tls(tls)
    , m_bindings(bindings)
    , m_emit(std::move(emitter))
    , m_counters(new Counters[size_t(bindings.size())])
    , m_inbox(std::make_shared<Inbox>())
{
    for (int i = 0; i < bindings.size(); ++i) {
        m_lastError << QString();
        m_lastErrorAtMs << 0;
    }
}

AmqpBridge::~AmqpBridge()
{
    stop();
}

void AmqpBridge::start()
{
    if (m_thread)
        return;
    m_stopping.store(false);
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("switchboard-amqp"));
    m_thread->start();
}

void AmqpBridge::stop()
{
    if (!m_thread)
        return;
    m_stopping.store(true);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    setState(QStringLiteral("stopped"));
}

void AmqpBridge::run()
{
    int failures = 0;
    qCInfo(lcBridge).noquote() << "AMQP bridge: connecting to" << redactedUrl(m_url) << "with" << m_bindings.size() << "binding(s)";
    while (!m_stopping.load()) {
        setState(QStringLiteral("connecting"));
        QString error;
        {
            // Numbered across start()s too: what a stopped run's emits settle late (an offline
            // commit, a cluster publish) never acks a delivery tag of a later connection.
            Session session(this, ++m_generation);
            error = session.open();
            if (error.isEmpty()) {
                failures = 0;
                {
                    QMutexLocker lock(&m_lock);
                    ++m_connects;
                }
                setState(QStringLiteral("connected"));
                qCInfo(lcBridge).noquote() << "AMQP bridge: consuming from" << redactedUrl(m_url);
                error = session.consume();
            }
        }
        if (m_stopping.load())
            break;
        setState(QStringLiteral("disconnected"), error);
        // At least half the first step, then jitter over a doubling step (200 ms to 5 s), so a
        // fleet of nodes does not reconnect in step.
        const int delay = kBackoffFirstMs / 2
            + int(backoffDelayMs(++failures, kBackoffFirstMs, kBackoffCapMs, QRandomGenerator::global()->generateDouble()));
        qCWarning(lcBridge).noquote() << "AMQP bridge:" << error << "- reconnecting in" << delay << "ms";
        for (int waited = 0; waited < delay && !m_stopping.load(); waited += kPollMs)
            QThread::msleep(kPollMs);
    }
}

void AmqpBridge::setState(const QString &state, const QString &error)
{
    QMutexLocker lock(&m_lock);
    if (m_state != state) {
        m_state = state;
        m_stateSinceMs = QDateTime::currentMSecsSinceEpoch();
    }
    if (!error.isEmpty())
        m_connectionError = error;
}

void AmqpBridge::noteError(int binding, const QString &error)
{
    QMutexLocker lock(&m_lock);
    m_lastError[binding] = error;
    m_lastErrorAtMs[binding] = QDateTime::currentMSecsSinceEpoch();
}

QString AmqpBridge::redactedUrl(const QString &url)
{
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("***"));
    return u.toString();
}

QJsonObject AmqpBridge::statusJson() const
{
    QMutexLocker lock(&m_lock);
    const auto iso = [](qint64 ms) {
        return ms ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs)) : QJsonValue();
    };
    QJsonArray bindings;
    for (int i = 0; i < m_bindings.size(); ++i) {
        const AmqpBinding &b = m_bindings.at(i);
        const Counters &c = m_counters[i];
        bindings.append(QJsonObject{
            {QStringLiteral("exchange"), b.exchange},
            {QStringLiteral("type"), b.type},
            {QStringLiteral("queue"), b.queue},
            {QStringLiteral("routingKeys"), QJsonArray::fromStringList(b.routingKeys)},
            {QStringLiteral("prefetch"), b.prefetch},
            {QStringLiteral("deadLetterExchange"), b.deadLetterExchange.isEmpty() ? QJsonValue() : QJsonValue(b.deadLetterExchange)},
            {QStringLiteral("state"), m_state},
            {QStringLiteral("received"), qint64(c.received.load(std::memory_order_relaxed))},
            {QStringLiteral("emitted"), qint64(c.emitted.load(std::memory_order_relaxed))},
            {QStringLiteral("rejected"), qint64(c.rejected.load(std::memory_order_relaxed))},
            {QStringLiteral("redelivered"), qint64(c.redelivered.load(std::memory_order_relaxed))},
            {QStringLiteral("lastError"), m_lastError.at(i).isEmpty() ? QJsonValue() : QJsonValue(m_lastError.at(i))},
            {QStringLiteral("lastErrorAt"), iso(m_lastErrorAtMs.at(i))},
        });
    }
    return QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("amqp")},
        {QStringLiteral("url"), redactedUrl(m_url)},
        {QStringLiteral("state"), m_state},
        {QStringLiteral("since"), iso(m_stateSinceMs)},
        {QStringLiteral("connects"), qint64(m_connects)},
        {QStringLiteral("lastError"), m_connectionError.isEmpty() ? QJsonValue() : QJsonValue(m_connectionError)},
        {QStringLiteral("bindings"), bindings},
    };
}

QByteArray AmqpBridge::prometheusText() const
{
    QByteArray out;
    out += "# HELP switchboard_bridge_messages_total AMQP bridge messages per binding queue and outcome.\n"
           "# TYPE switchboard_bridge_messages_total counter\n";
    for (int i = 0; i < m_bindings.size(); ++i) {
        const Counters &c = m_counters[i];
        const QByteArray queue = prometheusLabelValue(m_bindings.at(i).queue);
        const auto line = [&](const char *outcome, quint64 n) {
            out += "switchboard_bridge_messages_total{queue=\"" + queue + "\",outcome=\"" + outcome + "\"} "
                + QByteArray::number(n) + '\n';
        };
        line("received", c.received.load(std::memory_order_relaxed));
        line("emitted", c.emitted.load(std::memory_order_relaxed));
        line("rejected", c.rejected.load(std::memory_order_relaxed));
        line("redelivered", c.redelivered.load(std::memory_order_relaxed));
    }
    QMutexLocker lock(&m_lock);
    out += "# HELP switchboard_bridge_connected 1 while the AMQP bridge is connected and consuming.\n"
           "# TYPE switchboard_bridge_connected gauge\n"
           "switchboard_bridge_connected " + QByteArray(m_state == QLatin1String("connected") ? "1" : "0") + '\n';
    return out;
}

} // namespace Switchboard
