// Server::stop() with work in flight across I/O threads: Engine.IO long-polls held on other
// threads than their sessions, Engine.IO WebSockets and native clients that never answer the
// closing handshake; then start again on the same port, and stop again. Nothing may run
// against a deleted worker (ASan runs this test too: label "server"), every held poll is
// answered, and no descriptor is left behind.
#include <dirent.h>

#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

#include "rawsockets.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

int openDescriptors()
{
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int count = 0;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.')
            ++count;
    }
    ::closedir(dir);
    return count - 1; // the directory's own descriptor
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

/// The clients of one start: their descriptors, closed by the test after the stop.
struct Clients
{
    QList<int> polls;     // each with a long-poll GET held by the server
    QList<int> others;    // the handshake connection and the WebSockets
    ~Clients() { closeAll(); }
    void closeAll()
    {
        for (int fd : std::as_const(polls))
            ::close(fd);
        for (int fd : std::as_const(others))
            ::close(fd);
        polls.clear();
        others.clear();
    }
};

} // namespace

class tst_Shutdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stopWithHeldPollsThenRestart();

private:
    /// Opens @p sessions polling sessions (all on the handshake connection's thread) with a
    /// poll held on its own connection each (most on other threads), plus WebSockets.
    void load(Server &server, quint16 port, int sessions, int eioWebSockets, int nativeClients, Clients *clients);
};

void tst_Shutdown::load(Server &server, quint16 port, int sessions, int eioWebSockets, int nativeClients, Clients *clients)
{
    const quint64 requestsBefore = server.metrics().httpRequests.load();
    // One kept-alive connection for every handshake: every session lives on its thread, so
    // with 4 I/O threads about three polls in four are held by another thread's worker.
    const int handshakes = Raw::connectTcp(port);
    QVERIFY(handshakes >= 0);
    clients->others.append(handshakes);
    for (int i = 0; i < sessions; ++i) {
        const QByteArray sid = Raw::openEngineIo(handshakes, port);
        QVERIFY2(!sid.isEmpty(), "Engine.IO handshake failed");
        const int poll = Raw::connectTcp(port);
        QVERIFY(poll >= 0);
        clients->polls.append(poll);
        QVERIFY(Raw::sendPoll(poll, port, sid));
    }
    for (int i = 0; i < eioWebSockets; ++i) {
        const int eio = Raw::openWebSocket(port, "/socket.io/?EIO=4&transport=websocket");
        QVERIFY(eio >= 0);
        clients->others.append(eio);
    }
    for (int i = 0; i < nativeClients; ++i) {
        const int native = Raw::openWebSocket(port, "/ws?token=" + token(QStringLiteral("u%1").arg(i)));
        QVERIFY(native >= 0);
        clients->others.append(native);
    }
    // Every request has reached the server, and every native client is registered.
    QTRY_VERIFY(server.metrics().httpRequests.load() >= requestsBefore + quint64(2 * sessions + eioWebSockets + nativeClients));
    QTRY_COMPARE(server.registry().connectionCount(), nativeClients);
}

void tst_Shutdown::stopWithHeldPollsThenRestart()
{
    ServerConfig config = testConfig();
    config.threads = 4;
    config.port = freePort();
    QVERIFY(config.port != 0);
    Server server(config);
    const int before = openDescriptors();
    QVERIFY(before > 0);

    // WebSockets that never answer the closing handshake hold their workers for 2 s. The
    // second round has no native clients, which would hide Engine.IO WebSockets left behind;
    // the third has polls only, so workers that hold polls but own nothing drain at once
    // while the owner of the sessions still answers through them.
    const struct { int sessions, eioWebSockets, nativeClients; } rounds[] = {{300, 10, 10}, {100, 10, 0}, {300, 0, 0}};
    for (const auto &round : rounds) {
        const int sessions = round.sessions;
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QCOMPARE(server.port(), config.port);
        Clients clients;
        load(server, config.port, sessions, round.eioWebSockets, round.nativeClients, &clients);
        if (QTest::currentTestFailed())
            return;
        server.stop(1001, QStringLiteral("server shutting down"));
        // Every held poll was answered before its worker went, whichever thread held it.
        int answered = 0;
        for (int fd : std::as_const(clients.polls))
            answered += Raw::readResponse(fd, 2000).status == 200;
        QCOMPARE(answered, sessions);
        clients.closeAll();
    }
    // Engine.IO WebSockets are closed, not detached: nothing outlives the stop.
    QCOMPARE(openDescriptors(), before);
}

QTEST_GUILESS_MAIN(tst_Shutdown)
#include "tst_shutdown.moc"
