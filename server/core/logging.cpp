#include "logging.h"

#include <cstdio>
#include <mutex>

#include <sys/stat.h>
#include <unistd.h>

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

/// journald reads "<priority>" at the start of a line as the line's level (sd-daemon(3)).
void journalHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    int priority = 6; // LOG_INFO
    switch (type) {
    case QtDebugMsg: priority = 7; break;
    case QtInfoMsg: priority = 6; break;
    case QtWarningMsg: priority = 4; break;
    case QtCriticalMsg: priority = 3; break;
    case QtFatalMsg: priority = 2; break;
    }
    QByteArray out = '<' + QByteArray::number(priority) + '>' + (context.category ? context.category : "default") + ": ";
    // One journal entry per line: a message's own line breaks become spaces.
    out += message.toUtf8().replace('\n', ' ') + '\n';
    std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
    std::fflush(stderr);
}

} // namespace

bool stderrIsJournal()
{
    // JOURNAL_STREAM is "device:inode" of the journal's socket (systemd.exec(5)).
    const QList<QByteArray> id = qgetenv("JOURNAL_STREAM").split(':');
    struct stat st;
    if (id.size() != 2 || ::fstat(STDERR_FILENO, &st) != 0)
        return false;
    return id.at(0).toULongLong() == quint64(st.st_dev) && id.at(1).toULongLong() == quint64(st.st_ino);
}

void installLogFormat(const QString &format)
{
    if (format == QLatin1String("json")) {
        qInstallMessageHandler(jsonHandler);
    } else if (format == QLatin1String("journal") || stderrIsJournal()) {
        qInstallMessageHandler(journalHandler);
    } else {
        qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}%{if-critical}critical%{endif} %{category}: %{message}"));
    }
}

} // namespace Switchboard
