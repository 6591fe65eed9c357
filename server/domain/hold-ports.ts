// The hold store's contract, seen from the domain. The Redis implementation lives in server/redis.
export type {
  Change,
  ConsumeResult,
  HoldRecord,
  HoldStore as HoldPort,
  Released,
  SlotSeed,
} from '../redis/hold-store.types';
