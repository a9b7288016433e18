#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>

#include "hooks/decisioncache.h"
#include "hooks/hookclient.h"
#include "hooks/hookrules.h"
#include "metrics/metrics.h"
#include "transport/joinauthorizer.h"

namespace Switchboard {

/**
 * @brief The subscribe proxy (docs/hooks.md): a client's join of a room that matches a
 * "subscribe" rule of --hooks is decided by a back end, POSTed and signed like the event
 * proxy's calls; the decision is cached per (user, room) for the rule's cacheMs.
 *
 * Any thread may ask; HTTP runs on the HookClient's thread. A failure (timeout, network,
 * 5xx, a bad answer) refuses the join (subscribe_unavailable) and is not cached. Identical
 * questions (same user and room) while one is being asked wait for its answer instead of
 * asking again. Counts calls, decisions, failures, cache hits, misses and evictions.
 */
class SubscribeProxy final : public JoinAuthorizer
{
    Q_DISABLE_COPY_MOVE(SubscribeProxy)

public:
    SubscribeProxy(const HookSettings &settings, const QByteArray &secret);
    ~SubscribeProxy() override;

    /// Starts the HTTP client's thread (before the I/O threads may call in).
    void start();
    /// Answers every call in flight with "unavailable" and joins the HTTP client's thread.
    void stop();

    bool covers(const QString &room) const override;
    void authorize(JoinRequest request, Done done) override;

    /// Prometheus lines, per rule (any thread).
    QByteArray prometheusText() const;

    /// What the back end's answer says; @p failed is set when it is no decision at all.
    static JoinDecision decide(const HookClient::Result &result, bool *failed);
    static QByteArray requestBody(const JoinRequest &request, const QString &rule, const QString &requestId);
    /// The cache key of @p userId joining @p room.
    static QString cacheKey(const QString &userId, const QString &room);

    struct Counters
    {
        std::atomic<quint64> calls{0};       // HTTP calls made
        std::atomic<quint64> allowed{0};     // joins allowed (from the back end or the cache)
        std::atomic<quint64> refused{0};     // joins the back end refused (or the cache did)
        std::atomic<quint64> failures{0};    // joins refused because no decision came
        std::atomic<quint64> cacheHits{0};   // answered from the cache, or by a call already asking
        std::atomic<quint64> cacheMisses{0}; // needed a call of their own
        LatencyHistogram latency;
    };

private:
    void finished(int rule, const QString &key, const HookClient::Result &result, qint64 startedNs);
    void count(int rule, const JoinDecision &decision, bool failed);

    const HookSettings m_settings;
    HookClient m_client;
    std::unique_ptr<Counters[]> m_counters;
    mutable QMutex m_lock; // m_cache, m_asking
    DecisionCache m_cache;
    QHash<QString, QList<Done>> m_asking; // key -> joins waiting for the call in flight
    std::atomic<quint64> m_evictions{0};
    std::atomic<qint64> m_cacheBytes{0};
    std::atomic<int> m_cacheEntries{0};
};

} // namespace Switchboard
