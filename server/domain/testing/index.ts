import type { KnownRows } from '../booking-ports';
import { createBookingTransitions } from '../booking-transitions';
import { serviceIdsOf, type HoldRecord } from '../hold-ports';
import { createBookings } from '../bookings';
import { manualClock } from '../clock';
import { createLiveCounts } from '../live-counts';
import { fakeHoldPort } from './fake-holds';
import { fakeBookingStore, fakeSlotStore, fakeWorkshopStore } from './fake-stores';
import { recordingPublisher } from './recording-publisher';

export * from './fake-holds';
export * from './fake-ledger';
export * from './fake-payments';
export * from './fake-stores';
export * from './recording-publisher';

/**
 * The domain's booking services wired to in-memory fakes of every port they take (hold port,
 * behind the real live-counts unit; booking/slot/workshop stores; publisher; manual clock): each confirm or reschedule branch runs
 * in microseconds, with the fakes at hand to arrange the state and read the outcome.
 */
export function fakeBookingDomain(opts: { now?: number; maxOpenPerCustomer?: number } = {}) {
  const clock = manualClock(opts.now ?? Date.UTC(2030, 0, 7, 9, 0));
  const holds = fakeHoldPort(clock);
  const slots = fakeSlotStore();
  const workshops = fakeWorkshopStore();
  const bookings = fakeBookingStore(slots, workshops);
  const publisher = recordingPublisher();
  const live = createLiveCounts({ store: holds, slots, publisher, clock, horizonDays: 30 });
  // The hold catalog's part in a confirm (holds.known): rows copied when a test remembers a hold.
  const cached = new Map<string, KnownRows>();
  return {
    bookings,
    holds,
    slots,
    workshops,
    clock,
    publisher,
    live,
    confirms: createBookings({ bookings, live, workshops, slots, clock, publisher, maxOpenPerCustomer: opts.maxOpenPerCustomer, known: (h) => cached.get(h.id) ?? null }),
    /** Copies the hold's workshop, service and slots as a catalog would hold them: its confirm then books without a read. */
    async remember(h: HoldRecord) {
      const workshop = await workshops.findById(h.workshopId);
      const services = await Promise.all(serviceIdsOf(h).map((id) => workshops.findService(id)));
      if (!workshop || services.some((x) => !x)) throw new Error('remember: unknown workshop or service');
      const copies = services.map((x) => ({ ...x! }));
      cached.set(h.id, { workshop: { ...workshop }, service: copies[0]!, services: copies, slots: await slots.byIds(h.slotIds) });
    },
    transitions: createBookingTransitions({ bookings, live, clock, publisher, workshops }),
  };
}
export type FakeBookingDomain = ReturnType<typeof fakeBookingDomain>;
