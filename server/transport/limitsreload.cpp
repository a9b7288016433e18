#include "limitsreload.h"

#include "connection.h"
#include "server.h"

namespace Switchboard {

int applyLimitsToOpenConnections(Server &server)
{
    int told = 0;
    const LiveLimits *limits = &server.limits();
    for (const quint64 id : server.registry().connectionIds()) {
        if (server.postToConnection(id, [limits](Connection *connection) { connection->applyLimits(*limits); }))
            ++told;
    }
    return told;
}

} // namespace Switchboard
