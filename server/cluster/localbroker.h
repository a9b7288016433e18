#pragma once

#include "cluster/broker.h"

namespace Switchboard {

class Server;

/// The single-node broker: nothing leaves the process; presence is this node's registry.
class LocalBroker final : public Broker, public PresenceStore
{
public:
    explicit LocalBroker(const Server &server) : m_server(server) {}

    bool isClustered() const override { return false; }
    void start() override {}
    void leave() override {}
    void stop() override {}
    QString degradedReason() const override { return {}; }
    quint64 connectionIdBase() const override { return 0; }
    bool publish(const EmitRequest &, std::function<void(const PublishOutcome &)>) override { return false; }
    void remoteConnection(quint64, ConnectionOp, const QString &, int, const QString &,
                          std::function<void(bool)> done) override { done(false); }
    bool forwardAck(const QString &, quint64, const QString &, bool, const QString &, const QJsonArray &) override { return false; }
    PresenceStore &presence() override { return *this; }
    void query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done) override;
    QJsonObject nodesJson() const override;
    void serverSideEmit(const QString &, const QJsonArray &, bool, int, std::function<void(const QJsonObject &)> done) override
    {
        done({{QStringLiteral("responses"), QJsonArray{}}, {QStringLiteral("servers"), 0}});
    }

private:
    const Server &m_server;
};

} // namespace Switchboard
