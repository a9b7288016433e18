// `switchboard --connect URL --admin-token T`: what the command line accepts and refuses,
// checked on the real binary. Every refusal exits with 2 and says why on stderr, before any
// window or server exists.
#include <QtCore/QProcess>
#include <QtTest/QTest>

#include "child.h"

using namespace Switchboard::Test;

class tst_ConnectCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refused_data();
    void refused();
    void helpListsConnect();

private:
    struct Run { int exitCode = -1; QString out; QString err; };
    static Run run(const QStringList &args, const QProcessEnvironment &env);
};

tst_ConnectCli::Run tst_ConnectCli::run(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SWITCHBOARD_BINARY), args);
    if (!p.waitForFinished(20000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

void tst_ConnectCli::refused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("tokenEnv");
    QTest::addColumn<QString>("message");
    QTest::addRow("not http") << QStringList{QStringLiteral("--connect"), QStringLiteral("ftp://node:8080"),
                                             QStringLiteral("--admin-token"), QStringLiteral("T")}
                              << QString() << QStringLiteral("--connect needs the node's address as http://host:port");
    QTest::addRow("no host") << QStringList{QStringLiteral("--connect"), QStringLiteral("http://"),
                                            QStringLiteral("--admin-token"), QStringLiteral("T")}
                             << QString() << QStringLiteral("--connect needs the node's address as http://host:port");
    QTest::addRow("no token") << QStringList{QStringLiteral("--connect"), QStringLiteral("http://127.0.0.1:9")}
                              << QString() << QStringLiteral("--connect needs an admin token");
    QTest::addRow("with headless") << QStringList{QStringLiteral("--connect"), QStringLiteral("http://127.0.0.1:9"),
                                                  QStringLiteral("--admin-token"), QStringLiteral("T"),
                                                  QStringLiteral("--headless")}
                                   << QString() << QStringLiteral("cannot be combined with --headless");
    // The token from the environment is enough: the URL is still checked.
    QTest::addRow("env token, bad url") << QStringList{QStringLiteral("--connect"), QStringLiteral("node:8080")}
                                        << QStringLiteral("T") << QStringLiteral("--connect needs the node's address");
}

void tst_ConnectCli::refused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, tokenEnv);
    QFETCH(QString, message);
    QProcessEnvironment env = Child::cleanEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    if (!tokenEnv.isEmpty())
        env.insert(QStringLiteral("SWITCHBOARD_ADMIN_TOKEN"), tokenEnv);
    const Run r = run(args, env);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

void tst_ConnectCli::helpListsConnect()
{
    const Run r = run({QStringLiteral("--help")}, Child::cleanEnvironment());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("--connect <url>")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("switchboard --connect http://host:port --admin-token T")));
}

QTEST_GUILESS_MAIN(tst_ConnectCli)
#include "tst_connectcli.moc"
