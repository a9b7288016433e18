#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/// High is served before normal before low; FIFO (by id) within one priority.
enum class QueuePriority : quint8 { High = 0, Normal = 1, Low = 2 };

QString priorityName(QueuePriority priority);
/// Accepts "high", "normal", "low" (any case). False for anything else.
bool parsePriority(const QString &text, QueuePriority *priority);

/// One durable message (SPEC §4). Ids are never reused, so a late ack cannot hit a newer job.
struct QueueMessage
{
    qint64 id = 0;
    QString queue;
    QByteArray payload;                 // compact JSON text; empty when not loaded
    QueuePriority priority = QueuePriority::Normal;
    int attempts = 0;                   // deliveries so far
    int maxAttempts = 5;
    qint64 availableAtMs = 0;           // wall clock; later than now = delayed
    qint64 createdAtMs = 0;
    qint64 deadAtMs = 0;                // set once it is in the dead-letter list
    QString lastError;
};

/// What a queue holds and has done, for the HTTP API, metrics and the console.
struct QueueStats
{
    QString name;
    qint64 ready = 0;
    qint64 inFlight = 0;
    qint64 delayed = 0;
    qint64 dead = 0;
    int consumers = 0;
    quint64 enqueued = 0;               // totals since start
    quint64 acked = 0;
    quint64 nacked = 0;                 // nacks, visibility timeouts and consumer losses
    quint64 deadLettered = 0;
    double enqueuedPerSec = 0;          // over the last second
    double ackedPerSec = 0;
    double nackedPerSec = 0;
    double deadLetteredPerSec = 0;

    qint64 depth() const { return ready + inFlight + delayed; }
};

/// {"name","ready","inFlight","delayed","dead","depth","consumers","enqueued",...,"rates":{...}}
QJsonObject queueStatsJson(const QueueStats &stats);

/// Queue names: 1-128 characters from [A-Za-z0-9_.:-].
bool isValidQueueName(const QString &name);

/// Queue-name patterns (--client-queues): queue-name characters plus "*" (any run, also
/// empty) and "?" (any one character), e.g. "booking_*".
bool isValidQueuePattern(const QString &pattern);
/// Whether @p name matches one of @p patterns (whole name).
bool matchesQueuePattern(const QStringList &patterns, const QString &name);

} // namespace Switchboard
