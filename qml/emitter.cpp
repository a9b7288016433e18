#include "emitter.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtQml/QQmlEngine>

#include "consolecontext.h"
#include "jsoncheck.h"
#include "server.h"

namespace Switchboard {

// --- AcksModel ---------------------------------------------------------------------------

int AcksModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_acks.size());
}

QVariant AcksModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Ack &a = m_acks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case UserIdRole: return a.userId;
    case ConnectionIdRole: return qint64(a.connectionId);
    case OkRole: return a.ok;
    case ErrorRole: return a.error;
    case LatencyRole: return a.latencyMs;
    case TimeRole: return a.time;
    }
    return {};
}

QHash<int, QByteArray> AcksModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {ConnectionIdRole, "connectionId"}, {UserIdRole, "userId"},
            {OkRole, "ok"}, {ErrorRole, "error"}, {LatencyRole, "latencyMs"}, {TimeRole, "time"}};
}

void AcksModel::clear()
{
    if (m_acks.isEmpty())
        return;
    beginResetModel();
    m_acks.clear();
    endResetModel();
    Q_EMIT countChanged();
}

void AcksModel::append(const QList<Ack> &acks)
{
    if (acks.isEmpty())
        return;
    beginInsertRows({}, int(m_acks.size()), int(m_acks.size() + acks.size()) - 1);
    m_acks.append(acks);
    endInsertRows();
    Q_EMIT countChanged();
}

// --- EmitHistoryModel --------------------------------------------------------------------

int EmitHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant EmitHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case EventRole: return e.event;
    case IdRole: return e.id;
    case TimeRole: return e.time;
    case TargetKindRole: return e.targetKind;
    case TargetRole: return e.target;
    case PayloadRole: return e.payload;
    case DeliveredRole: return e.delivered;
    case AckRole: return e.ack;
    case AcksRole: return e.acks;
    case ErrorRole: return e.error;
    }
    return {};
}

QHash<int, QByteArray> EmitHistoryModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {IdRole, "emitId"}, {TimeRole, "time"},
            {TargetKindRole, "targetKind"}, {TargetRole, "target"}, {EventRole, "event"},
            {PayloadRole, "payload"}, {DeliveredRole, "delivered"}, {AckRole, "ack"},
            {AcksRole, "acks"}, {ErrorRole, "error"}};
}

void EmitHistoryModel::prepend(const Entry &entry)
{
    if (m_entries.size() >= kMaxEntries) {
        beginRemoveRows({}, int(m_entries.size()) - 1, int(m_entries.size()) - 1);
        m_entries.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_entries.prepend(entry);
    endInsertRows();
    Q_EMIT countChanged();
}

void EmitHistoryModel::addAcks(const QString &id, int n)
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).id == id) {
            m_entries[i].acks += n;
            Q_EMIT dataChanged(index(i), index(i), {AcksRole});
            return;
        }
    }
}

const EmitHistoryModel::Entry *EmitHistoryModel::at(int row) const
{
    return row >= 0 && row < m_entries.size() ? &m_entries.at(row) : nullptr;
}

// --- Emitter -----------------------------------------------------------------------------

Emitter *Emitter::create(QQmlEngine *, QJSEngine *)
{
    auto *emitter = new Emitter(ConsoleContext::server());
    QJSEngine::setObjectOwnership(emitter, QJSEngine::JavaScriptOwnership);
    return emitter;
}

Emitter::Emitter(Server *server, QObject *parent) : QObject(parent), m_server(server)
{
    m_ackTimeout.setSingleShot(true);
    connect(&m_ackTimeout, &QTimer::timeout, this, [this] {
        flushAcks();
        if (ackPending()) {
            m_timedOut = true;
            Q_EMIT acksChanged();
        }
    });
    m_flushTimer.setInterval(100);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &Emitter::flushAcks);
    if (m_server) {
        // Runs on the I/O thread that read the ack: only the console's own ids go further.
        m_ackConnection = connect(m_server, &Server::ackReceived, m_server,
            [this](const QString &emitId, quint64 connectionId, const QString &userId, bool ok, const QString &error) {
                {
                    QMutexLocker lock(&m_watchMutex);
                    if (!m_watched.contains(emitId))
                        return;
                }
                QMetaObject::invokeMethod(this, [=, this] { onAck(emitId, connectionId, userId, ok, error); },
                                          Qt::QueuedConnection);
            }, Qt::DirectConnection);
    }
}

Emitter::~Emitter()
{
    QObject::disconnect(m_ackConnection);
}

bool Emitter::ackPending() const
{
    return m_lastAck && m_acksOk + m_acksFailed + int(m_pendingAcks.size()) < m_lastDelivered && !m_timedOut;
}

void Emitter::setError(const QString &error)
{
    m_lastError = error;
    Q_EMIT lastChanged();
}

