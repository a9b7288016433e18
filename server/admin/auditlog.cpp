#include "auditlog.h"

#include <deque>

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>

#include "core/fileworker.h"

namespace Switchboard {

Q_LOGGING_CATEGORY(lcAudit, "switchboard.audit")

/// The open file and its size; touched on the worker thread only.
struct AuditLog::Writer
{
    QFile file;
    qint64 size = 0;
    quint64 reportedDrops = 0;
    bool failed = false;
};

AuditLog::AuditLog(const QString &path, qint64 maxBytes, FileWorker &worker)
    : m_path(path), m_maxBytes(maxBytes), m_worker(worker), m_writer(std::make_shared<Writer>())
{
}

AuditLog::~AuditLog() = default;

QJsonObject AuditLog::toJson(const AuditRecord &r)
{
    auto field = [](const QString &text) { return text.left(kMaxFieldChars); };
    QJsonObject o{{QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                  {QStringLiteral("timeMs"), r.timeMs},
                  {QStringLiteral("name"), field(r.who.name)},
                  {QStringLiteral("role"), adminRoleName(r.who.role)},
                  {QStringLiteral("jti"), field(r.who.jti)},
                  {QStringLiteral("action"), field(r.action)},
                  {QStringLiteral("target"), field(r.target)},
                  {QStringLiteral("result"), r.result},
                  {QStringLiteral("remote"), field(r.remote)}};
    if (!r.detail.isEmpty())
        o.insert(QStringLiteral("detail"), field(r.detail));
    if (r.status)
        o.insert(QStringLiteral("status"), r.status);
    return o;
}

void AuditLog::record(AuditRecord record)
{
    if (m_path.isEmpty())
        return;
    if (!record.timeMs)
        record.timeMs = QDateTime::currentMSecsSinceEpoch();
    // Built here (a small object), written there.
    const QJsonObject line = toJson(record);
    if (!m_worker.post([this, line] { write(line); }))
        m_dropped.fetch_add(1, std::memory_order_relaxed);
}

void AuditLog::write(const QJsonObject &record)
{
    Writer &w = *m_writer;
    QByteArray line = QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
    const quint64 dropped = m_dropped.load(std::memory_order_relaxed);
    if (dropped > w.reportedDrops) {
        const QJsonObject note{{QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                               {QStringLiteral("timeMs"), QDateTime::currentMSecsSinceEpoch()},
                               {QStringLiteral("action"), QStringLiteral("audit.dropped")},
                               {QStringLiteral("result"), QStringLiteral("error")},
                               {QStringLiteral("detail"), QStringLiteral("%1 records lost: the audit writer was behind").arg(dropped - w.reportedDrops)}};
        line.prepend(QJsonDocument(note).toJson(QJsonDocument::Compact) + '\n');
        w.reportedDrops = dropped;
    }
    if (w.file.isOpen() && w.size + line.size() > m_maxBytes) {
        w.file.close();
        QFile::remove(m_path + QStringLiteral(".1"));
        QFile::rename(m_path, m_path + QStringLiteral(".1"));
    }
    if (!w.file.isOpen()) {
        w.file.setFileName(m_path);
        if (!w.file.open(QIODevice::WriteOnly | QIODevice::Append, QFile::ReadOwner | QFile::WriteOwner)) {
            if (!w.failed)
                qCWarning(lcAudit).noquote() << "cannot write the audit log" << m_path << ":" << w.file.errorString();
            w.failed = true;
            return;
        }
        w.failed = false;
        w.size = w.file.size();
        if (w.size + line.size() > m_maxBytes && w.size > 0) { // left over from an earlier run
            w.file.close();
            QFile::remove(m_path + QStringLiteral(".1"));
            QFile::rename(m_path, m_path + QStringLiteral(".1"));
            w.file.open(QIODevice::WriteOnly | QIODevice::Append, QFile::ReadOwner | QFile::WriteOwner);
            w.size = 0;
        }
    }
    w.file.write(line);
    w.file.flush();
    w.size += line.size();
}

void AuditLog::read(qint64 sinceMs, int limit, std::function<void(const QJsonArray &, bool)> done)
{
    if (m_path.isEmpty())
        return done({}, true);
    limit = qBound(1, limit, kMaxReadLimit);
    const QString path = m_path;
    const bool posted = m_worker.post([path, sinceMs, limit, done] {
        std::deque<QJsonObject> newest;
        for (const QString &name : {path + QStringLiteral(".1"), path}) {
            QFile file(name);
            if (!file.open(QIODevice::ReadOnly))
                continue;
            while (!file.atEnd()) {
                const QByteArray line = file.readLine(64 * 1024);
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.isEmpty() || qint64(o.value(QLatin1String("timeMs")).toDouble()) <= sinceMs)
                    continue;
                newest.push_back(o);
                if (newest.size() > size_t(limit))
                    newest.pop_front();
            }
        }
        QJsonArray records;
        for (const QJsonObject &o : newest)
            records.append(o);
        done(records, true);
    });
    if (!posted)
        done({}, false);
}

} // namespace Switchboard
