#include "adaptercodec.h"

#include "protocol/strictjson.h"

#include <cmath>

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

std::optional<QJsonValue> unpack(const QByteArray &bytes, QList<QByteArray> *attachments, QString *error)
{
    try {
        msgpack::object_handle handle;
        std::size_t offset = 0;
        msgpack::unpack(handle, bytes.constData(), std::size_t(bytes.size()), offset);
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
