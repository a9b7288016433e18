#include "logging.h"

#include <cstdio>
#include <mutex>

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace Switchboard {

Q_LOGGING_CATEGORY(lcServer, "switchboard.server")
Q_LOGGING_CATEGORY(lcWs, "switchboard.ws")
Q_LOGGING_CATEGORY(lcHttp, "switchboard.http")
Q_LOGGING_CATEGORY(lcAuth, "switchboard.auth")
Q_LOGGING_CATEGORY(lcQueue, "switchboard.queue")
Q_LOGGING_CATEGORY(lcBridge, "switchboard.bridge")
Q_LOGGING_CATEGORY(lcConnections, "switchboard.connections")

namespace {

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "critical";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void jsonHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QJsonObject line{
        {QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("level"), QLatin1String(levelName(type))},
        {QStringLiteral("category"), QLatin1String(context.category ? context.category : "default")},
        {QStringLiteral("message"), message}};
    const QByteArray out = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
    std::fflush(stderr);
}

} // namespace

void installLogFormat(const QString &format)
{
    if (format == QLatin1String("json")) {
        qInstallMessageHandler(jsonHandler);
    } else {
        qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}%{if-critical}critical%{endif} %{category}: %{message}"));
    }
}

} // namespace Switchboard
