#pragma once

#include <atomic>

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QHash>
#include <QtCore/QList>

namespace Switchboard {

/**
 * @brief An epoll(7) event dispatcher for the I/O threads.
 *
 * Qt 6.4's dispatchers (GLib's and its own) poll() every registered socket on every turn of
 * the event loop, so a thread holding thousands of mostly idle WebSockets pays for all of
 * them each time one emit wakes it: in profiles that was half of the server's CPU. epoll only
 * reports the sockets that are ready, so a turn costs what it does, not how many clients are
 * connected. Level-triggered, so QSocketNotifier semantics are unchanged; timers are kept in a
 * small table (an I/O thread has a handful); posted events and cross-thread wake-ups go
 * through an eventfd.
 */
class EpollDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollDispatcher)

public:
    explicit EpollDispatcher(QObject *parent = nullptr);
    ~EpollDispatcher() override;

    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events = 0; // what epoll currently watches for this fd
    };
    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 dueNs = 0;
    };

    void updateWatch(int fd);
    int waitTimeoutMs() const;
    bool activateTimers();
    bool dispatchSockets(int ready);
    static qint64 nowNs();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakeUpPending{false};
    std::atomic<bool> m_interrupted{false};
    QHash<int, Watch> m_watches;
    QList<Timer> m_timers;
};

} // namespace Switchboard
