#include "redisqueuescripts.h"

#include <QtCore/QCryptographicHash>

namespace Switchboard::RedisQueueScripts {

namespace {

// Shared by the scripts that move a job out of flight. Numbers passed to redis.call() are
// sent as exact integers (ids, scores and times stay below 2^53).
constexpr char kPrelude[] = R"lua(
local P = ARGV[1]
local function qkey(q) return P .. 'q:{' .. q .. '}:' end
-- Redis' clock, never a node's: deadlines, due times and heartbeats of all nodes on one clock.
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function toready(K, id, pr) redis.call('ZADD', K .. 'ready', pr * 1e15 + tonumber(id), id) end
-- The queue has something (a deadline, a delayed job) due at `at`: the reaper looks at it then.
local function due(q, at) redis.call('ZADD', P .. 'q-due', 'LT', at, q) end
-- Activity: the queue's idle time starts again.
local function touch(q, now) redis.call('ZADD', P .. 'q-idle', now, q) end
-- The job leaves its in-flight set: back with full-jitter backoff, or dead after its last attempt.
-- Returns {1, attempts, ms until due} or {2, attempts, 0}.
local function failjob(q, id, now, err, unit, base, cap)
  local K = qkey(q)
  local mk = P .. 'm:' .. id
  redis.call('ZREM', K .. 'inflight', id)
  redis.call('HDEL', mk, 'h', 'ci')
  redis.call('HINCRBY', K .. 'stats', 'nacked', 1)
  touch(q, now)
  local a = tonumber(redis.call('HGET', mk, 'a') or '0')
  local max = tonumber(redis.call('HGET', mk, 'max') or '5')
  redis.call('HSET', mk, 'e', err)
  if a >= max then
    redis.call('HSET', mk, 'd', now)
    redis.call('ZADD', K .. 'dead', now, id)
    redis.call('HINCRBY', K .. 'stats', 'deadLettered', 1)
    return {2, a, 0}
  end
  local e = math.min(math.max(a - 1, 0), 40)
  local wait = math.floor(unit * math.min(cap, base * 2 ^ e))
  local at = now + wait
  redis.call('HSET', mk, 'at', at)
  if wait > 0 then
    redis.call('ZADD', K .. 'delayed', at, id)
    due(q, at)
  else
    toready(K, id, tonumber(redis.call('HGET', mk, 'pr') or '1'))
    redis.call('PUBLISH', P .. 'q-notify', q)
  end
  return {1, a, wait}
end
-- Consumers of the queue on nodes heard of within `stale` ms.
local function liveconsumers(K, now, stale)
  local n = 0
  local c = redis.call('HGETALL', K .. 'consumers')
  for i = 1, #c, 2 do
    local seen = redis.call('ZSCORE', P .. 'q-nodes', c[i])
    if seen and tonumber(seen) >= now - stale then n = n + tonumber(c[i + 1]) end
  end
  return n
end
)lua";

// ARGV: prefix, queue, maxDepth, maxQueues, n, then n x (payload, priority, maxAttempts,
// delayMs). Returns {first id, 0}; {-1, depth} when maxDepth would be passed; {-2, queues}
// when the queue is new and there are maxQueues already.
// Ids: the counter, but never below Redis' clock in 10 µs units, so that a counter that rolled
// back with lost data (a restart without AOF, a failover) does not hand out an id again.
constexpr char kEnqueue[] = R"lua(
local q, maxDepth, maxQueues, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local K = qkey(q)
if maxQueues > 0 and redis.call('SISMEMBER', P .. 'queues', q) == 0 then
  local count = redis.call('SCARD', P .. 'queues')
  if count >= maxQueues then return {-2, count} end
end
if maxDepth > 0 then
  local depth = redis.call('ZCARD', K .. 'ready') + redis.call('ZCARD', K .. 'delayed') + redis.call('ZCARD', K .. 'inflight')
  if depth + n > maxDepth then return {-1, depth} end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local floor = tonumber(t[1]) * 100000 + math.floor(tonumber(t[2]) / 10)
local first = math.max(tonumber(redis.call('GET', P .. 'q-seq') or '0') + 1, floor)
redis.call('SET', P .. 'q-seq', string.format('%.0f', first + n - 1))
for i = 0, n - 1 do
  local b = 6 + i * 4
  local id = string.format('%.0f', first + i)
  local pr, delay = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 3])
  local at = now + delay
  redis.call('HSET', P .. 'm:' .. id, 'q', q, 'p', ARGV[b], 'pr', pr, 'a', 0, 'max', ARGV[b + 2], 'at', at, 'c', now)
  if delay > 0 then
    redis.call('ZADD', K .. 'delayed', at, id)
    due(q, at)
  else
    toready(K, id, pr)
  end
