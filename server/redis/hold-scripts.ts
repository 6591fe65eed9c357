import { LUA_DEADLINE, LUA_PRELUDE } from './lua-prelude';

/**
 * Workshop scripts over holds (KEYS: slots, meta, expiry, ledger, hold).
 * Each does its checks and its writes in one script, so a hold is taken, released,
 * consumed or swept exactly once, however many processes race.
 */

/** ARGV: now, epoch, recordJson, graceMs, deadline, then (slotId, capacity, booked) per slot. */
const HOLD = `
if pastDeadline(ARGV[5]) then return fail('LATE') end
local rec = cjson.decode(ARGV[3])
local ids = {}
for i = 6, #ARGV, 3 do
  seed(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  ids[#ids + 1] = ARGV[i]
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

export const HOLD_SCRIPTS = {
  hfHold: LUA_PRELUDE + LUA_DEADLINE + HOLD,
  hfRelease: LUA_PRELUDE + LUA_DEADLINE + RELEASE,
  hfExtend: LUA_PRELUDE + LUA_DEADLINE + EXTEND,
  hfConsume: LUA_PRELUDE + LUA_DEADLINE + CONSUME,
  hfClaim: LUA_PRELUDE + CLAIM,
} as const;
