#include "redisqueuescripts.h"

#include <QtCore/QCryptographicHash>

namespace Switchboard::RedisQueueScripts {

namespace {

// Shared by the scripts that move a job out of flight. Numbers passed to redis.call() are
// sent as exact integers (ids, scores and times stay below 2^53).
constexpr char kPrelude[] = R"lua(
local P = ARGV[1]
local function qkey(q) return P .. 'q:{' .. q .. '}:' end
local function toready(K, id, pr) redis.call('ZADD', K .. 'ready', pr * 1e15 + tonumber(id), id) end
-- The job leaves its in-flight set: back with full-jitter backoff, or dead after its last attempt.
local function failjob(q, id, now, err, unit, base, cap)
  local K = qkey(q)
  local mk = P .. 'm:' .. id
  redis.call('ZREM', K .. 'inflight', id)
  redis.call('HDEL', mk, 'h')
  redis.call('HINCRBY', K .. 'stats', 'nacked', 1)
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
  local at = now + math.floor(unit * math.min(cap, base * 2 ^ e))
  redis.call('HSET', mk, 'at', at)
  if at > now then
    redis.call('ZADD', K .. 'delayed', at, id)
  else
    toready(K, id, tonumber(redis.call('HGET', mk, 'pr') or '1'))
    redis.call('PUBLISH', P .. 'q-notify', q)
  end
  return {1, a, at}
end
)lua";

// ARGV: prefix, queue, now, maxDepth, n, then n x (payload, priority, maxAttempts, availableAt,
// createdAt). Returns {first id, 0}, or {-1, depth} when maxDepth would be passed.
constexpr char kEnqueue[] = R"lua(
local q, now, maxDepth, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local K = qkey(q)
if maxDepth > 0 then
  local depth = redis.call('ZCARD', K .. 'ready') + redis.call('ZCARD', K .. 'delayed') + redis.call('ZCARD', K .. 'inflight')
  if depth + n > maxDepth then return {-1, depth} end
end
local last = redis.call('INCRBY', P .. 'q-seq', n)
local first = last - n + 1
for i = 0, n - 1 do
  local b = 6 + i * 5
  local id = first + i
  local pr, at = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 3])
  redis.call('HSET', P .. 'm:' .. id, 'q', q, 'p', ARGV[b], 'pr', pr, 'a', 0, 'max', ARGV[b + 2], 'at', at, 'c', ARGV[b + 4])
  if at > now then
    redis.call('ZADD', K .. 'delayed', at, id)
  else
    redis.call('ZADD', K .. 'ready', pr * 1e15 + id, id)
  end
end
redis.call('SADD', P .. 'queues', q)
redis.call('HINCRBY', K .. 'stats', 'enqueued', n)
redis.call('PUBLISH', P .. 'q-notify', q)
return {first, 0}
)lua";

// ARGV: prefix, queue, now, holder, visibilityMs, count. Promotes due delayed jobs, then takes
// up to count ready ones. Returns {next delayed time or 0, id, attempt, payload, ...}.
constexpr char kClaim[] = R"lua(
local q, now, holder, vis, count = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local K = qkey(q)
local due = redis.call('ZRANGEBYSCORE', K .. 'delayed', '-inf', now, 'LIMIT', 0, 200)
for _, id in ipairs(due) do
  redis.call('ZREM', K .. 'delayed', id)
  toready(K, id, tonumber(redis.call('HGET', P .. 'm:' .. id, 'pr') or '1'))
