#include "adaptercodec.h"

#include "protocol/strictjson.h"

#include <cmath>
#include <vector>

#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <QtCore/QJsonDocument>

namespace Switchboard::Cluster {

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

constexpr int kMaxDepth = 32;

bool isPlaceholder(const QJsonObject &o)
{
    return o.size() == 2 && o.value(QLatin1String("_placeholder")).toBool() && o.value(QLatin1String("num")).isDouble();
}

void packString(Packer &p, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    p.pack_str(uint32_t(utf8.size()));
    p.pack_str_body(utf8.constData(), uint32_t(utf8.size()));
}

void pack(Packer &p, const QJsonValue &v, const QList<QByteArray> &attachments)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: p.pack_nil(); break;
    case QJsonValue::Bool: v.toBool() ? p.pack_true() : p.pack_false(); break;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0)
            p.pack_int64(qint64(d));
        else
            p.pack_double(d);
        break;
    }
    case QJsonValue::String: packString(p, v.toString()); break;
    case QJsonValue::Array: {
        const QJsonArray a = v.toArray();
        p.pack_array(uint32_t(a.size()));
        for (const QJsonValue &e : a)
            pack(p, e, attachments);
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        if (isPlaceholder(o)) {
            const int n = o.value(QLatin1String("num")).toInt();
            if (n >= 0 && n < attachments.size()) {
                const QByteArray &b = attachments.at(n);
                p.pack_bin(uint32_t(b.size()));
                p.pack_bin_body(b.constData(), uint32_t(b.size()));
                break;
            }
        }
        p.pack_map(uint32_t(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it) {
            packString(p, it.key());
            pack(p, it.value(), attachments);
        }
        break;
    }
    }
}

struct Reader
{
    QList<QByteArray> *attachments;
    QString error;

    QJsonValue read(const msgpack::object &o, int depth)
    {
        if (depth > kMaxDepth) {
            error = QStringLiteral("nested deeper than %1").arg(kMaxDepth);
            return {};
        }
        switch (o.type) {
        case msgpack::type::NIL: return QJsonValue(QJsonValue::Null);
        case msgpack::type::BOOLEAN: return o.via.boolean;
        case msgpack::type::POSITIVE_INTEGER: return double(o.via.u64);
        case msgpack::type::NEGATIVE_INTEGER: return double(o.via.i64);
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64: return o.via.f64;
        case msgpack::type::STR: return QString::fromUtf8(o.via.str.ptr, int(o.via.str.size));
        case msgpack::type::BIN: {
            const int num = int(attachments->size());
            attachments->append(QByteArray(o.via.bin.ptr, int(o.via.bin.size)));
            return QJsonObject{{QStringLiteral("_placeholder"), true}, {QStringLiteral("num"), num}};
        }
        case msgpack::type::ARRAY: {
            QJsonArray a;
            for (uint32_t i = 0; i < o.via.array.size && error.isEmpty(); ++i)
                a.append(read(o.via.array.ptr[i], depth + 1));
            return a;
        }
        case msgpack::type::MAP: {
            QJsonObject m;
            for (uint32_t i = 0; i < o.via.map.size && error.isEmpty(); ++i) {
                const msgpack::object &k = o.via.map.ptr[i].key;
                QString key;
                if (k.type == msgpack::type::STR)
                    key = QString::fromUtf8(k.via.str.ptr, int(k.via.str.size));
                else if (k.type == msgpack::type::POSITIVE_INTEGER)
                    key = QString::number(k.via.u64);
                else {
                    error = QStringLiteral("a map key that is not a string");
                    return {};
                }
                m.insert(key, read(o.via.map.ptr[i].val, depth + 1));
            }
            return m;
        }
        case msgpack::type::EXT:
        default:
            error = QStringLiteral("unsupported msgpack type %1").arg(int(o.type));
            return {};
        }
    }
};

