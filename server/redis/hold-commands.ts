import type { ClientContext, Redis, RedisValue, Result } from 'ioredis';
import { HOLD_ADMIT_SCRIPT, HOLD_SCRIPT, HOLD_SCRIPTS, HOLD_SEED_SCRIPT } from './hold-scripts';
import { CUSTOMER_SCRIPTS, SLOT_SCRIPTS } from './slot-scripts';

// ioredis 6 merges custom commands only if the type parameter is repeated exactly (a known ioredis typing pitfall).
declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    hfHold(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfRelease(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfExtend(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfConsume(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfSeedAbsent(...keysThenArgs: RedisValue[]): Result<number, Context>;
    hfAdmit(...keysThenArgs: RedisValue[]): Result<[number, number], Context>;
    hfClaim(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfReturnBooked(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfResync(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfSnapshot(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfRepair(...keysThenArgs: RedisValue[]): Result<string, Context>;
    hfReserve(...keysThenArgs: RedisValue[]): Result<number, Context>;
    hfTouch(...keysThenArgs: RedisValue[]): Result<number, Context>;
  }
}

/** Registers the hold store's Lua commands (EVALSHA with an automatic EVAL fallback). Idempotent. */
export function defineHoldCommands(redis: Redis): void {
  for (const [name, lua] of Object.entries(HOLD_SCRIPTS)) {
    redis.defineCommand(name, { lua, numberOfKeys: 5 });
  }
  redis.defineCommand('hfHold', { lua: HOLD_SCRIPT.hfHold, numberOfKeys: 6 });
  redis.defineCommand('hfSeedAbsent', { lua: HOLD_SEED_SCRIPT.hfSeedAbsent, numberOfKeys: 2 });
  redis.defineCommand('hfAdmit', { lua: HOLD_ADMIT_SCRIPT.hfAdmit, numberOfKeys: 2 });
  for (const [name, lua] of Object.entries(SLOT_SCRIPTS)) {
    redis.defineCommand(name, { lua, numberOfKeys: 2 });
  }
  for (const [name, lua] of Object.entries(CUSTOMER_SCRIPTS)) {
    redis.defineCommand(name, { lua, numberOfKeys: 1 });
  }
}
