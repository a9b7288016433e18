#include "rediseventstream.h"

#include <limits>

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>

#include "cluster/redisstreamtail.h"
#include "cluster/streamrecordscript.h"
#include "core/logging.h"
#include "server.h"
#include "transport/ioworker.h"

namespace Switchboard {

namespace {

constexpr int kPageEntries = 256;

// A session key holds the socket's state and "w", the connection that owns it. Only the
// owner (or anyone, on a key without one) writes or deletes it.
constexpr char kWriteScript[] = R"(
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, o = pcall(cjson.decode, cur)
  if ok and type(o) == 'table' and o.w and o.w ~= ARGV[1] then return 0 end
end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
)";

// Takes a session of the user: answers it and leaves a tombstone owned by the taker for the
// window (a session of another user, or a tombstone, is left alone and not answered).
constexpr char kTakeScript[] = R"(
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local ok, o = pcall(cjson.decode, cur)
if not ok or type(o) ~= 'table' or o.taken or o.u ~= ARGV[2] then return false end
redis.call('SET', KEYS[1], cjson.encode({w = ARGV[1], taken = 1}), 'EX', ARGV[3])
return cur
)";

QJsonArray idList(const QList<quint64> &ids)
{
    QJsonArray out;
    for (quint64 id : ids)
        out.append(QString::number(id));
    return out;
}

QList<quint64> idsOf(const QJsonValue &value)
{
    QList<quint64> out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString().toULongLong());
    return out;
}

QStringList stringsOf(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

quint64 bare(quint64 offset)
{
    return offset & ~StreamOffset::kStreamBit;
}

/// XINFO STREAM's flat key/value reply, by key.
QHash<QByteArray, RedisReply> fields(const RedisReply &reply)
{
    QHash<QByteArray, RedisReply> out;
    for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2)
        out.insert(reply.elements.at(i).string, reply.elements.at(i + 1));
    return out;
}

} // namespace

struct RedisEventStream::ReadState
{
    quint64 after = 0;
    quint64 cursor = 0;
    Reader reader;
    qint64 bytes = 0;   // of the reader's events
    qint64 scanned = 0; // of every entry read
    Read read;
    std::function<void(Read)> done;
};

RedisEventStream::RedisEventStream(RedisUrl url, Options options)
    : m_options(std::move(options))
    , m_url(url)
    , m_link(std::move(url), RedisLink::Options{m_options.timeoutMs, m_options.maxPendingBytes})
    , m_streamKey(m_options.key.toUtf8() + ":sb:events")
    , m_sessionPrefix(m_options.key.toUtf8() + ":sb:recovery:")
    , m_bytesKey(m_streamKey + ":bytes")
    , m_instance(QByteArray::number(QRandomGenerator::system()->generate64(), 36))
{
    // Where this node starts: every event recorded before it came up is older than its sockets.
    QObject::connect(&m_link, &RedisLink::connectedChanged, &m_link, [this](bool connected) {
        if (!connected)
            return;
        // A gap left while Redis was away is marked at once, not only with the next record.
        if (m_gapsWanted.load() > m_gapsWritten.load())
            writeGap("events were delivered unrecorded while Redis could not be written");
        m_link.command({"XINFO", "STREAM", m_streamKey}, [this](const RedisReply &reply) {
            if (reply.type != RedisReply::Type::Array)
                return;
            seen(StreamOffset::fromStreamId(fields(reply).value("last-generated-id").string));
        });
    });
}

RedisEventStream::~RedisEventStream()
{
    stop();
}

void RedisEventStream::start()
{
    m_link.start();
}

void RedisEventStream::startTail(Deliver deliver, std::function<bool()> ready)
{
    if (!enabled() || m_tail)
        return;
    m_deliver = std::move(deliver);
    m_tail = std::make_unique<RedisStreamTail>(m_url, m_streamKey,
                                               RedisStreamTail::Options{m_options.timeoutMs, 256});
    m_tail->start([this](const QByteArray &id) { tailStarted(id); }, [this](const RedisReply &entry) { tailEntry(entry); },
                  [this] { tailRewound(); }, std::move(ready));
}

void RedisEventStream::stop()
{
    // The tail first: it delivers nothing more once the recording link is gone.
    if (m_tail)
        m_tail->stop();
    m_link.stop();
}

std::shared_ptr<OutboundFrame> RedisEventStream::takeOwn(quint64 offset)
{
    m_ownTotal -= m_ownBytes.take(offset);
    return m_own.take(offset);
}

