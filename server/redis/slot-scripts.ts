import { LUA_DEADLINE, LUA_PRELUDE } from './lua-prelude';

/** Workshop scripts over slot counters only (KEYS: slots, meta). */

/** ARGV: now, epoch, slotId... Slots Redis does not know are skipped: their seeds will be right. */
const RETURN_BOOKED = `
local ids = {}
for i = 3, #ARGV do
  if known(ARGV[i]) then
    add('b:', ARGV[i], -1)
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

/** ARGV: now, epoch, then (slotId, capacity, booked) per slot. Initializes but never bumps seq. */
const SNAPSHOT = `
local slots = {}
for i = 3, #ARGV, 3 do
  seed(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  slots[#slots + 1] = counts(ARGV[i])
end
meta()
local m = redis.call('HMGET', META, 'seq', 'epoch')
return cjson.encode({ seq = tonumber(m[1]), epoch = m[2], slots = slots })
`;

export const SLOT_SCRIPTS = {
  hfReturnBooked: LUA_PRELUDE + RETURN_BOOKED,
  hfResync: LUA_PRELUDE + RESYNC,
  hfSnapshot: LUA_PRELUDE + SNAPSHOT,
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
