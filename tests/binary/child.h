#pragma once
// The real switchboard binary as a child process (shared by the binary tests).
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QDebug>

namespace Switchboard::Test {

/// A running `switchboard` child process whose stderr is collected.
class Child final
{
public:
    explicit Child(const QStringList &args, const QProcessEnvironment &env = cleanEnvironment())
    {
        m_process.setProcessEnvironment(env);
        m_process.setProgram(QStringLiteral(SWITCHBOARD_BINARY));
        m_process.setArguments(args);
        m_process.start();
    }
    ~Child()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Environment with no display at all, as on a server.
    static QProcessEnvironment cleanEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY"})
            env.remove(QString::fromLatin1(name));
        for (const QString &key : env.keys()) {
            if (key.startsWith(QLatin1String("SWITCHBOARD_")))
                env.remove(key);
        }
        return env;
    }

    /// Waits for the "listening on http://host:PORT" log line and returns the port.
    quint16 waitForPort(int timeoutMs = 15000)
    {
        static const QRegularExpression re(QStringLiteral("listening on http://[^:]+:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(50);
            m_stderr += m_process.readAllStandardError();
            const auto match = re.match(QString::fromUtf8(m_stderr));
            if (match.hasMatch())
                return quint16(match.captured(1).toUInt());
        }
        m_stderr += m_process.readAllStandardError();
        qWarning().noquote() << "no listening line; stderr:" << m_stderr;
        return 0;
    }

    QByteArray stderrText()
    {
        m_stderr += m_process.readAllStandardError();
        return m_stderr;
    }
    QProcess &process() { return m_process; }
    /// True once the process has exited (it may already have while an event loop ran).
    bool waitExited(int timeoutMs = 10000)
    {
        return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(timeoutMs);
    }
    qint64 pid() const { return m_process.processId(); }
    /// The process's resident memory in KiB (VmRSS), or -1.
    qint64 rssKiB() const
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
        return -1;
    }

private:
    QProcess m_process;
    QByteArray m_stderr;
};

} // namespace Switchboard::Test
