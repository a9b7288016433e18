#pragma once

#include <atomic>

#include <QtCore/QByteArray>

#include "hooks/hookclient.h"
#include "hooks/hookrules.h"
#include "metrics/metrics.h"
#include "transport/connecthandler.h"

namespace Switchboard {

/**
 * @brief The connect proxy (docs/hooks.md): a new connection's handshake (token, allow-listed
 * headers, query) is POSTed, signed, to the back end of the hooks file's "connect", whose
 * answer admits it (with a user id, extra rooms and claims) or refuses it with a reason.
 *
 * Fails closed: a back end that cannot be asked (timeout, network error, 5xx, an answer that
 * is not one) refuses the connection with connect_unavailable. Calls run on a HookClient of
 * its own (the event proxy's signing and limits, its own thread); counts calls, refusals,
 * failures and latency.
 */
class ConnectProxy final : public ConnectHandler
{
    Q_DISABLE_COPY_MOVE(ConnectProxy)

public:
    /// What of the handshake a request carries at most: beyond, headers and query parameters
    /// are left out (logged), never cut.
    static constexpr qsizetype kMaxHeaderBytes = 16 * 1024;
    static constexpr qsizetype kMaxQueryItems = 64;
    static constexpr qsizetype kMaxQueryBytes = 8 * 1024;
    /// What an answer may ask for.
    static constexpr qsizetype kMaxRooms = 100;
    static constexpr qsizetype kMaxUserIdBytes = 256;
    static constexpr qsizetype kMaxErrorMessage = 1024;

    ConnectProxy(const HookSettings &settings, const QByteArray &secret);
    ~ConnectProxy() override;

    void start();
    /// Answers every call in flight (connect_unavailable) and joins the HTTP client's thread.
    void stop();

    const QByteArrayList &headerNames() const override { return m_settings.headers; }
    void handle(ConnectRequest request, Answer answer) override;

    /// The JSON body POSTed for @p request.
    static QByteArray requestBody(const ConnectRequest &request, const QString &requestId);
    /// The verdict of a 2xx answer @p body on @p request. A body that is not a valid answer
    /// gives connect_unavailable with @p invalid set.
    static ConnectDecision decide(const ConnectRequest &request, const QByteArray &body, bool *invalid);

    /// Prometheus lines (any thread).
    QByteArray prometheusText() const;

private:
    void finished(const ConnectRequest &request, const HookClient::Result &result, qint64 startedNs,
                  const Answer &answer);

    const ConnectHookSettings m_settings;
    HookClient m_client;
    std::atomic<quint64> m_calls{0};
    std::atomic<quint64> m_admitted{0};
    std::atomic<quint64> m_refusals{0};
    std::atomic<quint64> m_failures{0};
    LatencyHistogram m_latency;
};

} // namespace Switchboard
