#include "emitter.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>
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

void EmitHistoryModel::setDelivered(const QString &id, int delivered)
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).id == id) {
            if (m_entries.at(i).delivered != delivered) {
                m_entries[i].delivered = delivered;
                Q_EMIT dataChanged(index(i), index(i), {DeliveredRole});
            }
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
    auto *emitter = new Emitter(ConsoleContext::source());
    QJSEngine::setObjectOwnership(emitter, QJSEngine::JavaScriptOwnership);
    return emitter;
}

Emitter::Emitter(Server *server, QObject *parent) : QObject(parent), m_source(server)
{
    init();
}

Emitter::Emitter(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
    init();
}

void Emitter::init()
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
    if (m_source) {
        // Runs on the I/O thread that read the ack: only the console's own ids go further.
        // A remote source reports them too when its node pushes acks (docs/console.md, "Remote nodes").
        m_ackConnection = connect(m_source.get(), &ConsoleSource::ackReceived, m_source.get(),
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
    if (!m_lastAck || m_timedOut)
        return false;
    if (m_waiting)
        return true;
    const int total = m_ackTotal >= 0 ? m_ackTotal : m_lastDelivered;
    return m_acksOk + m_acksFailed + int(m_pendingAcks.size()) < total;
}

void Emitter::setError(const QString &error)
{
    m_lastError = error;
    Q_EMIT lastChanged();
}

QString Emitter::send(int targetKind, const QString &target, const QString &event, const QString &payloadJson,
                      bool ack, int ackTimeoutMs, bool persist, const QString &exceptUser)
{
    if (!m_source) {
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
    m_ackTotal = -1;
    m_ackWaitError.clear();
    m_waiting = ack;
    m_clustered = m_source->status().clustered;
    m_awaitingAnswer = true;
    m_sentAt.start();
    // Shown at once: a remote node answers an acked emit only when its ack wait is over.
    m_lastId = request.id;
    m_lastEvent = name;
    m_lastError.clear();
    m_lastDelivered = 0;
    m_lastAck = ack;
    Q_EMIT lastChanged();
    Q_EMIT acksChanged();

    // A local source answers before emitEvent() returns; a remote one when the node has.
    struct Answer { bool inCall = true; bool answered = false; EmitResult result; };
    auto answer = std::make_shared<Answer>();
    const QPointer<Emitter> guard(this);
    const QString exceptUserId = request.exceptUserId;
    const QString requestId = request.id;
    m_source->emitEvent(request, ack ? ackTimeoutMs : 0, [answer, guard, exceptUserId, name, ack, ackTimeoutMs, targetKind, t, payloadJson,
                                  persist](const EmitResult &result) {
        if (answer->inCall) {
            answer->answered = true;
            answer->result = result;
        }
        if (!guard)
            return;
        guard->m_lastId = result.id;
        guard->m_lastDelivered = result.delivered;
        guard->m_lastError = result.error;
        guard->m_lastEvent = name;
        guard->m_lastAck = ack && result.error.isEmpty();
        guard->m_awaitingAnswer = false;
        if (!guard->m_lastAck)
            guard->m_waiting = false;
        ++guard->m_sent;
        // The ack wait ends by itself; this is the backstop should its answer never come.
        if (guard->m_lastAck && (result.delivered > 0 || guard->m_waiting))
            guard->m_ackTimeout.start(qMax(100, ackTimeoutMs) + (guard->m_waiting ? 2000 : 0));
        else
            guard->m_ackTimeout.stop();

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
        entry.exceptUser = exceptUserId;
        entry.ackTimeoutMs = ackTimeoutMs;
        entry.error = result.error;
        guard->m_history.prepend(entry);

        guard->m_recent.removeAll(name);
        guard->m_recent.prepend(name);
        while (guard->m_recent.size() > 12)
            guard->m_recent.removeLast();
        Q_EMIT guard->recentEventsChanged();
        Q_EMIT guard->lastChanged();
        Q_EMIT guard->acksChanged();
        if (result.error.isEmpty())
            Q_EMIT guard->sent(result.id, result.delivered);
    }, [guard, requestId](const SourceAckWait &wait) {
        if (guard)
            guard->onAckWait(requestId, wait);
    });
    answer->inCall = false;
    if (!answer->answered)
        return requestId; // sent; the node's answer updates the last result
    return answer->result.error.isEmpty() ? answer->result.id : QString();
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

void Emitter::onAckWait(const QString &emitId, const SourceAckWait &wait)
{
    if (emitId != m_lastId || !m_lastAck) {
        // An older emit's wait: only its history row learns the outcome.
        if (wait.error.isEmpty()) {
            m_history.setDelivered(emitId, wait.delivered);
            if (!wait.live)
                m_history.addAcks(emitId, int(wait.acks.size()));
        }
        return;
    }
    m_waiting = false;
    if (!wait.error.isEmpty()) {
        // Acks still come one by one from a local source; they are set against this node's count.
        m_ackWaitError = wait.error;
        if (!ackPending())
            m_ackTimeout.stop();
        Q_EMIT acksChanged();
        return;
    }
    if (!wait.live) {
        for (const SourceAckWait::Ack &a : wait.acks) {
            AcksModel::Ack ack;
            ack.connectionId = a.connectionId;
            ack.userId = a.userId;
            ack.ok = a.ok;
            ack.error = a.error;
            ack.latencyMs = -1; // the node's answer does not say when each came
            ack.time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz"));
            m_pendingAcks.append(ack);
        }
    }
    flushAcks();
    m_ackTotal = wait.delivered;
    m_history.setDelivered(emitId, wait.delivered);
    const int answered = m_acksOk + m_acksFailed;
    m_timedOut = !wait.complete && wait.delivered >= 0 && answered < wait.delivered;
    m_ackTimeout.stop();
    Q_EMIT acksChanged();
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
