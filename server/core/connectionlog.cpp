#include "connectionlog.h"

#include <cstdio>

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QThread>

#include "logging.h"

namespace Switchboard {

namespace {

/// Room names and user ids are bounded elsewhere; reasons come from clients and peers.
constexpr qsizetype kMaxReasonChars = 256;

QString quoted(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""))
        .replace(QLatin1Char('\n'), QLatin1String("\\n")).replace(QLatin1Char('\r'), QLatin1String("\\r"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

} // namespace

ConnectionLog::ConnectionLog(const QString &format)
    : m_enabled(!format.isEmpty()), m_json(format == QLatin1String("json"))
{
    if (!m_enabled)
        return;
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("switchboard-connection-log"));
    m_thread->start(QThread::LowPriority);
}

ConnectionLog::~ConnectionLog()
{
    if (!m_thread)
        return;
    {
        QMutexLocker lock(&m_lock);
        m_stopping = true;
        m_wake.wakeOne();
    }
    m_thread->wait(); // writes what is queued first
    delete m_thread;
}

void ConnectionLog::connected(quint64 id, const QString &userId, const QString &protocol, const QString &address,
                              const QStringList &rooms)
{
    if (!m_enabled)
        return;
    push({{QStringLiteral("event"), QStringLiteral("connect")},
          {QStringLiteral("connectionId"), QString::number(id)},
          {QStringLiteral("userId"), userId},
          {QStringLiteral("protocol"), protocol},
          {QStringLiteral("address"), address},
          {QStringLiteral("rooms"), QJsonArray::fromStringList(rooms)}});
}

void ConnectionLog::disconnected(quint64 id, const QString &userId, int code, const QString &reason)
{
    if (!m_enabled)
        return;
    push({{QStringLiteral("event"), QStringLiteral("disconnect")},
          {QStringLiteral("connectionId"), QString::number(id)},
          {QStringLiteral("userId"), userId},
          {QStringLiteral("code"), code},
          {QStringLiteral("reason"), reason.left(kMaxReasonChars)}});
}

void ConnectionLog::joined(quint64 id, const QString &userId, const QString &room)
{
    if (!m_enabled)
        return;
    push({{QStringLiteral("event"), QStringLiteral("join")},
          {QStringLiteral("connectionId"), QString::number(id)},
          {QStringLiteral("userId"), userId},
          {QStringLiteral("room"), room}});
}

void ConnectionLog::left(quint64 id, const QString &userId, const QString &room)
{
    if (!m_enabled)
        return;
    push({{QStringLiteral("event"), QStringLiteral("leave")},
          {QStringLiteral("connectionId"), QString::number(id)},
          {QStringLiteral("userId"), userId},
          {QStringLiteral("room"), room}});
}

void ConnectionLog::push(QJsonObject record)
{
    if (!lcConnections().isInfoEnabled())
        return; // filtered out by QT_LOGGING_RULES: nothing to queue
    record.insert(QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    // An estimate, cheap enough for the I/O thread: UTF-16 text plus each element's overhead
    // (a CBOR element and a string header, about 48 bytes). Every room of a connect record is
    // counted with its own length: rooms may be long, and a connection may hold many.
    constexpr qint64 kPerElement = 48;
    qint64 bytes = 256;
    for (auto it = record.constBegin(); it != record.constEnd(); ++it) {
        bytes += kPerElement + 2 * it.key().size();
        if (it->isArray()) {
            const QJsonArray array = it->toArray();
            for (const QJsonValue &element : array)
                bytes += kPerElement + 2 * element.toString().size();
        } else {
            bytes += 2 * it->toString().size();
        }
    }
    QMutexLocker lock(&m_lock);
    if (m_queuedBytes + bytes > kMaxQueuedBytes) {
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    m_queuedBytes += bytes;
    m_queue.emplace_back(std::move(record), bytes);
    m_wake.wakeOne();
}

void ConnectionLog::run()
{
    for (;;) {
        std::deque<std::pair<QJsonObject, qint64>> batch;
        {
            QMutexLocker lock(&m_lock);
            while (m_queue.empty() && !m_stopping)
                m_wake.wait(&m_lock);
            if (m_queue.empty() && m_stopping)
                return;
            batch.swap(m_queue);
            m_queuedBytes = 0;
        }
        for (const auto &entry : batch)
            write(entry.first);
        const quint64 dropped = m_dropped.load(std::memory_order_relaxed);
        if (dropped != m_reportedDrops) {
            qCWarning(lcConnections) << "connection log: dropped" << dropped - m_reportedDrops
                                     << "records over its queue bound of" << kMaxQueuedBytes << "bytes";
            m_reportedDrops = dropped;
        }
    }
}

void ConnectionLog::write(const QJsonObject &record) const
{
    if (m_json) {
        // A JSON line of its own (whatever --log-format is), shaped like the json log format's.
        QJsonObject line = record;
        line.insert(QStringLiteral("level"), QStringLiteral("info"));
        line.insert(QStringLiteral("category"), QLatin1String(lcConnections().categoryName()));
        const QByteArray out = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
        std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
        std::fflush(stderr);
        return;
    }
    const QString event = record.value(QLatin1String("event")).toString();
    QString text = QStringLiteral("%1 connection=%2 user=%3").arg(event, record.value(QLatin1String("connectionId")).toString(),
                                                                   quoted(record.value(QLatin1String("userId")).toString()));
    if (event == QLatin1String("connect")) {
        QStringList rooms;
        for (const QJsonValue &room : record.value(QLatin1String("rooms")).toArray())
            rooms << room.toString();
        text += QStringLiteral(" protocol=%1 address=%2 rooms=%3").arg(record.value(QLatin1String("protocol")).toString(),
                                                                       record.value(QLatin1String("address")).toString(),
                                                                       quoted(rooms.join(QLatin1Char(','))));
    } else if (event == QLatin1String("disconnect")) {
        text += QStringLiteral(" code=%1 reason=%2").arg(record.value(QLatin1String("code")).toInt())
                    .arg(quoted(record.value(QLatin1String("reason")).toString()));
    } else {
        text += QStringLiteral(" room=%1").arg(quoted(record.value(QLatin1String("room")).toString()));
    }
    qCInfo(lcConnections).noquote() << text;
}

} // namespace Switchboard
