#include "streamrecordscript.h"

#include <QtCore/QCryptographicHash>

namespace Switchboard::StreamRecordScript {

const QByteArray &source()
{
    // Trimming reads the oldest entries in pages (1, doubling: a stream at its bound drops
    // one entry per record, and reads just that one) to add up what they free;
    // one exact XTRIM MAXLEN then removes them, so readers see the oldest entry kept move
    // (XINFO STREAM), as with any trim.
    static const QByteArray script = QByteArrayLiteral(R"LUA(
redis.replicate_commands()
local stream, total = KEYS[1], KEYS[2]
local entry = ARGV[1]
local maxLen, maxBytes, maxAge, maxEntry = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local overhead = 40
-- Emptied by hand (XTRIM, DEL): the total starts again from nothing.
if redis.call('XLEN', stream) == 0 then redis.call('SET', total, 0) end
local refused = entry ~= '' and #entry > maxEntry
local marker, id = false, false
if ARGV[2] == '1' or refused then
  local reason = ARGV[3]
  if refused then reason = 'an event of ' .. #entry .. ' bytes was not recorded (over ' .. maxEntry .. ')' end
  marker = redis.call('XADD', stream, '*', 'g', reason)
  redis.call('INCRBY', total, #reason + overhead)
end
if entry ~= '' and not refused then
  id = redis.call('XADD', stream, '*', 'f', entry)
  redis.call('INCRBY', total, #entry + overhead)
end
local len = redis.call('XLEN', stream)
local bytes = tonumber(redis.call('GET', total) or '0')
local minMs = -1
if maxAge > 0 then
  local t = redis.call('TIME')
  minMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - maxAge
end
local drop, cursor, page = 0, '-', 1
local function over(e)
  if len - drop > maxLen or bytes > maxBytes then return true end
  if minMs < 0 then return false end
  return tonumber(string.match(e[1], '^(%d+)')) < minMs
end
while len - drop > 0 and (len - drop > maxLen or bytes > maxBytes or minMs >= 0) do
  local entries = redis.call('XRANGE', stream, cursor, '+', 'COUNT', page)
  if #entries == 0 then break end
  local done = false
  for _, e in ipairs(entries) do
    if not over(e) then done = true break end
    local value = e[2][2] or ''
    bytes = bytes - (#value + overhead)
    drop = drop + 1
    cursor = '(' .. e[1]
  end
  if done or #entries < page then break end
  page = math.min(page * 2, 1024)
end
if drop > 0 then redis.call('XTRIM', stream, 'MAXLEN', len - drop) end
if len - drop <= 0 or bytes < 0 then bytes = 0 end
redis.call('SET', total, bytes)
return {marker, id, drop}
)LUA");
    return script;
}

const QByteArray &sha1()
{
    static const QByteArray sha = QCryptographicHash::hash(source(), QCryptographicHash::Sha1).toHex();
    return sha;
}

} // namespace Switchboard::StreamRecordScript
