#include "stores.h"

#include "cluster/redislink.h"
#include "cluster/rediseventstream.h"
#include "core/config.h"
#include "core/logging.h"
#include "queue/queueservice.h"
#include "queue/redisofflinestore.h"
#include "queue/redisqueuebackend.h"
#include "queue/sqliteofflinestore.h"
#include "queue/sqlitequeuestore.h"
#include "server.h"

namespace Switchboard::Stores {

std::unique_ptr<OfflineStore> offline(const ServerConfig &config)
{
    // In a cluster every node shares the offline events (docs/cluster.md, "Offline events").
    if (!config.redisUrl.isEmpty()) {
        auto shared = std::make_unique<RedisOfflineStore>(*RedisUrl::parse(config.redisUrl), config.redisKey,
                                                          config.offlineLeaseMs);
        shared->open();
        return shared;
    }
    auto local = std::make_unique<SqliteOfflineStore>();
    QString error;
    if (!config.dataDir.isEmpty() && !local->open(config.dataDir + QStringLiteral("/switchboard.db"), &error))
        qCWarning(lcQueue).noquote() << "offline delivery disabled:" << error;
    return local;
}

std::unique_ptr<QueueBackend> queues(Server &server, const ServerConfig &config)
{
    if (!config.redisUrl.isEmpty()) {
        return std::make_unique<RedisQueueBackend>(
            *RedisUrl::parse(config.redisUrl), redisQueueOptions(config),
            [&server](quint64 consumer, const QString &queue, qint64 id, const QString &frame) {
                server.deliverJob(consumer, queue, id, frame);
            });
    }
    const QString path = config.dataDir.isEmpty() ? QString() : config.dataDir + QStringLiteral("/queues.db");
    return std::make_unique<QueueService>(server, config, std::make_unique<SqliteQueueStore>(path, config.queueFullSync));
}

std::unique_ptr<RedisEventStream> sharedEvents(const ServerConfig &config)
{
    if (config.redisUrl.isEmpty())
        return {};
    RedisEventStream::Options options;
    options.key = config.redisKey;
    options.windowSeconds = config.socketioRecoverySeconds;
    options.maxLen = config.recoveryStreamMaxLen;
    options.maxAgeSeconds = config.recoveryStreamMaxAgeSeconds;
    options.maxBytes = config.recoveryStreamMaxBytes;
    options.maxReplayBytes = config.recoveryReplayMaxBytes; // and 16x that scanned (docs/cluster.md)
    options.timeoutMs = 2000 + config.clusterHeartbeatMs; // the broker's deadline
    auto events = std::make_unique<RedisEventStream>(*RedisUrl::parse(config.redisUrl), options);
    events->start();
    return events;
}

} // namespace Switchboard::Stores