void RedisEventStream::takeOwnBelow(quint64 bound, std::vector<std::shared_ptr<const OutboundFrame>> *out)
{
    while (!m_own.isEmpty() && m_own.firstKey() < bound)
        out->push_back(takeOwn(m_own.firstKey()));
}

void RedisEventStream::rememberUnrecordedLocked(const QString &id)
{
    if (m_unrecorded.size() < 10000)
        m_unrecorded.insert(id, Server::monotonicMs() + qint64(m_options.windowSeconds) * 1000);
}

void RedisEventStream::gapsWrittenBy(const RedisReply &reply, quint64 wanted)
{
    // The script answers [marker id or nil, entry id or nil]; a marker id: it was written.
    if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty()
        || reply.elements.at(0).type != RedisReply::Type::String)
        return;
    quint64 written = m_gapsWritten.load();
    while (written < wanted && !m_gapsWritten.compare_exchange_weak(written, wanted)) {
    }
}

void RedisEventStream::tailStarted(const QByteArray &id)
{
    const quint64 start = StreamOffset::fromStreamId(id);
    std::vector<std::shared_ptr<const OutboundFrame>> late;
    {
        QMutexLocker lock(&m_tailLock);
        m_tailLast = qMax(m_tailLast, start);
        // Recorded here before the tail knew where it starts: not in what it will read.
        takeOwnBelow(m_tailLast + 1, &late);
    }
    seen(start);
    m_tailBegun.store(true, std::memory_order_release);
    for (auto &frame : late)
        m_deliver(std::move(frame));
}

void RedisEventStream::tailRewound()
{
    // The stream went back (Redis lost it, or it was deleted): the tail reads the new one from
    // its start. Frames recorded here in the old stream that the tail had not reached yet
    // never will be: delivered now.
    std::vector<std::shared_ptr<const OutboundFrame>> late;
    {
        QMutexLocker lock(&m_tailLock);
        m_tailLast = 0;
        takeOwnBelow(std::numeric_limits<quint64>::max(), &late);
    }
    for (auto &frame : late)
        m_deliver(std::move(frame));
}

void RedisEventStream::tailEntry(const RedisReply &entry)
{
    bool ok = false;
    const quint64 offset = StreamOffset::fromStreamId(entry.elements.at(0).string, &ok);
    const QList<RedisReply> &kv = entry.elements.at(1).elements;
    if (!ok)
        return;
    const bool isEvent = kv.size() >= 2 && kv.at(0).string == "f";
    std::vector<std::shared_ptr<const OutboundFrame>> out;
    std::shared_ptr<OutboundFrame> decoded;
    {
        QMutexLocker lock(&m_tailLock);
        // Frames of this node the tail passed without reading (trimmed before it got there,
        // while it was cut off): delivered late rather than lost.
        takeOwnBelow(offset, &out);
        if (isEvent) {
            if (auto own = takeOwn(offset)) {
                out.push_back(std::move(own));
            } else {
                lock.unlock();
                decoded = decodeFrame(kv.at(1).string, offset);
                lock.relock();
                if (auto own = takeOwn(offset)) {
                    // Its record's answer came while the entry was decoded: this node's frame.
                    out.push_back(std::move(own));
                } else if (decoded) {
                    if (auto it = m_inflight.find(decoded->id); it != m_inflight.end())
                        it.value() = offset; // recorded here; its reply may yet say it failed
                    if (m_unrecorded.remove(decoded->id)) {
                        decoded.reset(); // delivered unrecorded after its record seemed to fail
                    } else {
                        decoded->emittedNs = Server::monotonicNs();
                        out.push_back(decoded);
                    }
                }
            }
        }
        m_tailLast = qMax(m_tailLast, offset);
    }
    seen(offset);
    for (auto &frame : out)
        m_deliver(std::move(frame));
}

void RedisEventStream::record(const QByteArray &entry, bool gap, const QByteArray &reason, RedisLink::Done done)
{
    QList<QByteArray> args{"2", m_streamKey, m_bytesKey, entry, gap ? "1" : "0", reason,
                           QByteArray::number(m_options.maxLen), QByteArray::number(m_options.maxBytes),
                           QByteArray::number(qint64(m_options.maxAgeSeconds) * 1000),
                           QByteArray::number(m_options.maxEntryBytes())};
    // EVAL after a NOSCRIPT (a flushed or restarted Redis): the order of records no longer
    // matters, the stream gives it.
    m_link.evalScript(StreamRecordScript::sha1(), StreamRecordScript::source(), std::move(args), std::move(done));
}

