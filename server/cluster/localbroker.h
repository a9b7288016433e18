#pragma once

#include "cluster/broker.h"

namespace Switchboard {

class Server;

/// The single-node broker: nothing leaves the process; presence is this node's registry.
class LocalBroker final : public Broker, public PresenceStore
{
public:
    explicit LocalBroker(Server &server) : m_server(server) {}

    /// --max-connections-per-user counted over this node's connections: true when one more
    /// connection of @p userId may open (with evict-oldest, after closing its oldest ones here).
    /// Also what a RedisBroker falls back to while it cannot count the cluster's.
    static bool admitHere(Server &server, const QString &userId);

    bool isClustered() const override { return false; }
    QString nodeId() const override;
    void start() override {}
    void leave() override {}
    void stop() override {}
    QString degradedReason() const override { return {}; }
    quint64 connectionIdBase() const override { return 0; }
    bool publish(const EmitRequest &, std::function<void(const PublishOutcome &)>) override { return false; }
    void remoteConnection(quint64, ConnectionOp, const QString &, int, const QString &,
                          std::function<void(bool)> done) override { done(false); }
    bool forwardAck(const QString &, quint64, const QString &, bool, const QString &, const QJsonArray &) override { return false; }
    Admission admitUser(const QString &userId, quint64, std::function<void(bool)>) override
    {
        return admitHere(m_server, userId) ? Admission::Admitted : Admission::Refused;
    }
    void userConnectionClosed(const QString &, quint64) override {}
    PresenceStore &presence() override { return *this; }
    void query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done) override;
    QJsonObject nodesJson() const override;
    void serverSideEmit(const QString &, const QJsonArray &, bool, int, std::function<void(const QJsonObject &)> done) override
    {
        done({{QStringLiteral("responses"), QJsonArray{}}, {QStringLiteral("servers"), 0}});
    }

private:
    Server &m_server;
};

} // namespace Switchboard