end
redis.call('SADD', P .. 'queues', q)
touch(q, now)
redis.call('HINCRBY', K .. 'stats', 'enqueued', n)
redis.call('PUBLISH', P .. 'q-notify', q)
return {first, 0}
)lua";

// ARGV: prefix, queue, holder, visibilityMs, count, claimId. Promotes due delayed jobs, then
// takes up to count ready ones; the claim's ids are kept for 20 s under its claim id, so
// that a node whose reply was lost can give them back (kRelease). Returns {ms until the next
// delayed job or 0, id, attempt, payload, ...}.
constexpr char kClaim[] = R"lua(
local q, holder, vis, count, ci = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local K = qkey(q)
local now = nowms()
local promoted = redis.call('ZRANGEBYSCORE', K .. 'delayed', '-inf', now, 'LIMIT', 0, 200)
for _, id in ipairs(promoted) do
  redis.call('ZREM', K .. 'delayed', id)
  toready(K, id, tonumber(redis.call('HGET', P .. 'm:' .. id, 'pr') or '1'))
end
local ck = P .. 'q-claim:' .. ci
local out = {0}
while #out < 1 + 3 * count do
  local top = redis.call('ZRANGE', K .. 'ready', 0, 0)
  if #top == 0 then break end
  local id = top[1]
  redis.call('ZREM', K .. 'ready', id)
  local mk = P .. 'm:' .. id
  if redis.call('EXISTS', mk) == 1 then
    local a = redis.call('HINCRBY', mk, 'a', 1)
    redis.call('HSET', mk, 'h', holder, 'ci', ci)
    redis.call('ZADD', K .. 'inflight', now + vis, id)
    redis.call('SADD', ck, id)
    out[#out + 1] = id
    out[#out + 1] = a
    out[#out + 1] = redis.call('HGET', mk, 'p')
  end
end
if #out > 1 then
  redis.call('PEXPIRE', ck, 20000)
  due(q, now + vis)
end
local nxt = redis.call('ZRANGE', K .. 'delayed', 0, 0, 'WITHSCORES')
if #nxt > 0 then out[1] = math.max(1, tonumber(nxt[2]) - now) end
return out
)lua";

// ARGV: prefix, queue, holder, claimId. A claim whose reply did not arrive: the jobs it took
// that its holder still holds go back to ready, their attempt not counted. Returns how many.
constexpr char kRelease[] = R"lua(
local q, holder, ci = ARGV[2], ARGV[3], ARGV[4]
local K = qkey(q)
local ck = P .. 'q-claim:' .. ci
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', ck)) do
  local mk = P .. 'm:' .. id
  local f = redis.call('HMGET', mk, 'h', 'ci', 'pr')
  if f[1] == holder and f[2] == ci and redis.call('ZSCORE', K .. 'inflight', id) then
    redis.call('ZREM', K .. 'inflight', id)
    redis.call('HINCRBY', mk, 'a', -1)
    redis.call('HDEL', mk, 'h', 'ci')
    toready(K, id, tonumber(f[3] or '1'))
    n = n + 1
  end
end
redis.call('DEL', ck)
if n > 0 then redis.call('PUBLISH', P .. 'q-notify', q) end
return n
)lua";

// ARGV: prefix, queue, then (id, holder) pairs. How many of them the holder still held (those
// are gone now); the others were taken back by the reaper or are a stranger's.
constexpr char kAck[] = R"lua(
local q = ARGV[2]
local K = qkey(q)
local n = 0
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local mk = P .. 'm:' .. id
  if redis.call('HGET', mk, 'h') == ARGV[i + 1] and redis.call('ZSCORE', K .. 'inflight', id) then
    redis.call('ZREM', K .. 'inflight', id)
    redis.call('DEL', mk)
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', K .. 'stats', 'acked', n)
  touch(q, nowms())
end
return n
)lua";

