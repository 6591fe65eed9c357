import type { MoneyPolicy } from '@shared/schemas/money-policy';

export interface StoredMoneyPolicy {
  policy: MoneyPolicy;
  updatedAt: Date;
}

/** Commission overrides an admin set for one workshop. */
export interface CommissionOverrides {
  workshopBps: number | null;
  categoryBps: Partial<Record<string, number>>;
}

/** Port: each workshop's money policy and commission overrides. */
export interface MoneyPolicyStore {
  /** Null: never set (the defaults apply). */
  policy(workshopId: string): Promise<StoredMoneyPolicy | null>;
  savePolicy(workshopId: string, policy: MoneyPolicy): Promise<StoredMoneyPolicy>;
  commission(workshopId: string): Promise<CommissionOverrides>;
  /** Replaces every override of the workshop in one transaction. */
  saveCommission(workshopId: string, overrides: CommissionOverrides): Promise<void>;
}
