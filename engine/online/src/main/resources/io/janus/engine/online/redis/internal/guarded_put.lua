-- One call guards and writes several keys: KEYS are the hashes; per key, ARGV holds valid_from,
-- version, expire_at_ms (0 = never), replace_up_to (-1 = none), n_set (-1 = remove the key),
-- n_del, the expiry grid (ms), then n_set field/value pairs and n_del fields. A write lands when
-- nothing is stored, the stored valid_from is not newer, or it is covered by replace_up_to.
-- Returns per key 1 (written), 2 (removed) or 0 (refused: the stored value is newer).
--
-- Expiry: a key's Redis expiry is its expire_at rounded up to the grid, and it is only set when
-- the key's current expiry (read, not assumed) is before expire_at or past that rounded time; so
-- it moves about once per grid step, never early. Setting it on every write made the script about
-- a quarter dearer (see docs/architecture.md). Readers judge the TTL from valid_from, so a key
-- lingering up to one grid step (at most a minute, 1 % of the TTL) changes nothing they see.
local results = {}
local now
local a = 1
for k = 1, #KEYS do
  local vf, ver = tonumber(ARGV[a]), ARGV[a + 1]
  local expire, upto = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local nset, ndel = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local grid = tonumber(ARGV[a + 6])
  a = a + 7
  local stored = redis.call('HGET', KEYS[k], '_valid_from')
  local svf = tonumber(stored)
  if svf and svf > vf and svf > upto then
    results[k] = 0
  elseif nset < 0 then
    redis.call('DEL', KEYS[k])
    results[k] = 2
  else
    redis.call('HSET', KEYS[k], '_valid_from', ARGV[a - 7], '_version', ver, unpack(ARGV, a, a + 2 * nset - 1))
    for i = a + 2 * nset, a + 2 * nset + ndel - 1 do redis.call('HDEL', KEYS[k], ARGV[i]) end
    if expire > 0 then
      local at = math.ceil(expire / grid) * grid
      local keep = false
      if svf then
        local ttl = redis.call('PTTL', KEYS[k])
        if ttl >= 0 then
          if not now then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          end
          keep = now + ttl >= expire and now + ttl <= at
        end
      end
      if not keep then redis.call('PEXPIREAT', KEYS[k], at) end
    elseif svf then
      redis.call('PERSIST', KEYS[k])
    end
    results[k] = 1
  end
  a = a + 2 * math.max(nset, 0) + ndel
end
return results
