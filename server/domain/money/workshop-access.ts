import type { WorkshopView } from '@shared/schemas/views';
import type { Principal } from '../actor';
import { forbidden, notFound } from '../errors';

export interface WorkshopAccess {
  /** The workshop if this actor owns it (FORBIDDEN otherwise, NOT_FOUND when there is none). */
  owned: (actor: Principal, workshopId: string) => Promise<WorkshopView>;
  findWorkshop: (workshopId: string) => Promise<WorkshopView | null>;
}

/** A workshop's money is read by its owner and by admins only; `what` names it in the refusal. */
export async function ownerOrAdmin(access: WorkshopAccess, actor: Principal, workshopId: string, what: string): Promise<void> {
  if (actor.role === 'admin') {
    if (!(await access.findWorkshop(workshopId))) throw notFound('Workshop');
    return;
  }
  if (actor.role !== 'vendor') throw forbidden(`Only the workshop owner or an admin can see ${what}`);
  await access.owned(actor, workshopId);
}
