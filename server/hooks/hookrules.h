#pragma once

#include <QtCore/QList>
#include <QtCore/QLoggingCategory>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include "connectsettings.h"

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcHooks)

/**
 * @brief One rule of the event proxy (docs/hooks.md): which client events it takes and
 * where they go, a back end over HTTP or a durable queue.
 *
 * Plain data, parsed and checked once at startup by HookRules::parse.
 */
struct HookRule
{
    QString name;             // for logs and metrics; default: the patterns joined with ","
    QStringList match;        // event-name patterns: "*" any run, "?" any one character
    QUrl url;                 // http:// or https://; empty with queue
    QString queue;            // durable queue instead of HTTP
    int timeoutMs = 5000;     // per attempt
    bool idempotent = false;  // retried after a timeout, a network error or a 5xx
    int retries = 0;          // extra attempts (idempotent only)
    qint64 maxQueueDepth = 10000; // queue rules: live messages the queue may hold; over it hook_busy
};

/**
 * @brief One rule of the subscribe proxy (docs/hooks.md, "The subscribe proxy"): client joins
 * of rooms it matches are decided by a back end, and the decision is cached for cacheMs.
 */
struct SubscribeRule
{
    QString name;             // for logs and metrics; default: the patterns joined with ","
    QStringList match;        // room-name patterns: "*" any run, "?" any one character
    QUrl url;                 // http:// or https://
    int timeoutMs = 2000;     // the one attempt; no answer in time refuses the join
    int cacheMs = 0;          // how long a decision (allow or refusal) is reused; 0 = never
};

/// The hooks file (--hooks): the event proxy's rules and its limits.
struct HookSettings
{
    QList<HookRule> events;
    // The subscribe proxy (docs/hooks.md): its rules, the byte cap of its decision cache and
    // how many joins one connection may have waiting for a back end.
    QList<SubscribeRule> subscribe;
    qint64 subscribeCacheMaxBytes = 4 * 1024 * 1024;
    int subscribeMaxPending = 16;
    int maxInFlight = 64;                  // HTTP calls in flight, all rules together; enqueues likewise
    int maxInFlightPerConnection = 8;      // calls and enqueues in flight for one connection
    qint64 maxResponseBytes = 64 * 1024;   // a back end's answer body, read at most
    ConnectHookSettings connect;           // the connect proxy; disabled without "connect"

    bool needsSecret() const;
};

class HookRules final
{
public:
    /**
     * Parses {"events": [...], "subscribe"?: [...], "connect"?: {...}, "maxInFlight"?,
     * "maxInFlightPerConnection"?, "maxResponseBytes"?, "subscribeCacheMaxBytes"?,
     * "subscribeMaxPending"?} ("events" may be left out when "subscribe" or "connect" is
     * there). Returns false with
     * @p error naming the field (e.g. "events[1].timeoutMs: ...") when it is invalid.
     */
    static bool parse(const QByteArray &json, HookSettings *settings, QString *error);
    /// Reads and parses @p path; the error names the file too.
    static bool load(const QString &path, HookSettings *settings, QString *error);

    /// Whether @p name matches @p pattern ("*" any run, also empty; "?" one character).
    static bool matches(const QString &pattern, const QString &name);
    /// Index of the first rule of @p settings that takes @p event, or -1.
    static int find(const HookSettings &settings, const QString &event);
    /// Index of the first subscribe rule of @p settings whose pattern matches @p room, or -1.
    static int findSubscribe(const HookSettings &settings, const QString &room);
};

} // namespace Switchboard
