/*
 * What a customer typed for a booking (vehicle and notes), kept per workshop while they book, so
 * an expired hold or a taken slot never costs them the typing: the next hold starts from it.
 * Forgotten once a booking is confirmed.
 */
export interface Draft {
  /** A vehicle from the garage ('' = typed below). */
  vehicleId: string;
  registration: string;
  make: string;
  model: string;
  notes: string;
}

const empty = (): Draft => ({ vehicleId: '', registration: '', make: '', model: '', notes: '' });
const drafts = new Map<string, Draft>();

export const bookingDraft = {
  get: (workshopId: string): Draft => ({ ...(drafts.get(workshopId) ?? empty()) }),
  save: (workshopId: string, d: Draft) => void drafts.set(workshopId, { ...d }),
  forget: (workshopId: string) => void drafts.delete(workshopId),
};
