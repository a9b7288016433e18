#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include "auth/admintoken.h"

namespace Switchboard {

class FileWorker;

/// Who did something on an admin route or channel.
struct AdminCaller
{
    enum class Kind { None, InternalKey, StaticToken, Token };
    Kind kind = Kind::None;
    AdminRole role = AdminRole::None;
    QString name;   // the token's sub; "static" for --admin-token, "internal" for the key
    QString jti;    // the token's id; "static" / "internal" for the fixed credentials
};

/// One audited action. result: ok, forbidden, unauthenticated, not_found, invalid, error.
struct AuditRecord
{
    qint64 timeMs = 0;
    AdminCaller who;
    QString action;
    QString target;
    QString result;
    QString detail;
    int status = 0;     // the HTTP status answered, 0 on the channel
    QString remote;     // the caller's address
};

/**
 * @brief The admin audit log (docs/operations.md, "Roles and audit"): JSON lines in
 * <data dir>/audit.log, written on the FileWorker, never on the calling thread.
 *
 * Bounded: when a line would take the file past maxBytes it is renamed audit.log.1 (the
 * previous .1 is removed) and a new one begun, so the two together stay under 2 x maxBytes.
 * Records the worker cannot take (its queue full) are counted and reported in the next line
 * written. Without a data dir (embedded tests) nothing is written.
 */
class AuditLog final
{
    Q_DISABLE_COPY_MOVE(AuditLog)

public:
    AuditLog(const QString &path, qint64 maxBytes, FileWorker &worker);
    ~AuditLog();

    static constexpr int kMaxFieldChars = 256;
    static constexpr int kMaxReadLimit = 1000;

    /// Queues @p record for the writer (any thread, no I/O).
    void record(AuditRecord record);
    /// Reads the records newer than @p sinceMs (the newest @p limit, oldest first) on the
    /// worker and hands them to @p done there.
    void read(qint64 sinceMs, int limit, std::function<void(const QJsonArray &records, bool ok)> done);
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    QString path() const { return m_path; }

    static QJsonObject toJson(const AuditRecord &record);

private:
    struct Writer;
    void write(const QJsonObject &line);

    const QString m_path;
    const qint64 m_maxBytes;
    FileWorker &m_worker;
    std::shared_ptr<Writer> m_writer; // worker thread only
    std::atomic<quint64> m_dropped{0};
};

} // namespace Switchboard
