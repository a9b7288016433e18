#include "epolldispatcher.h"

#include <chrono>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>

namespace Switchboard {

namespace {
constexpr int kMaxEvents = 256;
}

EpollDispatcher::EpollDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll >= 0 && m_wakeFd >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = m_wakeFd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev);
    }
}

EpollDispatcher::~EpollDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

qint64 EpollDispatcher::nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool wait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_relaxed);
    int timeout = 0;
    if (wait) {
        timeout = (flags & QEventLoop::X11ExcludeTimers) ? -1 : waitTimeoutMs();
        Q_EMIT aboutToBlock();
    }

    epoll_event events[kMaxEvents];
    int ready = ::epoll_wait(m_epoll, events, kMaxEvents, timeout);
    if (ready < 0)
        ready = 0; // EINTR: just another turn

    bool handled = false;
    QList<int> readyFds;
    QList<quint32> readyEvents;
    for (int i = 0; i < ready; ++i) {
        if (events[i].data.fd == m_wakeFd) {
            quint64 value = 0;
            [[maybe_unused]] const auto n = ::read(m_wakeFd, &value, sizeof(value));
            m_wakeUpPending.store(false, std::memory_order_release);
            continue;
        }
        readyFds.append(events[i].data.fd);
        readyEvents.append(events[i].events);
    }
    if (!(flags & QEventLoop::ExcludeSocketNotifiers)) {
        for (qsizetype i = 0; i < readyFds.size(); ++i) {
            const int fd = readyFds[i];
            const quint32 ev = readyEvents[i];
            QEvent activation(QEvent::SockAct);
            // Re-read the watch before each delivery: a handler may have dropped a notifier.
            auto notify = [&](QSocketNotifier *Watch::*which) {
                const auto it = m_watches.constFind(fd);
                if (it == m_watches.cend())
                    return;
                if (QSocketNotifier *notifier = (*it).*which) {
                    QCoreApplication::sendEvent(notifier, &activation);
                    handled = true;
                }
            };
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
                notify(&Watch::read);
            if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                notify(&Watch::write);
            if (ev & EPOLLPRI)
                notify(&Watch::exception);
        }
    }
    if (!(flags & QEventLoop::X11ExcludeTimers))
        handled |= activateTimers();
    return handled;
}

void EpollDispatcher::updateWatch(int fd)
{
    auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    quint32 wanted = 0;
    if (it->read)
        wanted |= EPOLLIN | EPOLLRDHUP;
    if (it->write)
        wanted |= EPOLLOUT;
    if (it->exception)
        wanted |= EPOLLPRI;
    if (wanted == it->events)
        return;
    epoll_event ev{};
    ev.events = wanted;
    ev.data.fd = fd;
    if (wanted == 0) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
        m_watches.erase(it);
        return;
    }
    const int op = it->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(m_epoll, op, fd, &ev) != 0 && op == EPOLL_CTL_MOD)
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev); // fd was closed and reused behind our back
    it->events = wanted;
}

void EpollDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Watch &watch = m_watches[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read: watch.read = notifier; break;
    case QSocketNotifier::Write: watch.write = notifier; break;
    case QSocketNotifier::Exception: watch.exception = notifier; break;
    }
    updateWatch(fd);
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    if (it->read == notifier)
        it->read = nullptr;
    if (it->write == notifier)
        it->write = nullptr;
    if (it->exception == notifier)
        it->exception = nullptr;
    updateWatch(fd);
}

void EpollDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    m_timers.append({timerId, interval, timerType, object, nowNs() + interval * 1000000});
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    return m_timers.removeIf([timerId](const Timer &t) { return t.id == timerId; }) > 0;
}

bool EpollDispatcher::unregisterTimers(QObject *object)
{
    return m_timers.removeIf([object](const Timer &t) { return t.object == object; }) > 0;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> out;
    for (const Timer &t : m_timers) {
        if (t.object == object)
            out.append(TimerInfo(t.id, int(t.intervalMs), t.type));
    }
    return out;
}

int EpollDispatcher::remainingTime(int timerId)
{
    const qint64 now = nowNs();
    for (const Timer &t : std::as_const(m_timers)) {
        if (t.id == timerId)
            return int(qMax<qint64>(0, (t.dueNs - now) / 1000000));
    }
    return -1;
}

int EpollDispatcher::waitTimeoutMs() const
{
    if (m_timers.isEmpty())
        return -1;
    qint64 due = m_timers.first().dueNs;
    for (const Timer &t : m_timers)
        due = qMin(due, t.dueNs);
    const qint64 waitNs = due - nowNs();
    if (waitNs <= 0)
        return 0;
    return int(qMin<qint64>((waitNs + 999999) / 1000000, std::numeric_limits<int>::max()));
}

bool EpollDispatcher::activateTimers()
{
    const qint64 now = nowNs();
    QList<int> due;
    for (const Timer &t : std::as_const(m_timers)) {
        if (t.dueNs <= now)
            due.append(t.id);
    }
    for (int id : std::as_const(due)) {
        // Handlers may stop or start timers, so look each one up again.
        auto it = std::find_if(m_timers.begin(), m_timers.end(), [id](const Timer &t) { return t.id == id; });
        if (it == m_timers.end())
            continue;
        const qint64 intervalNs = it->intervalMs * 1000000;
        it->dueNs += intervalNs;
        if (it->dueNs <= now)
            it->dueNs = now + intervalNs;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
    }
    return !due.isEmpty();
}

void EpollDispatcher::wakeUp()
{
    if (m_wakeUpPending.exchange(true, std::memory_order_acq_rel))
        return;
    const quint64 one = 1;
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof(one));
}

void EpollDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace Switchboard
