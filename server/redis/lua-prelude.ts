/**
 * Lua helpers prepended to every workshop script.
 * KEYS: 1 slots, 2 meta, 3 expiry, 4 ledger, 5 hold (3–5 only for hold scripts).
 * ARGV: 1 now (ms, from the injected clock, never Redis TIME), 2 epoch candidate.
 * Replies are JSON (cjson) so RESP2/RESP3 conversions cannot reshape them.
 */
export const LUA_PRELUDE = `
local SLOTS, META, EXPIRY, LEDGER, HOLD = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local NOW = tonumber(ARGV[1])
local EPOCH = ARGV[2]

-- Postgres seeds only fill absent counters: live ones already include holds Postgres never sees.
local function seed(id, cap, booked)
  if redis.call('HEXISTS', SLOTS, 'c:' .. id) == 0 then
    redis.call('HSET', SLOTS, 'c:' .. id, cap, 'b:' .. id, booked)
  end
end

-- When this process last moved a slot's booked count itself (consume, return): Postgres may not
-- show that move yet (its COMMIT follows the consume), so a repair leaves the slot alone for a grace.
local function stamp(id)
  redis.call('HSET', SLOTS, 't:' .. id, NOW)
end

-- Postgres's capacity/booked win over drifted counters (e.g. a process killed between consuming a
-- hold and committing its booking); held units are Redis's own and kept. Returns 'fixed', 'same',
-- or 'deferred' when booked was moved here less than graceMs ago (a confirm between its consume
-- and its COMMIT would otherwise be undone by a read taken before that COMMIT).
local function repair(id, cap, booked, graceMs)
  local v = redis.call('HMGET', SLOTS, 'c:' .. id, 'b:' .. id, 't:' .. id)
  if v[1] == false then
    redis.call('HSET', SLOTS, 'c:' .. id, cap, 'b:' .. id, booked)
    return 'same'
  end
  if tonumber(v[1]) == tonumber(cap) and tonumber(v[2]) == tonumber(booked) then return 'same' end
  if v[3] and NOW - tonumber(v[3]) < graceMs then return 'deferred' end
  redis.call('HSET', SLOTS, 'c:' .. id, cap, 'b:' .. id, booked)
  return 'fixed'
end

local function known(id)
  return redis.call('HEXISTS', SLOTS, 'c:' .. id) == 1
end

local function counts(id)
  local v = redis.call('HMGET', SLOTS, 'c:' .. id, 'b:' .. id, 'h:' .. id)
  local c, b, h = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
  local free = c - b - h
  if free < 0 then free = 0 end
  return { id = id, capacity = c, booked = b, held = h, free = free }
end

-- A counter never goes below 0, even if Redis and Postgres disagreed for a moment.
local function add(field, id, delta)
  if redis.call('HINCRBY', SLOTS, field .. id, delta) < 0 then
    redis.call('HSET', SLOTS, field .. id, 0)
  end
end

-- The epoch is born with the seq counter, so a lost counter shows up as a new epoch.
local function meta()
  if redis.call('HEXISTS', META, 'epoch') == 0 then
    redis.call('HSET', META, 'epoch', EPOCH, 'seq', 0)
  end
end

-- Every state change bumps seq once and reports only the slots it touched.
local function change(ids)
  meta()
  local seq = redis.call('HINCRBY', META, 'seq', 1)
  local slots = {}
  for _, id in ipairs(ids) do
    if known(id) then slots[#slots + 1] = counts(id) end
  end
  return { seq = seq, epoch = redis.call('HGET', META, 'epoch'), slots = slots }
end

local function loadHold(holdId)
  local raw = redis.call('HGET', LEDGER, holdId)
  if not raw then return nil end
  return cjson.decode(raw)
end

local function saveHold(rec, graceMs)
  redis.call('HSET', LEDGER, rec.id, cjson.encode(rec))
  redis.call('ZADD', EXPIRY, rec.expiresAt, rec.id)
  redis.call('HSET', HOLD, 'workshopId', rec.workshopId, 'customerId', rec.customerId,
    'serviceId', rec.serviceId, 'slotIds', cjson.encode(rec.slotIds),
    'expiresAt', rec.expiresAt, 'createdAt', rec.createdAt, 'extensions', rec.extensions,
    'options', rec.options or '{}')
  if rec.quote then redis.call('HSET', HOLD, 'quote', rec.quote) end
  if rec.services then redis.call('HSET', HOLD, 'services', rec.services) end
  redis.call('PEXPIRE', HOLD, math.max(1, rec.expiresAt - NOW + graceMs))
end

-- Removes the hold everywhere in the workshop; its units go back to free, or on to booked.
local function dropHold(rec, toBooked)
  for _, id in ipairs(rec.slotIds) do
    if known(id) then
      add('h:', id, -1)
      if toBooked then
        redis.call('HINCRBY', SLOTS, 'b:' .. id, 1)
        stamp(id)
      end
    end
  end
  redis.call('HDEL', LEDGER, rec.id)
  redis.call('ZREM', EXPIRY, rec.id)
  redis.call('DEL', HOLD)
end

local function fail(code, extra)
  local r = extra or {}
  r.ok = false
  r.code = code
  return cjson.encode(r)
end

local function owned(holdId, customerId)
  local rec = loadHold(holdId)
  if not rec then return nil, fail('NOT_FOUND') end
  if rec.customerId ~= customerId then return nil, fail('FORBIDDEN') end
  return rec, nil
end
`;

/**
 * A request's deadline (wall-clock ms; 0 = none) for scripts that create something for it:
 * past it the client was already answered 503, so the script must not act. Compared with Redis
 * TIME, not the injected clock, because it bounds real time: a command stuck in a stalled
 * connection (or a buffer) must not take effect when it finally arrives. The hold store sends
 * it in Redis's time (it measures the offset between the clocks), so host clock skew is harmless.
 */
export const LUA_DEADLINE = `
local function pastDeadline(deadline)
  local d = tonumber(deadline) or 0
  if d <= 0 then return false end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > d
end
`;
