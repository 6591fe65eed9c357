import { LUA_DEADLINE, LUA_PRELUDE } from './lua-prelude';

/**
 * Workshop scripts over holds (KEYS: slots, meta, expiry, ledger, hold).
 * Each does its checks and its writes in one script, so a hold is taken, released,
 * consumed or swept exactly once, however many processes race.
 */

/**
 * KEYS: the five hold keys, then the workshop's `schedule` counter.
 * ARGV: now, epoch, recordJson, graceMs, deadline, version, mode, then per slot: its id ('ids'),
 * or (slotId, capacity, booked) from fresh Postgres rows ('seeds').
 * `version` ('' = unchecked) is the `epoch:schedule` the caller's cached catalog was read at: if
 * the workshop's schedule or catalog changed since, nothing is done (STALE) and the caller reloads.
 * Without seeds, a slot whose counters are absent (new, or lost with Redis) is NEED_SEED: only the
 * caller can read Postgres, and counters are never seeded from a cache.
 */
const HOLD = `
if pastDeadline(ARGV[5]) then return fail('LATE') end
if ARGV[6] ~= '' then
  local current = (redis.call('HGET', META, 'epoch') or '-') .. ':' .. (redis.call('GET', KEYS[6]) or '0')
  if current ~= ARGV[6] then return fail('STALE') end
end
local rec = cjson.decode(ARGV[3])
local ids = {}
if ARGV[7] == 'seeds' then
  for i = 8, #ARGV, 3 do
    seed(ARGV[i], ARGV[i + 1], ARGV[i + 2])
    ids[#ids + 1] = ARGV[i]
  end
else
  local missing = {}
  for i = 8, #ARGV do
    ids[#ids + 1] = ARGV[i]
    if not known(ARGV[i]) then missing[#missing + 1] = ARGV[i] end
  end
  if #missing > 0 then return fail('NEED_SEED', { slotIds = missing }) end
end
-- All-or-nothing: check every slot before taking any.
for _, id in ipairs(ids) do
  if counts(id).free <= 0 then return fail('SLOT_UNAVAILABLE', { slotId = id }) end
end
for _, id in ipairs(ids) do redis.call('HINCRBY', SLOTS, 'h:' .. id, 1) end
saveHold(rec, tonumber(ARGV[4]))
return cjson.encode({ ok = true, hold = rec, change = change(ids) })
`;

/** ARGV: now, epoch, holdId, customerId, deadline. */
const RELEASE = `
if pastDeadline(ARGV[5]) then return fail('LATE') end
local rec, err = owned(ARGV[3], ARGV[4])
if not rec then return err end
dropHold(rec, false)
return cjson.encode({ ok = true, hold = rec, change = change(rec.slotIds) })
`;

/** ARGV: now, epoch, holdId, customerId, ttlMs, maxExtensions, maxLifeMs, graceMs, deadline. */
const EXTEND = `
if pastDeadline(ARGV[9]) then return fail('LATE') end
local rec, err = owned(ARGV[3], ARGV[4])
if not rec then return err end
if rec.expiresAt <= NOW then return fail('HOLD_EXPIRED') end
if rec.extensions >= tonumber(ARGV[6]) then return fail('HOLD_EXTENSION_LIMIT') end
local lifeEnd = rec.createdAt + tonumber(ARGV[7])
-- At the life cap no extension can gain anything, so it counts as over the limit.
if rec.expiresAt >= lifeEnd then return fail('HOLD_EXTENSION_LIMIT') end
-- An extension never shortens a hold (possible if ttlMs shrank since it was made).
rec.expiresAt = math.max(rec.expiresAt, math.min(NOW + tonumber(ARGV[5]), lifeEnd))
rec.extensions = rec.extensions + 1
saveHold(rec, tonumber(ARGV[8]))
-- No counts change, but seq still moves so every state change has its own number.
return cjson.encode({ ok = true, hold = rec, change = change({}) })
`;

/** ARGV: now, epoch, holdId, customerId, deadline. */
const CONSUME = `
if pastDeadline(ARGV[5]) then return fail('LATE') end
local rec, err = owned(ARGV[3], ARGV[4])
if not rec then return err end
if rec.expiresAt <= NOW then
  -- Too late to confirm: give the units back now, exactly as the sweeper would.
  dropHold(rec, false)
  return fail('HOLD_EXPIRED', { hold = rec, change = change(rec.slotIds) })
end
dropHold(rec, true)
return cjson.encode({ ok = true, hold = rec, change = change(rec.slotIds) })
`;

/** ARGV: now, epoch, holdId. The sweeper's claim: re-checks existence and due-ness inside the script. */
const CLAIM = `
local rec = loadHold(ARGV[3])
if not rec then return fail('GONE') end
if rec.expiresAt > NOW then return fail('NOT_DUE', { expiresAt = rec.expiresAt }) end
dropHold(rec, false)
return cjson.encode({ ok = true, hold = rec, change = change(rec.slotIds) })
`;

/** ARGV: now, epoch, then (slotId, capacity, booked) per slot: seeds absent counters only, no seq. */
const SEED_ABSENT = `
local n = 0
for i = 3, #ARGV, 3 do
  if not known(ARGV[i]) then
    seed(ARGV[i], ARGV[i + 1], ARGV[i + 2])
    n = n + 1
  end
end
return n
`;

/**
 * The customer's side of a hold, on `{c:<id>}` (KEYS: the holds zset, the hold rate counter).
 * ARGV: now, max, member, expiresAt, graceMs, deadline, ratePoints, rateWindowMs (0 = no limit).
 * Reply { code, ms }: 1 reserved; 0 over the active-hold limit; -1 past the deadline;
 * -2 over the rate limit (ms: until the window ends). The rate window is fixed (like the
 * rate-limiter-flexible limiter it replaces): every attempt that gets here takes a point.
 */
const ADMIT = `
if pastDeadline(ARGV[6]) then return { -1, 0 } end
local points = tonumber(ARGV[7])
if points > 0 then
  local used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[8])) end
  if used > points then
    local ms = redis.call('PTTL', KEYS[2])
    if ms < 0 then
      redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[8]))
      ms = tonumber(ARGV[8])
    end
    return { -2, ms }
  end
end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return { 0, 0 } end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(top[2]) - now + tonumber(ARGV[5]))) end
return { 1, 0 }
`;

/** The hold script alone takes the schedule counter as a sixth key. */
export const HOLD_SCRIPT = { hfHold: LUA_PRELUDE + LUA_DEADLINE + HOLD } as const;
/** KEYS: slots, meta. */
export const HOLD_SEED_SCRIPT = { hfSeedAbsent: LUA_PRELUDE + SEED_ABSENT } as const;
/** KEYS: the customer's holds zset and hold rate counter. */
export const HOLD_ADMIT_SCRIPT = { hfAdmit: LUA_DEADLINE + ADMIT } as const;

export const HOLD_SCRIPTS = {
  hfRelease: LUA_PRELUDE + LUA_DEADLINE + RELEASE,
  hfExtend: LUA_PRELUDE + LUA_DEADLINE + EXTEND,
  hfConsume: LUA_PRELUDE + LUA_DEADLINE + CONSUME,
  hfClaim: LUA_PRELUDE + CLAIM,
} as const;
