#pragma once

#include <functional>

#include <QtCore/QString>
#include <QtCore/QUrl>

namespace Switchboard {

/// --webhook-* options (docs/hooks.md, "Lifecycle webhooks"); off while url is empty.
struct WebhookSettings
{
    QUrl url;
    quint32 events = 0x1f;            // bits of Webhooks::Type; default all
    int batchSize = 100;              // events per POST
    int batchMs = 1000;               // longest an event waits for its batch to fill
    int queueMax = 10000;             // events waiting (not counting the batch in flight)
    qint64 queueMaxBytes = 8 * 1024 * 1024;
    int timeoutMs = 5000;             // per attempt
    int flushMs = 2000;               // at shutdown, how long queued events may take to go out

    bool enabled() const { return !url.isEmpty(); }
    /// Reads the --webhook-* options through @p resolve (the config loader's precedence);
    /// false with @p error naming the option when one is invalid.
    static bool load(const std::function<bool(const QString &, QString *)> &resolve, WebhookSettings *out,
                     QString *error);
};

} // namespace Switchboard
