import type { CommissionOverridesInput, MoneyPolicy, MoneyPolicyInput, MoneyPolicyView } from '@shared/schemas/money-policy';
import type { WorkshopView } from '@shared/schemas/views';
import type { Principal } from '../actor';
import { notFound } from '../errors';
import { DEFAULT_MONEY_POLICY, type CommissionRates } from './booking-money';
import type { MoneyPolicyStore } from './money-policy-ports';
import { ownerOrAdmin } from './workshop-access';

export interface MoneyConfig {
  /** COMMISSION_DEFAULT_BPS. */
  platformDefaultBps: number;
  /** DISPUTE_WINDOW_HOURS. */
  disputeWindowHours: number;
}

/**
 * Workshops' money settings: the vendor's policy (payment mode, cancellation and no-show fees) and
 * the commission an admin negotiated. A vendor reads and sets only its own workshop's policy;
 * admins read any and set commission.
 */
export function createMoneySettings(deps: {
  store: MoneyPolicyStore;
  /** The workshop if this actor owns it (FORBIDDEN otherwise, NOT_FOUND when there is none). */
  owned: (actor: Principal, workshopId: string) => Promise<WorkshopView>;
  findWorkshop: (workshopId: string) => Promise<WorkshopView | null>;
  config: MoneyConfig;
}) {
  const { store, config } = deps;

  const readable = (actor: Principal, workshopId: string) => ownerOrAdmin(deps, actor, workshopId, 'its money policy');

  /** The policy and rates a booking of this workshop is computed with. */
  async function termsFor(workshopId: string): Promise<{ policy: MoneyPolicy; rates: CommissionRates; updatedAt: Date | null }> {
    const { stored, overrides } = await store.terms(workshopId);
    return {
      policy: stored?.policy ?? DEFAULT_MONEY_POLICY,
      rates: { platformDefaultBps: config.platformDefaultBps, ...overrides },
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  async function view(workshopId: string): Promise<MoneyPolicyView> {
    const { policy, rates, updatedAt } = await termsFor(workshopId);
    return {
      workshopId,
      ...policy,
      commission: { platformDefaultBps: rates.platformDefaultBps, workshopBps: rates.workshopBps, categoryBps: { ...rates.categoryBps } as Record<string, number> },
      disputeWindowHours: config.disputeWindowHours,
      updatedAt: updatedAt?.toISOString() ?? null,
    };
  }

  return {
    termsFor,

    async policy(actor: Principal, workshopId: string): Promise<MoneyPolicyView> {
      await readable(actor, workshopId);
      return view(workshopId);
    },

    /** The owner replaces its workshop's policy (input already validated by the shared schema). */
    async setPolicy(actor: Principal, workshopId: string, input: MoneyPolicyInput): Promise<MoneyPolicyView> {
      await deps.owned(actor, workshopId);
      await store.savePolicy(workshopId, {
        paymentMode: input.paymentMode,
        depositBps: input.paymentMode === 'deposit' ? input.depositBps : null,
        freeCancelHours: input.freeCancelHours,
        lateCancelFeeBps: input.lateCancelFeeBps ?? 0,
        noShowFeeBps: input.noShowFeeBps ?? 0,
      });
      return view(workshopId);
    },

    /** Admins only (the route checks the role): replaces the workshop's commission overrides. */
    async setCommission(workshopId: string, input: CommissionOverridesInput): Promise<MoneyPolicyView> {
      if (!(await deps.findWorkshop(workshopId))) throw notFound('Workshop');
      await store.saveCommission(workshopId, { workshopBps: input.workshopBps, categoryBps: { ...input.categoryBps } });
      return view(workshopId);
    },
  };
}

export type MoneySettings = ReturnType<typeof createMoneySettings>;
