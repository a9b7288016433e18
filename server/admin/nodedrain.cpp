#include "nodedrain.h"

#include "core/logging.h"
#include "server.h"

namespace Switchboard {

NodeDrain::NodeDrain(Server &server)
    : m_server(server)
{
    m_timer.setInterval(kStepMs);
    connect(&m_timer, &QTimer::timeout, this, &NodeDrain::step);
}

QJsonObject NodeDrain::begin()
{
    const bool already = m_draining.exchange(true, std::memory_order_acq_rel);
    const int connections = m_server.registry().connectionCount();
    if (!already) {
        qCInfo(lcServer) << "draining: new sessions are refused and" << connections << "connections are closed with 1001";
        // The ids are taken on the server's thread, after the flag is set: a session that
        // opens in between is among them, and none opens afterwards.
        QMetaObject::invokeMethod(this, [this] {
            m_toClose = m_server.registry().connectionIds();
            m_remaining.store(int(m_toClose.size()), std::memory_order_relaxed);
            m_perStep = qMax(kMinPerStep, int((m_toClose.size() + kStepsPerDrain - 1) / kStepsPerDrain));
            step();
            m_timer.start();
        }, Qt::QueuedConnection);
    }
    return {{QStringLiteral("draining"), true},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("already"), already}};
}

QJsonObject NodeDrain::end()
{
    const bool was = m_draining.exchange(false, std::memory_order_acq_rel);
    const int leftOpen = m_remaining.load(std::memory_order_relaxed);
    if (was) {
        qCInfo(lcServer) << "undrained: new sessions are accepted again;" << leftOpen << "connections the drain had not closed stay open";
        // The steps run on the server's thread: stopped there, after any step in progress.
        // A drain begun again before this runs has queued its own start after it.
        QMetaObject::invokeMethod(this, [this] {
            if (m_draining.load(std::memory_order_acquire))
                return;
            m_timer.stop();
            m_toClose.clear();
            m_remaining.store(0, std::memory_order_relaxed);
        }, Qt::QueuedConnection);
    }
    return {{QStringLiteral("draining"), false},
            {QStringLiteral("wasDraining"), was},
            {QStringLiteral("leftOpen"), was ? leftOpen : 0}};
}

void NodeDrain::reset()
{
    m_timer.stop();
    m_toClose.clear();
    m_remaining.store(0, std::memory_order_relaxed);
    m_draining.store(false, std::memory_order_release);
}

void NodeDrain::step()
{
    for (int i = 0; i < m_perStep && !m_toClose.isEmpty(); ++i)
        m_server.disconnectConnection(m_toClose.takeLast(), 1001, QStringLiteral("server draining"));
    m_remaining.store(int(m_toClose.size()), std::memory_order_relaxed);
    if (m_toClose.isEmpty()) {
        m_timer.stop();
        qCInfo(lcServer) << "drained: every connection open at the drain was closed";
    }
}

} // namespace Switchboard
