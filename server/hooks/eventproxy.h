#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QList>

#include "emit.h"
#include "hooks/hookclient.h"
#include "hooks/hookrules.h"
#include "metrics/metrics.h"
#include "transport/clientevents.h"

namespace Switchboard {

/**
 * @brief The event proxy (docs/hooks.md): client events that match a rule of --hooks are
 * POSTed, signed, to a back end whose answer becomes the client's reply, emits to rooms and
 * users, or an error; or they are enqueued into a durable queue for workers.
 *
 * Any thread may hand it events; HTTP runs on the HookClient's thread and enqueues on the
 * queue thread, and the answer comes back through the ClientEventHandler callback. Counts
 * calls, failures, timeouts, refusals, enqueues and latency per rule. Queue rules are bounded
 * like HTTP calls: at most maxInFlight enqueues in flight, and a queue holding its rule's
 * maxQueueDepth live messages takes no more (both hook_busy). One connection has at most
 * maxInFlightPerConnection calls and enqueues in flight, so it cannot use up the global cap.
 */
class EventProxy final : public ClientEventHandler
{
    Q_DISABLE_COPY_MOVE(EventProxy)

public:
    /// The server's normal emit path (any thread).
    using Emitter = std::function<EmitResult(EmitRequest)>;
    /// Enqueues @p payload (compact JSON) into durable queue @p queue unless it holds
    /// @p maxDepth live messages; @p done gets the new message's id, or an error (@p full: the
    /// queue is full), on any thread, once it is committed or refused.
    using Enqueuer = std::function<void(const QString &queue, const QByteArray &payload, qint64 maxDepth,
                                        std::function<void(qint64 id, const QString &error, bool full)> done)>;

    EventProxy(const HookSettings &settings, const QByteArray &secret, Emitter emitter, Enqueuer enqueuer);
    ~EventProxy() override;

    /// Starts the HTTP client's thread (after the I/O threads may call in).
    void start();
    /// Answers every call in flight with "unavailable" and joins the HTTP client's thread.
    void stop();

    bool handles(const QString &event) const override;
    void handle(ClientEvent event, Answer answer) override;

    /// Prometheus lines, per rule (any thread).
    QByteArray prometheusText() const;

    /// What a back end's answer @p body asks for: the client's answer and the emits to make
    /// (none with an error). A body that is not such an answer gives hook_failed.
    struct Decision
    {
        ClientEventAnswer client;
        QList<EmitRequest> emits;
        bool invalid = false;   // hook_failed: the body is not a valid answer
    };
    static Decision decide(const QByteArray &body);
    /// The JSON body POSTed (or enqueued) for @p event under rule @p rule; @p requestId is
    /// unique per event (a retry repeats it, so a back end can tell a retry from a new event).
    static QByteArray requestBody(const ClientEvent &event, const QString &rule, const QString &requestId);

    struct Counters
    {
        std::atomic<quint64> calls{0};
        std::atomic<quint64> failures{0};
        std::atomic<quint64> timeouts{0};
        std::atomic<quint64> rejected{0};
        std::atomic<quint64> enqueued{0};   // queue rules: committed
        LatencyHistogram latency;
    };

private:
    void finished(int rule, const ClientEvent &event, const HookClient::Result &result, qint64 startedNs,
                  const Answer &answer);
    void enqueue(int rule, const QByteArray &body, Answer answer);
    /// One more call of connection @p id in flight, unless it has maxInFlightPerConnection.
    bool admit(quint64 id);
    void release(quint64 id);

    const HookSettings m_settings;
    const Emitter m_emit;
    const Enqueuer m_enqueue;
    HookClient m_client;
    std::unique_ptr<Counters[]> m_counters;
    /// Enqueues of queue rules in flight (all rules), bounded by maxInFlight like HTTP calls.
    std::atomic<int> m_enqueuing{0};
    /// Calls and enqueues in flight per connection (only connections that have some).
    QMutex m_perConnectionLock;
    QHash<quint64, int> m_perConnection;
};

} // namespace Switchboard