end
local out = {0}
while #out < 1 + 3 * count do
  local top = redis.call('ZRANGE', K .. 'ready', 0, 0)
  if #top == 0 then break end
  local id = top[1]
  redis.call('ZREM', K .. 'ready', id)
  local mk = P .. 'm:' .. id
  if redis.call('EXISTS', mk) == 1 then
    local a = redis.call('HINCRBY', mk, 'a', 1)
    redis.call('HSET', mk, 'h', holder)
    redis.call('ZADD', K .. 'inflight', now + vis, id)
    out[#out + 1] = id
    out[#out + 1] = a
    out[#out + 1] = redis.call('HGET', mk, 'p')
  end
end
local nxt = redis.call('ZRANGE', K .. 'delayed', 0, 0, 'WITHSCORES')
if #nxt > 0 then out[1] = tonumber(nxt[2]) end
return out
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
if n > 0 then redis.call('HINCRBY', K .. 'stats', 'acked', n) end
return n
)lua";

// ARGV: prefix, queue, id, holder, now, error, unit, base, cap. {0} when the holder does not
// hold it (any more), {1, attempts, availableAt} when it comes back, {2, attempts, 0} dead.
constexpr char kFail[] = R"lua(
local q, id, holder = ARGV[2], ARGV[3], ARGV[4]
local K = qkey(q)
if redis.call('HGET', P .. 'm:' .. id, 'h') ~= holder or not redis.call('ZSCORE', K .. 'inflight', id) then return {0} end
return failjob(q, id, tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
)lua";

// ARGV: prefix, now, unit, base, cap, limit. Jobs past their visibility deadline, on every
// queue, come back as if nacked. Safe when several nodes run it: each job moves once.
// Returns {retried, queue, id, attempts, ...} (the dead ones).
constexpr char kReap[] = R"lua(
local now, unit, base, cap, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local out = {0}
local k = 0
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  local K = qkey(q)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K .. 'inflight', '-inf', now, 'LIMIT', 0, limit)) do
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

// ARGV: prefix, queue, id (0 = all), now. {known, how many moved back to ready}.
constexpr char kRetryDead[] = R"lua(
local q, id, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local K = qkey(q)
if redis.call('SISMEMBER', P .. 'queues', q) == 0 then return {0, 0} end
local ids
if id == '0' then
  ids = redis.call('ZRANGE', K .. 'dead', 0, -1)
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
if #ids > 0 then redis.call('PUBLISH', P .. 'q-notify', q) end
return {1, #ids}
)lua";

// ARGV: prefix, queue. {known, how many dead letters were deleted}.
constexpr char kPurgeDead[] = R"lua(
local q = ARGV[2]
local K = qkey(q)
if redis.call('SISMEMBER', P .. 'queues', q) == 0 then return {0, 0} end
local ids = redis.call('ZRANGE', K .. 'dead', 0, -1)
for _, m in ipairs(ids) do redis.call('DEL', P .. 'm:' .. m) end
redis.call('DEL', K .. 'dead')
return {1, #ids}
)lua";

// ARGV: prefix, now, staleMs. Per queue: name ready delayed inflight dead enqueued acked nacked
// deadLettered consumers (consumers of nodes whose heartbeat is fresh).
constexpr char kStats[] = R"lua(
local now, stale = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  local K = qkey(q)
  local s = redis.call('HMGET', K .. 'stats', 'enqueued', 'acked', 'nacked', 'deadLettered')
  local consumers = 0
  local c = redis.call('HGETALL', K .. 'consumers')
  for i = 1, #c, 2 do
    local seen = redis.call('ZSCORE', P .. 'q-nodes', c[i])
    if seen and tonumber(seen) >= now - stale then consumers = consumers + tonumber(c[i + 1]) end
  end
  out[#out + 1] = q
  out[#out + 1] = redis.call('ZCARD', K .. 'ready')
  out[#out + 1] = redis.call('ZCARD', K .. 'delayed')
  out[#out + 1] = redis.call('ZCARD', K .. 'inflight')
  out[#out + 1] = redis.call('ZCARD', K .. 'dead')
  for i = 1, 4 do out[#out + 1] = tonumber(s[i] or '0') end
  out[#out + 1] = consumers
end
return out
)lua";

// ARGV: prefix, node, now, then (queue, consumers on this node) pairs; 0 forgets the node there.
constexpr char kHeartbeat[] = R"lua(
local node, now = ARGV[2], tonumber(ARGV[3])
redis.call('ZADD', P .. 'q-nodes', now, node)
redis.call('ZREMRANGEBYSCORE', P .. 'q-nodes', '-inf', now - 86400000)
for i = 4, #ARGV, 2 do
  local K = qkey(ARGV[i])
  if tonumber(ARGV[i + 1]) > 0 then
    redis.call('HSET', K .. 'consumers', node, ARGV[i + 1])
    redis.call('SADD', P .. 'queues', ARGV[i])
  else
    redis.call('HDEL', K .. 'consumers', node)
  end
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

} // namespace Switchboard::RedisQueueScripts
