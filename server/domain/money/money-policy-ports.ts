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
  /**
   * The workshop's policy (null: never set, the defaults apply) and its commission overrides, read
   * together: every confirm asks for both.
   */
  terms(workshopId: string): Promise<{ stored: StoredMoneyPolicy | null; overrides: CommissionOverrides }>;
  savePolicy(workshopId: string, policy: MoneyPolicy): Promise<StoredMoneyPolicy>;
  /** Replaces every override of the workshop in one transaction. */
  saveCommission(workshopId: string, overrides: CommissionOverrides): Promise<void>;
}
