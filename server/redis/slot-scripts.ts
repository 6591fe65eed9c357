import { LUA_DEADLINE, LUA_PRELUDE } from './lua-prelude';

/** Workshop scripts over slot counters only (KEYS: slots, meta). */

/** ARGV: now, epoch, slotId... Slots Redis does not know are skipped: their seeds will be right. */
const RETURN_BOOKED = `
local ids = {}
for i = 3, #ARGV do
  if known(ARGV[i]) then
    add('b:', ARGV[i], -1)
    stamp(ARGV[i])
    ids[#ids + 1] = ARGV[i]
  end
end
return cjson.encode(change(ids))
`;

/** ARGV: now, epoch, then (slotId, capacity, booked) per slot. Held units are live state: kept. */
const RESYNC = `
local ids = {}
for i = 3, #ARGV, 3 do
  local id, c, b = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local v = redis.call('HMGET', SLOTS, 'c:' .. id, 'b:' .. id)
  if tonumber(v[1]) ~= c or tonumber(v[2]) ~= b then
    redis.call('HSET', SLOTS, 'c:' .. id, c, 'b:' .. id, b)
    ids[#ids + 1] = id
  end
end
return cjson.encode(change(ids))
`;

/**
 * ARGV: now, epoch, graceMs, then (slotId, capacity, booked) per slot. Seeds absent counters and
 * repairs drifted ones (Postgres is the truth for capacity and booked; held units are Redis's own),
 * except slots whose booked count moved here within graceMs (see repair in the prelude).
 * Bumps seq only when it repaired something, and then reports those slots as `repaired`.
 */
const SNAPSHOT = `
local grace = tonumber(ARGV[3])
local slots, fixed = {}, {}
for i = 4, #ARGV, 3 do
  if repair(ARGV[i], ARGV[i + 1], ARGV[i + 2], grace) == 'fixed' then fixed[#fixed + 1] = ARGV[i] end
  slots[#slots + 1] = counts(ARGV[i])
end
local repaired = nil
if #fixed > 0 then repaired = change(fixed) end
meta()
local m = redis.call('HMGET', META, 'seq', 'epoch')
return cjson.encode({ seq = tonumber(m[1]), epoch = m[2], slots = slots, repaired = repaired })
`;

/**
 * ARGV: now, epoch, graceMs, then (slotId, capacity, booked) per slot. Like SNAPSHOT's repair, but
 * only for slots Redis already counts (nothing is seeded), without a read, and a no-op (no seq) when
 * nothing drifted. `deferred`: drifted slots left alone for now because of the grace.
 */
const REPAIR = `
local grace = tonumber(ARGV[3])
local fixed, deferred = {}, 0
for i = 4, #ARGV, 3 do
  if known(ARGV[i]) then
    local r = repair(ARGV[i], ARGV[i + 1], ARGV[i + 2], grace)
    if r == 'fixed' then fixed[#fixed + 1] = ARGV[i] elseif r == 'deferred' then deferred = deferred + 1 end
  end
end
if #fixed == 0 then return cjson.encode({ unchanged = true, deferred = deferred }) end
local c = change(fixed)
c.deferred = deferred
return cjson.encode(c)
`;

/**
 * SNAPSHOT with a compact wire format (what availability reads use): ARGV now, epoch, graceMs,
 * then ONE string of `slotId,capacity,booked;` per slot, then the seq and epoch the caller already
 * holds these slots' counts for; the reply lists the counts as a flat array
 * `[capacity, booked, held, …]` in the order asked, instead of one JSON object per slot, or
 * `same = true` without them when nothing was seeded or repaired and seq and epoch are still the
 * caller's (every other change of a count bumps seq, so the caller's counts are still exact).
 * Seeding, repair (with the grace) and the `repaired` change are exactly SNAPSHOT's; one HMGET
 * per slot reads everything.
 *
 * Fast path (ARGV[7], the slot hash's field count after the caller's last read of these seeds,
 * or '' when that read left a drift alone for its grace): when seq, epoch and the field count
 * are all still the caller's, nothing was changed, seeded, pruned or lost since that read, which
 * left every one of these slots seeded and in agreement with these seeds; the script answers
 * `same` without reading a slot (a 330-slot read is then 3 commands, not 330). A count lost
 * without a seq bump changes the field count, so it still gets seeded again here.
 * Every reply carries `len` (the field count) and `deferred` (a drift left for its grace).
 */