/// Big-endian length of @p n bytes at @p p.
quint64 readLength(const uchar *p, int n)
{
    quint64 v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

/**
 * Walks a msgpack value without building it, before msgpack::unpack() does. msgpack-c
 * allocates a container's elements from the header's count before it has seen them, so a
 * few bytes claiming 2^32 elements, nested, cost gigabytes and seconds (review A2). Here every
 * element still to come takes one byte at least: the elements claimed by all open containers
 * together must fit in the bytes that are left, strings and binaries must be there, nesting
 * is bounded and ext types are refused. What passes allocates at most one msgpack::object
 * per byte of input.
 */
bool plausible(const QByteArray &bytes, QString *error)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const quint64 size = quint64(bytes.size());
    quint64 pos = 0;
    quint64 outstanding = 1;          // values still to read, over every open container
    std::vector<quint64> open{1};     // per open container (the root counts as one)
    auto truncated = [&] {
        *error = QStringLiteral("truncated msgpack at byte %1").arg(pos);
        return false;
    };
    while (!open.empty()) {
        if (open.back() == 0) {
            open.pop_back();
            continue;
        }
        --open.back();
        --outstanding;
        if (pos >= size)
            return truncated();
        const uchar b = p[pos++];
        quint64 elements = 0;
        quint64 skip = 0;
        bool container = false;
        int lengthBytes = 0; // a str/bin length or container count follows in that many bytes
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            // fixint, nil, false, true
        } else if (b <= 0x8f) {
            container = true;
            elements = 2 * quint64(b & 0x0f);
        } else if (b <= 0x9f) {
            container = true;
            elements = b & 0x0f;
        } else if (b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4: case 0xd9: lengthBytes = 1; break;           // bin8, str8
            case 0xc5: case 0xda: lengthBytes = 2; break;           // bin16, str16
            case 0xc6: case 0xdb: lengthBytes = 4; break;           // bin32, str32
            case 0xca: skip = 4; break;                             // float32
            case 0xcb: skip = 8; break;                             // float64
            case 0xcc: case 0xd0: skip = 1; break;                  // (u)int8
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xce: case 0xd2: skip = 4; break;
            case 0xcf: case 0xd3: skip = 8; break;
            case 0xdc: case 0xde: container = true; lengthBytes = 2; break; // array16, map16
            case 0xdd: case 0xdf: container = true; lengthBytes = 4; break; // array32, map32
            default:
                *error = QStringLiteral("unsupported msgpack type 0x%1").arg(int(b), 2, 16, QLatin1Char('0')); // ext, 0xc1
                return false;
            }
        }
        if (lengthBytes > 0) {
            if (size - pos < quint64(lengthBytes))
                return truncated();
            const quint64 n = readLength(p + pos, lengthBytes);
            pos += quint64(lengthBytes);
            if (container)
                elements = (b == 0xde || b == 0xdf) ? 2 * n : n;
            else
                skip = n;
        }
        if (!container) {
            if (size - pos < skip)
                return truncated();
            pos += skip;
            continue;
        }
        if (open.size() > kMaxDepth + 1) {
            *error = QStringLiteral("nested deeper than %1").arg(kMaxDepth);
            return false;
        }
        outstanding += elements;
        if (outstanding > size - pos) {
            *error = QStringLiteral("a msgpack container claims %1 elements with %2 bytes left").arg(elements).arg(size - pos);
            return false;
        }
        open.push_back(elements);
    }
    if (pos != size) {
        *error = QStringLiteral("trailing bytes after the msgpack value");
        return false;
    }
    return true;
}

std::optional<QJsonValue> unpack(const QByteArray &bytes, QList<QByteArray> *attachments, QString *error)
{
    if (!plausible(bytes, error))
        return std::nullopt;
    try {
        msgpack::object_handle handle;
        std::size_t offset = 0;
        // The same bounds again, as msgpack-c checks them while it parses: no container, string
        // or binary larger than the message, no ext, nesting bounded.
        const std::size_t size = std::size_t(bytes.size());
        const msgpack::unpack_limit limits(size, size, size, size, 0, kMaxDepth + 2);
        msgpack::unpack(handle, bytes.constData(), size, offset, nullptr, nullptr, limits);
        if (offset != std::size_t(bytes.size())) {
            *error = QStringLiteral("trailing bytes after the msgpack value");
            return std::nullopt;
        }
        Reader reader{attachments, {}};
        QJsonValue v = reader.read(handle.get(), 0);
        if (!reader.error.isEmpty()) {
            *error = reader.error;
            return std::nullopt;
        }
        return v;
    } catch (const std::exception &e) {
        *error = QStringLiteral("invalid msgpack: %1").arg(QString::fromUtf8(e.what()));
        return std::nullopt;
    }
}

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &e : v.toArray()) {
        if (e.isString())
            out.append(e.toString());
        else if (e.isDouble())
            out.append(QString::number(Json::toInt64(e.toDouble())));
    }
    return out;
}

} // namespace

