#include "emitjson.h"

#include "protocol/strictjson.h"
#include <QtCore/QJsonArray>

namespace Switchboard {

namespace {


} // namespace

bool parseEmitJson(const QJsonObject &body, EmitRequest *request, QString *error)
{
    auto bad = [&](const QString &message) {
        *error = message;
        return false;
    };
    const QJsonValue event = body.value(QLatin1String("event"));
    if (!event.isString() || event.toString().isEmpty())
        return bad(QStringLiteral("\"event\" must be a non-empty string"));
    request->event = event.toString();
    request->payload = body.contains(QLatin1String("payload")) ? body.value(QLatin1String("payload"))
                                                              : body.value(QLatin1String("data"));
    const bool broadcast = body.value(QLatin1String("broadcast")).toBool();
    const QString room = body.value(QLatin1String("room")).toString();
    const QString user = Json::idText(body.value(QLatin1String("userId")));
    const QString connection = Json::idText(body.value(QLatin1String("connectionId")));
    const int targets = int(broadcast) + int(!room.isEmpty()) + int(!user.isEmpty()) + int(!connection.isEmpty());
    if (targets != 1)
        return bad(QStringLiteral("give exactly one target: \"room\", \"userId\", \"connectionId\" or \"broadcast\": true"));
    if (broadcast) {
        request->target = EmitRequest::Target::Broadcast;
    } else if (!room.isEmpty()) {
        request->target = EmitRequest::Target::Room;
        request->room = room;
    } else if (!user.isEmpty()) {
        request->target = EmitRequest::Target::User;
        request->userId = user;
    } else {
        bool ok = false;
        request->connectionId = connection.toULongLong(&ok);
        if (!ok)
            return bad(QStringLiteral("\"connectionId\" must be a connection id"));
        request->target = EmitRequest::Target::Connection;
    }
    const QJsonValue except = body.value(QLatin1String("except"));
    if (except.isObject()) {
        request->exceptUserId = Json::idText(except.toObject().value(QLatin1String("userId")));
        request->exceptConnectionId = Json::idText(except.toObject().value(QLatin1String("connectionId"))).toULongLong();
    } else if (!except.isUndefined() && !except.isNull()) {
        request->exceptUserId = Json::idText(except);
        if (request->exceptUserId.isEmpty())
            return bad(QStringLiteral("\"except\" must be a user id or {\"userId\"|\"connectionId\"}"));
    }
    const QJsonValue nsp = body.value(QLatin1String("namespace"));
    if (!nsp.isUndefined() && !nsp.isNull()) {
        if (!nsp.isString() || !nsp.toString().startsWith(QLatin1Char('/')))
            return bad(QStringLiteral("\"namespace\" must be a Socket.IO namespace such as \"/\" or \"/admin\""));
        request->nsp = nsp.toString();
    }
    request->ack = body.value(QLatin1String("ack")).toBool();
    request->persist = body.value(QLatin1String("persist")).toBool();
    request->id = Json::idText(body.value(QLatin1String("id")));
    return true;
}

QJsonObject emitJson(const EmitRequest &r)
{
    QJsonObject o{{QStringLiteral("event"), r.event},
                  {QStringLiteral("payload"), r.payload.isUndefined() ? QJsonValue() : r.payload},
                  {QStringLiteral("namespace"), r.nsp},
                  {QStringLiteral("id"), r.id},
                  {QStringLiteral("source"), r.source}};
    switch (r.target) {
    case EmitRequest::Target::Broadcast: o.insert(QStringLiteral("broadcast"), true); break;
    case EmitRequest::Target::Room: o.insert(QStringLiteral("room"), r.room); break;
    case EmitRequest::Target::User: o.insert(QStringLiteral("userId"), r.userId); break;
    case EmitRequest::Target::Connection: o.insert(QStringLiteral("connectionId"), QString::number(r.connectionId)); break;
    }
    if (!r.moreRooms.isEmpty())
        o.insert(QStringLiteral("moreRooms"), QJsonArray::fromStringList(r.moreRooms));
    if (!r.exceptUserId.isEmpty() || r.exceptConnectionId != 0) {
        QJsonObject except;
        if (!r.exceptUserId.isEmpty())
            except.insert(QStringLiteral("userId"), r.exceptUserId);
        if (r.exceptConnectionId != 0)
            except.insert(QStringLiteral("connectionId"), QString::number(r.exceptConnectionId));
        o.insert(QStringLiteral("except"), except);
    }
    if (!r.exceptRooms.isEmpty())
        o.insert(QStringLiteral("exceptRooms"), QJsonArray::fromStringList(r.exceptRooms));
    if (!r.moreArgs.isEmpty())
        o.insert(QStringLiteral("moreArgs"), r.moreArgs);
    if (r.ack)
        o.insert(QStringLiteral("ack"), true);
    if (!r.fromUserId.isEmpty())
        o.insert(QStringLiteral("fromUser"), r.fromUserId);
    if (!r.ackOrigin.isEmpty())
        o.insert(QStringLiteral("ackOrigin"), r.ackOrigin);
    if (r.ack && r.ackTargets)
        o.insert(QStringLiteral("ackReport"), true);
    if (!r.attachments.isEmpty()) {
        QJsonArray attachments;
        for (const QByteArray &a : r.attachments)
            attachments.append(QString::fromLatin1(a.toBase64()));
        o.insert(QStringLiteral("attachments"), attachments);
        o.insert(QStringLiteral("sioPayload"), r.sioPayload);
    }
    return o;
}

void readNodeFields(const QJsonObject &body, EmitRequest *r)
{
    for (const QJsonValue &v : body.value(QLatin1String("moreRooms")).toArray())
        r->moreRooms.append(v.toString());
    for (const QJsonValue &v : body.value(QLatin1String("exceptRooms")).toArray())
        r->exceptRooms.append(v.toString());
    r->moreArgs = body.value(QLatin1String("moreArgs")).toArray();
    const QString source = body.value(QLatin1String("source")).toString();
    if (!source.isEmpty())
        r->source = source;
    r->fromUserId = body.value(QLatin1String("fromUser")).toString();
    r->ackOrigin = body.value(QLatin1String("ackOrigin")).toString();
    r->ackTargets = body.value(QLatin1String("ackReport")).toBool();
    const QJsonArray attachments = body.value(QLatin1String("attachments")).toArray();
    for (const QJsonValue &v : attachments)
        r->attachments.append(QByteArray::fromBase64(v.toString().toLatin1()));
    if (!attachments.isEmpty())
        r->sioPayload = body.value(QLatin1String("sioPayload"));
}

} // namespace Switchboard