// ARGV: prefix, queue, id, holder, error, unit, base, cap. {0} when the holder does not hold
// it (any more), {1, attempts, ms until due} when it comes back, {2, attempts, 0} dead.
constexpr char kFail[] = R"lua(
local q, id, holder = ARGV[2], ARGV[3], ARGV[4]
local K = qkey(q)
if redis.call('HGET', P .. 'm:' .. id, 'h') ~= holder or not redis.call('ZSCORE', K .. 'inflight', id) then return {0} end
return failjob(q, id, nowms(), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
)lua";

// ARGV: prefix, unit, base, cap, limit, idleTtlMs, staleMs. Only the queues with something due
// (<prefix>q-due) are looked at: jobs past their visibility deadline come back as if nacked,
// due delayed jobs become ready (and are announced). Safe when several nodes run it: each job
// moves once. Then at most 100 queues idle for idleTtlMs (<prefix>q-idle) that hold nothing and
// have no consumer are deleted, and at most 10 nodes not heard of for staleMs lose their
// consumer counts. At most `limit` jobs move per call. Returns {retried, more (1 when work
// was left for the next call), queue, id, attempts, ...} (the dead ones).
constexpr char kReap[] = R"lua(
local unit, base, cap, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl, stale = tonumber(ARGV[6]), tonumber(ARGV[7])
local now = nowms()
local out = {0, 0}
local k = 0
local dueq = redis.call('ZRANGEBYSCORE', P .. 'q-due', '-inf', now, 'LIMIT', 0, 100)
if #dueq == 100 then out[2] = 1 end
for _, q in ipairs(dueq) do
  if k >= limit then out[2] = 1 break end
  local K = qkey(q)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K .. 'inflight', '-inf', now, 'LIMIT', 0, limit - k)) do
    k = k + 1
    local r = failjob(q, id, now, 'visibility timeout', (unit + k * 0.6180339887) % 1, base, cap)
    if r[1] == 2 then
      out[#out + 1] = q
      out[#out + 1] = id
      out[#out + 1] = r[2]
    else
      out[1] = out[1] + 1
    end
  end
  local ready = redis.call('ZRANGEBYSCORE', K .. 'delayed', '-inf', now, 'LIMIT', 0, math.max(0, limit - k))
  for _, id in ipairs(ready) do
    k = k + 1
    redis.call('ZREM', K .. 'delayed', id)
    toready(K, id, tonumber(redis.call('HGET', P .. 'm:' .. id, 'pr') or '1'))
  end
  if #ready > 0 then redis.call('PUBLISH', P .. 'q-notify', q) end
  local first = nil
  local a = redis.call('ZRANGE', K .. 'inflight', 0, 0, 'WITHSCORES')
  local b = redis.call('ZRANGE', K .. 'delayed', 0, 0, 'WITHSCORES')
  if #a > 0 then first = tonumber(a[2]) end
  if #b > 0 and (not first or tonumber(b[2]) < first) then first = tonumber(b[2]) end
  if first then redis.call('ZADD', P .. 'q-due', first, q) else redis.call('ZREM', P .. 'q-due', q) end
  if first and first <= now then out[2] = 1 end
end
for _, node in ipairs(redis.call('ZRANGEBYSCORE', P .. 'q-nodes', '-inf', now - stale, 'LIMIT', 0, 10)) do
  local NK = P .. 'q-node:' .. node
  for _, q in ipairs(redis.call('SMEMBERS', NK)) do
    redis.call('HDEL', qkey(q) .. 'consumers', node)
    touch(q, now)
  end
  redis.call('DEL', NK)
  redis.call('ZREM', P .. 'q-nodes', node)
end
if ttl > 0 then
  for _, q in ipairs(redis.call('ZRANGEBYSCORE', P .. 'q-idle', '-inf', now - ttl, 'LIMIT', 0, 100)) do
    local K = qkey(q)
    local live = redis.call('ZCARD', K .. 'ready') + redis.call('ZCARD', K .. 'delayed')
      + redis.call('ZCARD', K .. 'inflight') + redis.call('ZCARD', K .. 'dead')
    if live == 0 and liveconsumers(K, now, stale) == 0 then
      redis.call('DEL', K .. 'ready', K .. 'delayed', K .. 'inflight', K .. 'dead', K .. 'stats', K .. 'consumers')
      redis.call('SREM', P .. 'queues', q)
      redis.call('ZREM', P .. 'q-idle', q)
      redis.call('ZREM', P .. 'q-due', q)
    else
      touch(q, now) -- in use: looked at again one TTL from now
    end
  end
end
return out
)lua";

// ARGV: prefix, queue, offset, limit. {known, total, then per message id p pr a max e c d}.
constexpr char kDeadList[] = R"lua(
local q, offset, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local K = qkey(q)
local out = {redis.call('SISMEMBER', P .. 'queues', q), redis.call('ZCARD', K .. 'dead')}
for _, id in ipairs(redis.call('ZRANGE', K .. 'dead', offset, offset + limit - 1)) do
  local f = redis.call('HMGET', P .. 'm:' .. id, 'p', 'pr', 'a', 'max', 'e', 'c', 'd')
  out[#out + 1] = id
  for i = 1, 7 do out[#out + 1] = f[i] or '' end
end
return out
)lua";

// ARGV: prefix, queue, id (0 = the oldest `batch`), batch. Moves dead letters back to ready.
// {known, how many moved, how many dead letters are left}: a retry of all of them is a loop of
// these calls, so that Redis serves others between batches.
constexpr char kRetryDead[] = R"lua(
local q, id, batch = ARGV[2], ARGV[3], tonumber(ARGV[4])
local K = qkey(q)
if redis.call('SISMEMBER', P .. 'queues', q) == 0 then return {0, 0, 0} end
local now = nowms()
local ids
if id == '0' then
  ids = redis.call('ZRANGE', K .. 'dead', 0, batch - 1)
elseif redis.call('ZSCORE', K .. 'dead', id) then
  ids = {id}
else
  ids = {}
end
for _, m in ipairs(ids) do
  local mk = P .. 'm:' .. m
  redis.call('ZREM', K .. 'dead', m)
  redis.call('HSET', mk, 'a', 0, 'at', now)
  redis.call('HDEL', mk, 'd')
  toready(K, m, tonumber(redis.call('HGET', mk, 'pr') or '1'))
end
if #ids > 0 then
  redis.call('PUBLISH', P .. 'q-notify', q)
  touch(q, now)
end
return {1, #ids, redis.call('ZCARD', K .. 'dead')}
)lua";

// ARGV: prefix, queue, batch. Deletes the oldest `batch` dead letters. {known, how many were
// deleted, how many are left}.
constexpr char kPurgeDead[] = R"lua(
local q, batch = ARGV[2], tonumber(ARGV[3])
local K = qkey(q)
if redis.call('SISMEMBER', P .. 'queues', q) == 0 then return {0, 0, 0} end
local ids = redis.call('ZRANGE', K .. 'dead', 0, batch - 1)
for _, m in ipairs(ids) do redis.call('DEL', P .. 'm:' .. m) end
if #ids > 0 then
  redis.call('ZREMRANGEBYRANK', K .. 'dead', 0, #ids - 1)
  touch(q, nowms())
end
return {1, #ids, redis.call('ZCARD', K .. 'dead')}
)lua";

// ARGV: prefix, cursor, count, staleMs. One page of an SSCAN of the queue names: {next cursor,
// then per queue: name ready delayed inflight dead enqueued acked nacked deadLettered
// consumers} (consumers of nodes heard of within staleMs).
constexpr char kStats[] = R"lua(
local stale = tonumber(ARGV[4])
local now = nowms()
local page = redis.call('SSCAN', P .. 'queues', ARGV[2], 'COUNT', tonumber(ARGV[3]))
local out = {page[1]}
for _, q in ipairs(page[2]) do
  local K = qkey(q)
  local s = redis.call('HMGET', K .. 'stats', 'enqueued', 'acked', 'nacked', 'deadLettered')
  out[#out + 1] = q
  out[#out + 1] = redis.call('ZCARD', K .. 'ready')
  out[#out + 1] = redis.call('ZCARD', K .. 'delayed')
  out[#out + 1] = redis.call('ZCARD', K .. 'inflight')
  out[#out + 1] = redis.call('ZCARD', K .. 'dead')
  for i = 1, 4 do out[#out + 1] = tonumber(s[i] or '0') end
  out[#out + 1] = liveconsumers(K, now, stale)
  -- A queue written before q-idle existed becomes a candidate for --queue-idle-ttl.
  redis.call('ZADD', P .. 'q-idle', 'NX', now, q)
end
return out
)lua";

// ARGV: prefix, node, maxQueues, then (queue, consumers on this node) pairs; 0 forgets the node
// there. <prefix>q-node:<node> lists the queues the node counts consumers of, so that the
// reaper can remove the counts of a node that died. A consumer of a queue that does not exist
// makes it known unless there are maxQueues queues already.
constexpr char kHeartbeat[] = R"lua(
local node, maxQueues = ARGV[2], tonumber(ARGV[3])
local now = nowms()
local NK = P .. 'q-node:' .. node
redis.call('ZADD', P .. 'q-nodes', now, node)
for i = 4, #ARGV, 2 do
  local q = ARGV[i]
  local K = qkey(q)
  if tonumber(ARGV[i + 1]) > 0 then
    redis.call('HSET', K .. 'consumers', node, ARGV[i + 1])
    redis.call('SADD', NK, q)
    if maxQueues <= 0 or redis.call('SISMEMBER', P .. 'queues', q) == 1 or redis.call('SCARD', P .. 'queues') < maxQueues then
      redis.call('SADD', P .. 'queues', q)
    end
  else
    redis.call('HDEL', K .. 'consumers', node)
    redis.call('SREM', NK, q)
  end
  touch(q, now)
end
return 1
)lua";

Script make(const char *body)
{
    Script s;
    s.source = QByteArray(kPrelude) + body;
    s.sha1 = QCryptographicHash::hash(s.source, QCryptographicHash::Sha1).toHex();
    return s;
}

} // namespace

const Script &enqueue() { static const Script s = make(kEnqueue); return s; }
const Script &claim() { static const Script s = make(kClaim); return s; }
const Script &ack() { static const Script s = make(kAck); return s; }
const Script &fail() { static const Script s = make(kFail); return s; }
const Script &reap() { static const Script s = make(kReap); return s; }
const Script &deadList() { static const Script s = make(kDeadList); return s; }
const Script &retryDead() { static const Script s = make(kRetryDead); return s; }
const Script &purgeDead() { static const Script s = make(kPurgeDead); return s; }
const Script &stats() { static const Script s = make(kStats); return s; }
const Script &heartbeat() { static const Script s = make(kHeartbeat); return s; }
const Script &release() { static const Script s = make(kRelease); return s; }

} // namespace Switchboard::RedisQueueScripts