const SNAPSHOT_PACKED = `
if ARGV[5] ~= '' and ARGV[7] ~= nil and ARGV[7] ~= '' then
  local m0 = redis.call('HMGET', META, 'seq', 'epoch')
  if m0[1] == ARGV[5] and m0[2] == ARGV[6] and tostring(redis.call('HLEN', SLOTS)) == ARGV[7] then
    return cjson.encode({ seq = tonumber(m0[1]), epoch = m0[2], same = true, len = tonumber(ARGV[7]) })
  end
end
local grace = tonumber(ARGV[3])
local n, fixed, seeded, deferred = {}, {}, false, false
for id, cap, booked in string.gmatch(ARGV[4], '([^,;]+),(%d+),(%d+);') do
  cap, booked = tonumber(cap), tonumber(booked)
  local v = redis.call('HMGET', SLOTS, 'c:' .. id, 'b:' .. id, 't:' .. id, 'h:' .. id)
  local c, b = tonumber(v[1]), tonumber(v[2])
  if c == nil then
    redis.call('HSET', SLOTS, 'c:' .. id, cap, 'b:' .. id, booked)
    c, b = cap, booked
    seeded = true
  elseif c ~= cap or b ~= booked then
    if v[3] and NOW - tonumber(v[3]) < grace then
      deferred = true
    else
      redis.call('HSET', SLOTS, 'c:' .. id, cap, 'b:' .. id, booked)
      c, b = cap, booked
      fixed[#fixed + 1] = id
    end
  end
  n[#n + 1] = c
  n[#n + 1] = b or 0
  n[#n + 1] = tonumber(v[4]) or 0
end
local repaired = nil
if #fixed > 0 then repaired = change(fixed) end
meta()
local m = redis.call('HMGET', META, 'seq', 'epoch')
local len = redis.call('HLEN', SLOTS)
if not repaired and not seeded and m[1] == ARGV[5] and m[2] == ARGV[6] then
  return cjson.encode({ seq = tonumber(m[1]), epoch = m[2], same = true, len = len, deferred = deferred })
end
return cjson.encode({ seq = tonumber(m[1]), epoch = m[2], n = n, repaired = repaired, len = len, deferred = deferred })
`;

export const SLOT_SCRIPTS = {
  hfReturnBooked: LUA_PRELUDE + RETURN_BOOKED,
  hfResync: LUA_PRELUDE + RESYNC,
  hfSnapshot: LUA_PRELUDE + SNAPSHOT,
  hfSnapshotPacked: LUA_PRELUDE + SNAPSHOT_PACKED,
  hfRepair: LUA_PRELUDE + REPAIR,
} as const;

/**
 * Customer scripts (KEYS: the customer's holds zset). Expired members are pruned first,
 * so only unexpired holds count against the limit. The key lives as long as its latest hold.
 */
const CUSTOMER_PRELUDE = `
local function keepAlive(now, graceMs)
  local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(top[2]) - now + graceMs)) end
end
`;

/** ARGV: now, max, member, expiresAt, graceMs, deadline → 1 reserved, 0 over the limit, -1 past the deadline. */
const RESERVE = `
if pastDeadline(ARGV[6]) then return -1 end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
keepAlive(now, tonumber(ARGV[5]))
return 1
`;

/** ARGV: now, member, expiresAt, graceMs: an extended hold keeps counting until its new expiry. */
const TOUCH = `
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[2])
keepAlive(tonumber(ARGV[1]), tonumber(ARGV[4]))
return 1
`;

export const CUSTOMER_SCRIPTS = {
  hfReserve: CUSTOMER_PRELUDE + LUA_DEADLINE + RESERVE,
  hfTouch: CUSTOMER_PRELUDE + TOUCH,
} as const;