Packet packetFrom(const QJsonObject &o, const QList<QByteArray> &attachments)
{
    Packet p;
    p.type = o.value(QLatin1String("type")).toInt(2);
    const QJsonValue nsp = o.value(QLatin1String("nsp"));
    p.nsp = nsp.isString() ? nsp.toString() : QStringLiteral("/");
    p.data = o.value(QLatin1String("data")).toArray();
    p.attachments = attachments;
    if (o.value(QLatin1String("id")).isDouble())
        p.id = Json::toInt64(o.value(QLatin1String("id")).toDouble());
    return p;
}

QJsonObject packetJson(const Packet &packet)
{
    QJsonObject o{{QStringLiteral("type"), packet.type},
                  {QStringLiteral("data"), packet.data},
                  {QStringLiteral("nsp"), packet.nsp}};
    if (packet.id >= 0)
        o.insert(QStringLiteral("id"), packet.id);
    return o;
}

QByteArray encodeBroadcast(const Broadcast &b)
{
    msgpack::sbuffer buffer;
    Packer p(buffer);
    p.pack_array(3);
    packString(p, b.uid);
    pack(p, packetJson(b.packet), b.packet.attachments);
    QJsonObject opts{{QStringLiteral("rooms"), QJsonArray::fromStringList(b.rooms)},
                     {QStringLiteral("except"), QJsonArray::fromStringList(b.except)},
                     {QStringLiteral("flags"), b.flags}};
    if (!b.sb.isEmpty())
        opts.insert(QStringLiteral("sb"), b.sb);
    pack(p, opts, {});
    return QByteArray(buffer.data(), qsizetype(buffer.size()));
}

std::optional<Broadcast> decodeBroadcast(const QByteArray &bytes, QString *error)
{
    QList<QByteArray> attachments;
    const auto value = unpack(bytes, &attachments, error);
    if (!value)
        return std::nullopt;
    const QJsonArray a = value->toArray();
    if (a.size() < 2 || !a.at(0).isString() || !a.at(1).isObject()) {
        *error = QStringLiteral("not an adapter broadcast [uid, packet, opts]");
        return std::nullopt;
    }
    Broadcast b;
    b.uid = a.at(0).toString();
    b.packet = packetFrom(a.at(1).toObject(), attachments);
    if (b.packet.data.isEmpty() || !b.packet.data.at(0).isString()) {
        *error = QStringLiteral("the packet's data is not [event, ...args]");
        return std::nullopt;
    }
    const QJsonObject opts = a.at(2).toObject();
    b.rooms = stringList(opts.value(QLatin1String("rooms")));
    b.except = stringList(opts.value(QLatin1String("except")));
    b.flags = opts.value(QLatin1String("flags")).toObject();
    b.sb = opts.value(QLatin1String("sb")).toObject();
    return b;
}

std::optional<QJsonObject> decodeObject(const QByteArray &bytes, QList<QByteArray> *attachments, QString *error)
{
    if (bytes.startsWith('{')) {
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parse);
        if (!doc.isObject()) {
            *error = parse.error != QJsonParseError::NoError ? parse.errorString() : QStringLiteral("not a JSON object");
            return std::nullopt;
        }
        return doc.object();
    }
    const auto value = unpack(bytes, attachments, error);
    if (!value)
        return std::nullopt;
    if (!value->isObject()) {
        *error = QStringLiteral("not a msgpack map");
        return std::nullopt;
    }
    return value->toObject();
}

QByteArray encodeMsgpack(const QJsonObject &object, const QList<QByteArray> &attachments)
{
    msgpack::sbuffer buffer;
    Packer p(buffer);
    pack(p, object, attachments);
    return QByteArray(buffer.data(), qsizetype(buffer.size()));
}

} // namespace Switchboard::Cluster