QString Emitter::send(int targetKind, const QString &target, const QString &event, const QString &payloadJson,
                      bool ack, int ackTimeoutMs, bool persist, const QString &exceptUser)
{
    if (!m_server) {
        setError(tr("No server"));
        return {};
    }
    const QString name = event.trimmed();
    if (name.isEmpty()) {
        setError(tr("Enter an event name"));
        return {};
    }
    const JsonCheck::Result payload = JsonCheck::parse(payloadJson, true);
    if (!payload.ok) {
        setError(tr("Payload is not valid JSON (line %1, column %2): %3")
                     .arg(payload.line).arg(payload.column).arg(payload.error));
        return {};
    }
    EmitRequest request;
    request.event = name;
    request.payload = payload.value;
    request.ack = ack;
    request.persist = persist;
    request.exceptUserId = exceptUser.trimmed();
    request.source = QStringLiteral("console");
    const QString t = target.trimmed();
    switch (targetKind) {
    case Broadcast: request.target = EmitRequest::Target::Broadcast; break;
    case Room: request.target = EmitRequest::Target::Room; request.room = t; break;
    case User: request.target = EmitRequest::Target::User; request.userId = t; break;
    case Connection: {
        bool ok = false;
        request.target = EmitRequest::Target::Connection;
        request.connectionId = t.startsWith(QLatin1Char('#')) ? t.mid(1).toULongLong(&ok) : t.toULongLong(&ok);
        if (!ok) {
            setError(tr("Enter a connection id (a number)"));
            return {};
        }
        break;
    }
    default:
        setError(tr("Unknown target"));
        return {};
    }
    if (targetKind != Broadcast && t.isEmpty()) {
        setError(tr("Enter a target"));
        return {};
    }
    request.id = Server::newId();
    if (ack) {
        // Watch before sending: a fast client can ack before emitEvent() returns.
        QMutexLocker lock(&m_watchMutex);
        if (m_watched.size() > 256)
            m_watched.clear(); // acks of long-past emits only update the history count
        m_watched.insert(request.id);
    }
    flushAcks();
    m_acks.clear();
    m_pendingAcks.clear();
    m_acksOk = 0;
    m_acksFailed = 0;
    m_timedOut = false;
    m_sentAt.start();

    const EmitResult result = m_server->emitEvent(request);
    m_lastId = result.id;
    m_lastDelivered = result.delivered;
    m_lastError = result.error;
    m_lastEvent = name;
    m_lastAck = ack && result.error.isEmpty();
    ++m_sent;
    if (m_lastAck && result.delivered > 0)
        m_ackTimeout.start(qMax(100, ackTimeoutMs));
    else
        m_ackTimeout.stop();

    EmitHistoryModel::Entry entry;
    entry.id = result.id;
    entry.time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    entry.targetKind = targetKind;
    entry.target = t;
    entry.event = name;
    entry.payload = payloadJson.trimmed().isEmpty() ? QString() : JsonCheck().compact(payloadJson);
    entry.delivered = result.delivered;
    entry.ack = ack;
    entry.persist = persist;
    entry.exceptUser = request.exceptUserId;
    entry.ackTimeoutMs = ackTimeoutMs;
    entry.error = result.error;
    m_history.prepend(entry);

    m_recent.removeAll(name);
    m_recent.prepend(name);
    while (m_recent.size() > 12)
        m_recent.removeLast();
    Q_EMIT recentEventsChanged();
    Q_EMIT lastChanged();
    Q_EMIT acksChanged();
    if (result.error.isEmpty())
        Q_EMIT sent(result.id, result.delivered);
    return result.error.isEmpty() ? result.id : QString();
}

QString Emitter::resend(int row)
{
    const EmitHistoryModel::Entry *e = m_history.at(row);
    if (!e)
        return {};
    const EmitHistoryModel::Entry copy = *e; // send() prepends to the history
    return send(copy.targetKind, copy.target, copy.event, copy.payload, copy.ack, copy.ackTimeoutMs,
                copy.persist, copy.exceptUser);
}

QString Emitter::historyPayload(int row) const
{
    const EmitHistoryModel::Entry *e = m_history.at(row);
    return e ? JsonCheck().pretty(e->payload) : QString();
}

void Emitter::onAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                    const QString &error)
{
    if (emitId != m_lastId) {
        m_history.addAcks(emitId, 1);
        return;
    }
    AcksModel::Ack a;
    a.connectionId = connectionId;
    a.userId = userId;
    a.ok = ok;
    a.error = error;
    a.latencyMs = m_sentAt.isValid() ? m_sentAt.elapsed() : 0;
    a.time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    m_pendingAcks.append(a);
    // Thousands of acks may arrive at once; the list is updated at most ten times a second.
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Emitter::flushAcks()
{
    if (m_pendingAcks.isEmpty())
        return;
    const QList<AcksModel::Ack> batch = std::exchange(m_pendingAcks, {});
    int ok = 0;
    for (const AcksModel::Ack &a : batch)
        ok += a.ok ? 1 : 0;
    m_acksOk += ok;
    m_acksFailed += int(batch.size()) - ok;
    m_acks.append(batch);
    m_history.addAcks(m_lastId, int(batch.size()));
    if (!ackPending())
        m_ackTimeout.stop();
    Q_EMIT acksChanged();
}

} // namespace Switchboard
