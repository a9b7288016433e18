#pragma once

#include <QtCore/QByteArray>

namespace Switchboard::RedisQueueScripts {

/**
 * The Lua scripts of the Redis queue store. Each runs atomically in Redis, so a message is
 * always in exactly one of ready, delayed, in flight or dead. Every script takes the key
 * prefix as ARGV[1] (no KEYS: one Redis, not Redis Cluster) and reads the time from Redis
 * (TIME), never from a node, so that nodes with skewed clocks agree on deadlines. Data model,
 * with K = <prefix>q:{<queue>}: :
 *
 *   <prefix>q-seq          message ids: the counter, never below Redis' clock in 10 us units
 *   <prefix>queues         SET of queue names (at most Options::maxQueues)
 *   <prefix>q-notify       pub/sub channel: a queue name, when it may have ready messages
 *   <prefix>q-due          ZSET queue -> its earliest in-flight deadline or delayed due time
 *                          (or earlier): the reaper looks only at the queues that are due
 *   <prefix>q-idle         ZSET queue -> last activity (ms): candidates for --queue-idle-ttl
 *   <prefix>q-nodes        ZSET node uid -> last heartbeat (ms, Redis' clock)
 *   <prefix>q-node:<uid>   SET of the queues that node counts consumers of
 *   <prefix>q-claim:<cid>  SET of the ids one claim took (kept 20 s, for release())
 *   <prefix>m:<id>         HASH q p(payload) pr(priority) a(attempts) max at(availableAt)
 *                          c(createdAt) d(deadAt) e(lastError) h(holder "node/consumer")
 *                          ci(claim id)
 *   K ready                ZSET id, score priority * 1e15 + id (priority, then FIFO)
 *   K delayed              ZSET id, score availableAt
 *   K inflight             ZSET id, score visibility deadline
 *   K dead                 ZSET id, score deadAt
 *   K stats                HASH enqueued acked nacked deadLettered (cluster totals)
 *   K consumers            HASH node uid -> consumers of the queue on that node
 */
struct Script
{
    QByteArray source;
    QByteArray sha1; // hex, for EVALSHA
};

const Script &enqueue();
const Script &claim();
const Script &ack();
const Script &fail();
const Script &reap();
const Script &deadList();
const Script &retryDead();
const Script &purgeDead();
const Script &stats();
const Script &heartbeat();
const Script &release();

} // namespace Switchboard::RedisQueueScripts