void RedisEventStream::writeGap(const QByteArray &reason)
{
    const quint64 wanted = m_gapsWanted.load();
    record({}, true, reason, [this, wanted](const RedisReply &reply) { gapsWrittenBy(reply, wanted); });
}

quint64 RedisEventStream::currentOffset() const
{
    if (const quint64 seen = m_lastSeen.load(std::memory_order_acquire))
        return seen;
    // Nothing seen yet (Redis not reached): Redis' ids are its clock's milliseconds.
    return StreamOffset::kStreamBit | (quint64(QDateTime::currentMSecsSinceEpoch()) << 20);
}

void RedisEventStream::seen(quint64 offset)
{
    quint64 known = m_lastSeen.load(std::memory_order_relaxed);
    while (offset > known && !m_lastSeen.compare_exchange_weak(known, offset, std::memory_order_acq_rel)) {
    }
}

QByteArray RedisEventStream::encodeFrame(const OutboundFrame &frame)
{
    QJsonObject o{{QStringLiteral("t"), frame.text}, {QStringLiteral("e"), frame.event},
                  {QStringLiteral("n"), frame.nsp}, {QStringLiteral("i"), frame.id}};
    if (!frame.payload.isUndefined())
        o.insert(QStringLiteral("p"), frame.payload);
    if (!frame.room.isEmpty())
        o.insert(QStringLiteral("r"), frame.room);
    if (!frame.moreRooms.isEmpty())
        o.insert(QStringLiteral("mr"), QJsonArray::fromStringList(frame.moreRooms));
    if (!frame.exceptRooms.isEmpty())
        o.insert(QStringLiteral("xr"), QJsonArray::fromStringList(frame.exceptRooms));
    if (frame.exceptConnectionId != 0)
        o.insert(QStringLiteral("xc"), QString::number(frame.exceptConnectionId));
    if (!frame.exceptUserId.isEmpty())
        o.insert(QStringLiteral("xu"), frame.exceptUserId);
    if (!frame.connectionRooms.isEmpty())
        o.insert(QStringLiteral("cr"), idList(frame.connectionRooms));
    if (!frame.exceptConnectionRooms.isEmpty())
        o.insert(QStringLiteral("xcr"), idList(frame.exceptConnectionRooms));
    if (!frame.moreArgs.isEmpty())
        o.insert(QStringLiteral("m"), frame.moreArgs);
    if (!frame.attachments.isEmpty()) {
        QJsonArray attachments;
        for (const QByteArray &a : frame.attachments)
            attachments.append(QString::fromLatin1(a.toBase64()));
        o.insert(QStringLiteral("a"), attachments);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::shared_ptr<OutboundFrame> RedisEventStream::decodeFrame(const QByteArray &entry, quint64 offset)
{
    const QJsonObject o = QJsonDocument::fromJson(entry).object();
    if (o.isEmpty())
        return {};
    auto frame = std::make_shared<OutboundFrame>();
    frame->text = o.value(QLatin1String("t")).toString();
    frame->event = o.value(QLatin1String("e")).toString();
    frame->nsp = o.value(QLatin1String("n")).toString(QStringLiteral("/"));
    frame->id = o.value(QLatin1String("i")).toString();
    frame->payload = o.contains(QLatin1String("p")) ? o.value(QLatin1String("p")) : QJsonValue(QJsonValue::Undefined);
    frame->room = o.value(QLatin1String("r")).toString();
    frame->moreRooms = stringsOf(o.value(QLatin1String("mr")));
    frame->exceptRooms = stringsOf(o.value(QLatin1String("xr")));
    frame->exceptConnectionId = o.value(QLatin1String("xc")).toString().toULongLong();
    frame->exceptUserId = o.value(QLatin1String("xu")).toString();
    frame->connectionRooms = idsOf(o.value(QLatin1String("cr")));
    frame->exceptConnectionRooms = idsOf(o.value(QLatin1String("xcr")));
    frame->moreArgs = o.value(QLatin1String("m")).toArray();
    for (const QJsonValue &a : o.value(QLatin1String("a")).toArray())
        frame->attachments.append(QByteArray::fromBase64(a.toString().toLatin1()));
    frame->offset = offset;
    StreamOffset::stamp(*frame);
    return frame;
}

void RedisEventStream::recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post)
{
    if (!enabled()) {
        post();
        return;
    }
    const QByteArray entry = encodeFrame(*frame);
    if (entry.size() > m_options.maxEntryBytes()) {
        // Over its share of the byte budget: delivered now, unrecorded, and marked as a gap
        // at once (the script would refuse it too; this spares sending it).
        m_gapsWanted.fetch_add(1);
        writeGap("an event of " + QByteArray::number(entry.size()) + " bytes was not recorded (over "
                 + QByteArray::number(m_options.maxEntryBytes()) + ")");
        post();
        return;
    }
    const quint64 gapsWanted = m_gapsWanted.load();
    const bool gap = gapsWanted > m_gapsWritten.load();
    {
        QMutexLocker lock(&m_tailLock);
        m_inflight.insert(frame->id, 0);
    }
    record(entry, gap, "events were delivered unrecorded (a record failed)",
           [this, frame, gap, gapsWanted, size = qint64(entry.size()), post = std::move(post)](const RedisReply &reply) {
               const bool answered = reply.type == RedisReply::Type::Array && reply.elements.size() >= 2;
               if (gap)
                   gapsWrittenBy(reply, gapsWanted);
               bool ok = false;
               quint64 offset = answered && reply.elements.at(1).type == RedisReply::Type::String
                   ? StreamOffset::fromStreamId(reply.elements.at(1).string, &ok) : 0;
               if (ok) {
                   // Stamped before the tail can see it: from here on the tail delivers it.
                   frame->offset = offset;
                   StreamOffset::stamp(*frame);
               }
               bool landed = false;
               bool rewound = false;
               {
                   QMutexLocker lock(&m_tailLock);
                   const quint64 seenAt = m_inflight.take(frame->id);
                   if (ok) {
                       // Kept for the tail (else it delivered its copy already). Past the
                       // bound (a tail that cannot read) the tail decodes the stream's copy
                       // instead: nothing is lost, nothing more is held.
                       if (offset <= m_tailLast) {
                           // The tail is past it: it delivered it (seenAt), or the stream went
                           // back (Redis lost it) and the tail reads above the new ids.
                           rewound = seenAt == 0;
                       } else if (m_ownTotal + size <= m_options.maxPendingBytes) {
                           m_own.insert(offset, frame);
                           m_ownBytes.insert(offset, size);
                           m_ownTotal += size;
                       }
                   } else if (seenAt != 0) {
                       // The answer was lost (a deadline), but the tail read it: it is recorded.
                       offset = seenAt;
                       landed = true;
                   } else {
                       rememberUnrecordedLocked(frame->id);
                   }
               }
               if (rewound && m_tail)
                   m_tail->recheck();
               if (landed) {
                   frame->offset = offset;
                   StreamOffset::stamp(*frame);
               } else if (!ok) {
                   // Delivered without an offset (by post, now): the gap is marked with the
                   // next record, or when the link is back (docs/cluster.md).
                   m_gapsWanted.fetch_add(1);
                   const qint64 now = Server::monotonicMs();
                   if (now - m_lastErrorLogMs.exchange(now) > 5000)
                       qCWarning(lcServer).noquote() << "cluster: event not recorded for recovery (a gap is marked):"
                                                     << QString::fromUtf8(answered ? QByteArray("refused as too large") : reply.string);
               }
               post();
           });
}

void RedisEventStream::deliveredUnrecorded(const QString &id)
{
    if (!enabled() || id.isEmpty())
        return;
    QMutexLocker lock(&m_tailLock);
    rememberUnrecordedLocked(id);
}

void RedisEventStream::readAfter(quint64 after, const Reader &reader, std::function<void(Read)> done) const
{
    auto state = std::make_shared<ReadState>();
    state->after = after;
    state->cursor = after;
    state->reader = reader;
    state->done = std::move(done);
    readPage(std::move(state));
}

void RedisEventStream::readPage(std::shared_ptr<ReadState> state) const
{
    const QByteArray start = bare(state->cursor) == 0 ? QByteArray("-") : "(" + StreamOffset::streamId(state->cursor);
    m_link.command({"XRANGE", m_streamKey, start, "+", "COUNT", QByteArray::number(kPageEntries)},
                   [this, state](const RedisReply &reply) {
                       if (reply.isError()) {
                           state->read.error = QString::fromUtf8(reply.string);
                           state->read.frames.clear();
                           return state->done(std::move(state->read));
                       }
                       for (const RedisReply &entry : reply.elements) {
                           if (entry.elements.size() < 2)
                               continue;
                           bool ok = false;
                           const quint64 offset = StreamOffset::fromStreamId(entry.elements.at(0).string, &ok);
                           const QList<RedisReply> &kv = entry.elements.at(1).elements;
                           if (!ok || kv.size() < 2)
                               continue;
                           if (kv.at(0).string == "g") {
                               // A gap marker: an event in this range was delivered unrecorded.
                               state->read.error = QStringLiteral("gap");
                               state->read.frames.clear();
                               return state->done(std::move(state->read));
                           }
                           state->cursor = offset;
                           const qint64 size = kv.at(1).string.size();
                           state->scanned += size;
                           if (state->scanned > m_options.maxScanBytes()) {
                               // The Redis work of one read is bounded too, whoever's events they are.
                               state->read.error = QStringLiteral("too much to scan");
                               state->read.frames.clear();
                               return state->done(std::move(state->read));
                           }
                           auto frame = decodeFrame(kv.at(1).string, offset);
                           if (!frame || !state->reader.wants(*frame))
                               continue; // not the reader's: counted as scanned only
                           state->bytes += size;
                           if (state->bytes > m_options.maxReplayBytes) {
                               // Bounded: a fresh session rather than an unbounded replay.
                               state->read.error = QStringLiteral("too large");
                               state->read.frames.clear();
                               return state->done(std::move(state->read));
                           }
                           state->read.frames.push_back(std::move(frame));
                       }
                       if (reply.elements.size() >= kPageEntries)
                           return readPage(state);
                       finishRead(state);
                   });
}

void RedisEventStream::finishRead(std::shared_ptr<ReadState> state) const
{
    // Asked after the pages: an entry trimmed while they were read shows here too.
    m_link.command({"XINFO", "STREAM", m_streamKey}, [state](const RedisReply &reply) {
        Read &read = state->read;
        const quint64 after = bare(state->after);
        if (reply.isError()) {
            // No stream at all: nothing was ever recorded, or it was deleted.
            read.ok = after == 0 && reply.string.startsWith("ERR no such key");
            if (!read.ok)
                read.error = reply.string.startsWith("ERR no such key") ? QStringLiteral("expired") : QString::fromUtf8(reply.string);
        } else {
            const auto info = fields(reply);
            const quint64 last = bare(StreamOffset::fromStreamId(info.value("last-generated-id").string));
            const qint64 length = info.value("length").integer;
            // The oldest entry still kept (Redis 7 records it; older ones show the entry).
            const RedisReply firstEntry = info.value("first-entry");
            const quint64 first = info.contains("recorded-first-entry-id")
                ? bare(StreamOffset::fromStreamId(info.value("recorded-first-entry-id").string))
                : firstEntry.elements.isEmpty() ? 0 : bare(StreamOffset::fromStreamId(firstEntry.elements.at(0).string));
            const quint64 maxDeleted = bare(StreamOffset::fromStreamId(info.value("max-deleted-entry-id").string));
            if (after > last) {
                read.error = QStringLiteral("unknown offset");
            } else if (maxDeleted > after) {
                read.ok = false; // XDEL'd after the offset
            } else if (after == 0) {
                // Everything from the start: only while nothing was ever trimmed.
                read.ok = !info.contains("entries-added") ? length == 0 : info.value("entries-added").integer == length;
            } else if (length == 0) {
                read.ok = after == last; // trimmed to nothing: fine only when nothing came after
            } else {
                // Trimming takes the oldest: when the entry at the offset (or an older one) is
                // still there, so is everything after it. Conservative when it went itself.
                read.ok = first <= after;
            }
            if (!read.ok && read.error.isEmpty())
                read.error = QStringLiteral("expired");
        }
        if (!read.ok)
            read.frames.clear();
        state->done(std::move(read));
    });
}

QByteArray RedisEventStream::sessionKey(const QString &pid) const
{
    return m_sessionPrefix + pid.toUtf8();
}

QByteArray RedisEventStream::owner(quint64 connectionId) const
{
    return m_instance + ':' + QByteArray::number(connectionId);
}

void RedisEventStream::track(const QString &pid, const Session &session)
{
    if (!enabled())
        return;
    QJsonObject namespaces;
    for (auto it = session.namespaces.cbegin(); it != session.namespaces.cend(); ++it)
        namespaces.insert(it.key(), it.value());
    const QByteArray writer = owner(session.connectionId);
    const QJsonObject o{{QStringLiteral("u"), session.userId},
                        {QStringLiteral("r"), QJsonArray::fromStringList(session.rooms.values())},
                        {QStringLiteral("n"), namespaces},
                        {QStringLiteral("c"), QString::number(session.connectionId)},
                        {QStringLiteral("o"), StreamOffset::text(session.connectedOffset)},
                        {QStringLiteral("w"), QString::fromLatin1(writer)}};
    // Only while this connection owns the key: once another connection took the session (a
    // client back through another node), this one's late writes are refused.
    m_link.command({"EVAL", kWriteScript, "1", sessionKey(pid), writer, QJsonDocument(o).toJson(QJsonDocument::Compact),
                    QByteArray::number(m_options.windowSeconds)},
                   [pid](const RedisReply &reply) {
                       if (reply.type == RedisReply::Type::Integer && reply.integer == 0)
                           qCInfo(lcWs).noquote() << "Socket.IO session" << pid << "not saved: another connection took it";
                   });
}

void RedisEventStream::save(const QString &pid, Session session)
{
    track(pid, session);
}

void RedisEventStream::forget(const QString &pid, quint64 connectionId)
{
    m_link.command({"EVAL", kWriteScript, "1", sessionKey(pid), owner(connectionId), QByteArray(), QByteArray("0")},
                   [pid](const RedisReply &reply) {
                       if (reply.type == RedisReply::Type::Integer && reply.integer == 0)
                           qCInfo(lcWs).noquote() << "Socket.IO session" << pid << "not deleted: another connection took it";
                   });
}

void RedisEventStream::take(const QString &pid, const QString &userId, quint64 after, quint64 takerId,
                            std::function<void(std::optional<Session>)> done)
{
    if (!enabled())
        return done(std::nullopt);
    // The first socket that comes back with the pid takes it, on whatever node; the tombstone
    // it leaves keeps the old owner from writing it back.
    m_link.command({"EVAL", kTakeScript, "1", sessionKey(pid), owner(takerId), userId.toUtf8(),
                    QByteArray::number(m_options.windowSeconds)},
                   [this, userId, after, done = std::move(done)](const RedisReply &reply) {
        const QJsonObject o = reply.type == RedisReply::Type::String ? QJsonDocument::fromJson(reply.string).object() : QJsonObject();
        if (o.isEmpty() || o.value(QLatin1String("u")).toString() != userId)
            return done(std::nullopt);
        Session session;
        session.userId = userId;
        for (const QJsonValue &room : o.value(QLatin1String("r")).toArray())
            session.rooms.insert(room.toString());
        const QJsonObject namespaces = o.value(QLatin1String("n")).toObject();
        for (auto it = namespaces.constBegin(); it != namespaces.constEnd(); ++it)
            session.namespaces.insert(it.key(), it.value().toString());
        session.connectionId = o.value(QLatin1String("c")).toString().toULongLong();
        session.connectedOffset = StreamOffset::parse(o.value(QLatin1String("o")).toString());
        const quint64 from = qMax(after, session.connectedOffset);
        // Only the events this socket would have received count against the replay bound.
        Reader reader;
        reader.userId = userId;
        reader.connectionId = session.connectionId;
        reader.rooms = session.rooms;
        for (auto it = session.namespaces.cbegin(); it != session.namespaces.cend(); ++it)
            reader.namespaces.insert(it.key());
        readAfter(from, reader, [session, from, done](Read read) mutable {
            if (!read.ok) {
                qCInfo(lcWs).noquote() << "Socket.IO recovery from another node failed:" << read.error;
                return done(std::nullopt);
            }
            session.prefetched = std::move(read.frames);
            session.prefetchedAfter = from;
            done(std::move(session));
        });
    });
}

void RedisEventStream::prune()
{
    {
        const qint64 now = Server::monotonicMs();
        QMutexLocker lock(&m_tailLock);
        for (auto it = m_unrecorded.begin(); it != m_unrecorded.end();)
            it = it.value() < now ? m_unrecorded.erase(it) : std::next(it);
    }
    // Trimmed by age every few seconds even when nothing is recorded (the record script
    // trims by length, bytes and age itself), by Redis' clock.
    const qint64 now = Server::monotonicMs();
    if (!enabled() || m_options.maxAgeSeconds <= 0 || now - m_lastTrimMs.load(std::memory_order_relaxed) < 5000)
        return;
    m_lastTrimMs.store(now, std::memory_order_relaxed);
    record({}, false, {}, {});
}

} // namespace Switchboard
