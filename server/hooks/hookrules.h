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
};

/// The hooks file (--hooks): the event proxy's rules and its limits.
struct HookSettings
{
    QList<HookRule> events;
    int maxInFlight = 64;                  // HTTP calls in flight, all rules together
    qint64 maxResponseBytes = 64 * 1024;   // a back end's answer body, read at most
    ConnectHookSettings connect;           // the connect proxy; disabled without "connect"

    bool needsSecret() const;
};

class HookRules final
{
public:
    /**
     * Parses {"events": [...], "connect"?, "maxInFlight"?, "maxResponseBytes"?}
     * ("events" may be left out when "connect" is given). Returns false with
     * @p error naming the field (e.g. "events[1].timeoutMs: ...") when it is invalid.
     */
    static bool parse(const QByteArray &json, HookSettings *settings, QString *error);
    /// Reads and parses @p path; the error names the file too.
    static bool load(const QString &path, HookSettings *settings, QString *error);

    /// Whether @p name matches @p pattern ("*" any run, also empty; "?" one character).
    static bool matches(const QString &pattern, const QString &name);
    /// Index of the first rule of @p settings that takes @p event, or -1.
    static int find(const HookSettings &settings, const QString &event);
};

} // namespace Switchboard
