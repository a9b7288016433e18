#pragma once

#include <QtCore/QByteArray>

namespace Switchboard::RedisQueueScripts {

/**
 * The Lua scripts of the Redis queue store. Each runs atomically in Redis, so a message is
 * always in exactly one of ready, delayed, in flight or dead. Every script takes the key
 * prefix as ARGV[1] (no KEYS: one Redis, not Redis Cluster). Data model, with
 * K = <prefix>q:{<queue>}: :
 *
 *   <prefix>q-seq          INCR: message ids, never reused
 *   <prefix>queues         SET of queue names
 *   <prefix>q-notify       pub/sub channel: a queue name, when it may have ready messages
 *   <prefix>q-nodes        ZSET node uid -> last heartbeat (ms)
 *   <prefix>m:<id>         HASH q p(payload) pr(priority) a(attempts) max at(availableAt)
 *                          c(createdAt) d(deadAt) e(lastError) h(holder "node/consumer")
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

} // namespace Switchboard::RedisQueueScripts
