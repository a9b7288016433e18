// The I/O threads' epoll dispatcher: timers, posted events from other threads, socket
// notifiers and quitting, each driven in a real QThread that uses it.
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QtTest>

#include "transport/epolldispatcher.h"

using namespace Switchboard;

class tst_EpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void usedByTheThread();
    void postedEventsFromAnotherThread();
    void repeatingAndSingleShotTimers();
    void stoppedTimerDoesNotFire();
    void remainingTime();
    void readNotifier();
    void writeNotifierAndUnregisterInHandler();
    void quitReturnsFromExec();

private:
    template <typename F>
    void inThread(F &&f) { QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::QueuedConnection); }

    QThread *m_thread = nullptr;
    QObject *m_context = nullptr;
};

void tst_EpollDispatcher::init()
{
    m_thread = new QThread;
    auto *dispatcher = new EpollDispatcher;
    QVERIFY(dispatcher->isValid());
    m_thread->setEventDispatcher(dispatcher);
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
}

void tst_EpollDispatcher::cleanup()
{
    QMetaObject::invokeMethod(m_context, [c = m_context] { delete c; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    QVERIFY(m_thread->wait(5000));
    delete m_thread;
}

void tst_EpollDispatcher::usedByTheThread()
{
    std::atomic<bool> isEpoll{false};
    inThread([&] { isEpoll = qobject_cast<EpollDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr; });
    QTRY_VERIFY(isEpoll.load());
}

void tst_EpollDispatcher::postedEventsFromAnotherThread()
{
    std::atomic<int> ran{0};
    for (int i = 0; i < 1000; ++i)
        inThread([&] { ran.fetch_add(1); });
    QTRY_COMPARE(ran.load(), 1000);
}

void tst_EpollDispatcher::repeatingAndSingleShotTimers()
{
    std::atomic<int> ticks{0};
    std::atomic<int> single{0};
    inThread([&] {
        auto *timer = new QTimer(m_context);
        timer->setInterval(10);
        QObject::connect(timer, &QTimer::timeout, m_context, [&] { ticks.fetch_add(1); });
        timer->start();
        QTimer::singleShot(30, m_context, [&] { single.fetch_add(1); });
    });
    QTRY_VERIFY(ticks.load() >= 5);
    QTRY_COMPARE(single.load(), 1);
    const int seen = ticks.load();
    QTRY_VERIFY(ticks.load() > seen); // still repeating
    QCOMPARE(single.load(), 1);        // fired once only
}

void tst_EpollDispatcher::stoppedTimerDoesNotFire()
{
    std::atomic<int> fired{0};
    std::atomic<bool> armed{false};
    std::atomic<int> witness{0};
    inThread([&] {
        auto *timer = new QTimer(m_context);
        timer->setSingleShot(true);
        QObject::connect(timer, &QTimer::timeout, m_context, [&] { fired.fetch_add(1); });
        timer->start(20);
        timer->stop();
        QTimer::singleShot(60, m_context, [&] { witness = 1; }); // a later timer that does fire
        armed = true;
    });
    QTRY_VERIFY(armed.load());
    QTRY_COMPARE(witness.load(), 1);
    QCOMPARE(fired.load(), 0);
}

void tst_EpollDispatcher::remainingTime()
{
    std::atomic<int> remaining{-2};
    inThread([&] {
        auto *timer = new QTimer(m_context);
        timer->start(5000);
        remaining = timer->remainingTime();
    });
    QTRY_VERIFY(remaining.load() != -2);
    QVERIFY(remaining.load() > 4000 && remaining.load() <= 5000);
}

void tst_EpollDispatcher::readNotifier()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::atomic<int> reads{0};
    inThread([&] {
        auto *notifier = new QSocketNotifier(fds[1], QSocketNotifier::Read, m_context);
        QObject::connect(notifier, &QSocketNotifier::activated, m_context, [&](QSocketDescriptor fd) {
            char buf[16];
            if (::read(int(fd), buf, sizeof buf) > 0)
                reads.fetch_add(1);
        });
    });
    // Nothing to read yet: no activation. The control is a second pair registered after the
    // first, with data waiting: once it has fired, the dispatcher has polled the first too.
    int control[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, control), 0);
    QCOMPARE(::write(control[0], "c", 1), 1);
    std::atomic<int> controlReads{0};
    inThread([&] {
        auto *notifier = new QSocketNotifier(control[1], QSocketNotifier::Read, m_context);
        QObject::connect(notifier, &QSocketNotifier::activated, m_context, [&, notifier](QSocketDescriptor fd) {
            char buf[16];
            if (::read(int(fd), buf, sizeof buf) > 0)
                controlReads.fetch_add(1);
            notifier->setEnabled(false);
        });
    });
    QTRY_COMPARE(controlReads.load(), 1);
    QCOMPARE(reads.load(), 0);
    QCOMPARE(::write(fds[0], "x", 1), 1);
    QTRY_COMPARE(reads.load(), 1);
    QCOMPARE(::write(fds[0], "y", 1), 1);
    QTRY_COMPARE(reads.load(), 2);
    ::close(fds[0]);
    ::close(fds[1]);
    ::close(control[0]);
    ::close(control[1]);
}

void tst_EpollDispatcher::writeNotifierAndUnregisterInHandler()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::atomic<int> writable{0};
    std::atomic<int> readable{0};
    inThread([&] {
        // Read and write notifiers on the same descriptor; the write one disables itself.
        auto *reader = new QSocketNotifier(fds[1], QSocketNotifier::Read, m_context);
        QObject::connect(reader, &QSocketNotifier::activated, m_context, [&](QSocketDescriptor fd) {
            char buf[16];
            if (::read(int(fd), buf, sizeof buf) > 0)
                readable.fetch_add(1);
        });
        auto *writer = new QSocketNotifier(fds[1], QSocketNotifier::Write, m_context);
        QObject::connect(writer, &QSocketNotifier::activated, m_context, [&, writer] {
            writable.fetch_add(1);
            writer->setEnabled(false);
        });
    });
    QTRY_COMPARE(writable.load(), 1);
    QCOMPARE(::write(fds[0], "z", 1), 1);
    QTRY_COMPARE(readable.load(), 1);
    QCOMPARE(writable.load(), 1); // disabled: a writable socket no longer activates it
    ::close(fds[0]);
    ::close(fds[1]);
}

void tst_EpollDispatcher::quitReturnsFromExec()
{
    // cleanup() quits and waits; here a second, idle thread must also wake up to quit.
    QThread idle;
    idle.setEventDispatcher(new EpollDispatcher);
    idle.start();
    QTest::qWait(20);
    idle.quit();
    QVERIFY(idle.wait(2000));
}

QTEST_MAIN(tst_EpollDispatcher)
#include "tst_epolldispatcher.moc"
