import { randomBytes } from 'node:crypto';
import { createMailPreferenceRepository } from './db/mail-preference.repository';
import { createMailPreferences } from './domain/mail-preferences';
import type { UnsubscribeTokens } from './mail/unsubscribe-token';
import type { MikroORM } from '@mikro-orm/postgresql';
import { passwordHasher } from './auth/password';
import { createBookingRepository } from './db/booking.repository';
import type { SqlPool } from './db/pg-pool';
import { createReviewRepository } from './db/review.repository';
import { createMessageRepository } from './db/message.repository';
import { createJobRepository } from './db/job.repository';
import { createRepairTracking } from './domain/repair-tracking';
import { createHoldCatalogSource, createSlotRepository } from './db/slot.repository';
import { createPaymentWebhooks } from './domain/payment-webhooks';
import type { PaymentProvider } from './domain/payment-ports';
import { createWebhookInbox } from './db/payment-webhook.repository';
import { createUserRepository } from './db/user.repository';
import { createWorkshopRepository } from './db/workshop.repository';
import { createWorkshopSearchRepository } from './db/workshop-search.repository';
import { createLedgerRepository } from './db/ledger.repository';
import { createMoneyPolicyRepository } from './db/money-policy.repository';
import { createBookingPaymentRepository } from './db/booking-payment.repository';
import { createConfirmPayments } from './domain/money/confirm-payment';
import { createPaymentFlow } from './domain/money/payment-flow';
import { createLedgerMovements } from './domain/money/ledger-movements';
import { createDisputes } from './domain/money/disputes';
import { createReconciliation } from './domain/money/reconciliation';
import type { ReconciliationReport } from '@shared/schemas/reconciliation';
import { createReconciliationSource } from './db/reconciliation.repository';
import { createDisputeRepository } from './db/dispute.repository';
import { createMoneySettings, type MoneyConfig } from './domain/money/money-settings';
import { createPayouts, type PayoutConfig } from './domain/money/payouts';
import { createPayoutAccounts } from './domain/money/payout-accounts';
import { createMoneyReports } from './domain/money/money-reports';
import { createPayoutRepository } from './db/payout.repository';
import { createMoneyReportRepository } from './db/money-report.repository';
import { createReports } from './domain/reports';
import { createReportRepository } from './db/reports.repository';
import { createAccounts } from './domain/accounts';
import { createAccountLinks, type LinkSecrets } from './domain/account-links';
import { createAccountTokenRepository } from './db/account-token.repository';
import { createLinkSecrets } from './auth/link-tokens';
import { createCalendars } from './domain/calendars';
import { createCalendarFeedRepository } from './db/calendar-feed.repository';
import { createWebhookRepository } from './db/webhook.repository';
import { createWebhooks, DEFAULT_WEBHOOK_POLICY, type WebhookPolicy } from './domain/webhooks';
import { newWebhookSecret, signWebhook } from './webhooks/signature';
import { createWebhookSender } from './webhooks/sender';
import { createAvailability } from './domain/availability';
import { silentPublisher, type Publisher } from './domain/booking-ports';
import { createBookingTransitions } from './domain/booking-transitions';
import { createDisruption } from './domain/disruption';
import { bookingView, createBookings } from './domain/bookings';
import { createCatalog } from './domain/catalog';
import { createWorkshopSearch } from './domain/workshop-search';
import { createMatching } from './domain/matching-engine';
import { createMatchRepository } from './db/match.repository';
import type { Clock } from './domain/clock';
import type { FaultHook } from './domain/hold-commit';
import type { HoldPort } from './domain/hold-ports';
import { createHolds, type HoldRules } from './domain/holds';
import { createLiveCounts, type LiveCountsDeps } from './domain/live-counts';
import { createReviews } from './domain/reviews';
import { createReviewModeration } from './domain/review-moderation';
import { createAudit } from './domain/audit';
import { createQuality, DEFAULT_QUALITY_THRESHOLDS } from './domain/quality';
import { createQualityRepository } from './db/quality.repository';
import type { QualityThresholds } from '@shared/schemas/quality';
import { createAuditRepository } from './db/audit.repository';
import { createMessages } from './domain/messages';
import { createWorkshopAccess } from './domain/workshop-access';
import { createStaff } from './domain/staff';
import { createJobAssignment } from './domain/job-assignment';
import { createWorkshopMemberRepository } from './db/workshop-member.repository';
import { createSlotRegeneration } from './domain/slot-regeneration';
import { placeZones } from './places/place-zones';
import { findPlaces } from './places/gazetteer';
import { createVehicles } from './domain/vehicles';
import type { RegistrationProvider, VinDecoder } from './domain/vehicle-ports';
import { createVehicleRepository } from './db/vehicle.repository';
import { createVinDecoder } from './vehicles/vin-decoder';
import { unconfiguredRegistrations } from './vehicles/dvla-provider';

export interface ServicesDeps {
  orm: MikroORM;
  /** The hot path's plain pg pool (confirms); its owner closes it. */
  sql: SqlPool;
  clock: Clock;
  holds: HoldPort;
  /** Snapshot reads with the hold store's semantics over a compact script (redis/slot-snapshot.ts); the store's own when absent. */
  snapshots?: LiveCountsDeps['snapshots'];
  horizonDays: number;
  /** Most slots one workshop may have over the horizon (and the most one snapshot carries). */
  maxSlotsPerWorkshop: number;
  holdRules?: Partial<HoldRules>;
  /** Open bookings one customer may have (MAX_OPEN_BOOKINGS); unlimited when absent. */
  maxOpenBookings?: number;
  /** Where every domain event goes (runtime.ts: the domain event bus); silent by default. */
  publisher?: Publisher;
  /** Platform commission default and dispute window (COMMISSION_DEFAULT_BPS, DISPUTE_WINDOW_HOURS). */
  money?: MoneyConfig;
  /** Daily settlement (PAYOUT_MINIMUM_MINOR, PAYOUT_HOUR_UTC, PAYOUT_ACCOUNT_COUNTRY). */
  payouts?: PayoutConfig;
  /** Test-only fault hook at named confirm/reschedule steps (never set in production). */
  faults?: FaultHook;
  /** The payment provider PAYMENT_PROVIDER chose (server/payments/payment-provider.ts). */
  payments: PaymentProvider;
  /** PUBLIC_URL: where the provider's hosted onboarding sends a workshop owner back to (the desk's Money tab). */
  publicUrl?: string;
  /** Told each reconciliation report (runtime.ts: the differences gauge and the log). */
  reconciled?: (r: ReconciliationReport) => void;
  /** log2 of scrypt's cost for new passwords (SCRYPT_COST_LOG2); the production cost when absent. */
  scryptCostLog2?: number;
  /** Outgoing webhooks: which non-public ranges may be reached, the send timeout, retry policy. */
  webhooks?: { allowNetworks: readonly string[]; timeoutMs: number; policy?: Partial<WebhookPolicy>; onDisabled?: (endpoint: { id: string; url: string }, reason: string) => void };
  /** VIN decoding and registration lookup (runtime: the corgi worker and the DVLA adapter); absent: a lazy decoder and no lookup. */
  vehicles?: { vin: VinDecoder; registrations: RegistrationProvider };
  /** Checks the signed unsubscribe links in mail (runtime: keyed by the app secret); without it every link is refused. */
  unsubscribe?: Pick<UnsubscribeTokens, 'verify'>;
  /** Quality thresholds (QUALITY_* settings); the defaults when absent. */
  quality?: QualityThresholds;
  /** Token material of emailed account links (runtime: keyed by the app secret); a throwaway key when absent (scripts send no links). */
  linkSecrets?: LinkSecrets;
}

/**
 * Repositories plugged into the domain services: wiring only, no rules. Called by the composition
 * root (runtime.ts) and by the seed script.
 */
export function createServices(deps: ServicesDeps) {
  const publisher = deps.publisher ?? silentPublisher;
  const { clock, horizonDays } = deps;
  const users = createUserRepository(deps.orm);
  const hasher = passwordHasher(deps.scryptCostLog2);
  const workshops = createWorkshopRepository(deps.orm);
  const members = createWorkshopMemberRepository(deps.orm);
  // The one gate of workshop-side actions: membership and the role's permissions (README "Staff and roles").
  const access = createWorkshopAccess({ members, findWorkshop: (id) => workshops.findById(id) });
  const slotStore = createSlotRepository(deps.orm);
  const bookingStore = createBookingRepository(deps.orm, deps.sql);
  const reviewStore = createReviewRepository(deps.orm);
  const messageStore = createMessageRepository(deps.orm);
  // The one unit that changes (and publishes) live slot counts.
  const live = createLiveCounts({ store: deps.holds, snapshots: deps.snapshots, slots: slotStore, publisher, clock, horizonDays });
  const slots = createSlotRegeneration({
    slots: slotStore,
    workshops,
    clock,
    horizonDays,
    maxSlots: deps.maxSlotsPerWorkshop,
    onChanged: live.scheduleChanged,
    prune: async (workshopId, now) => void (await live.prune(workshopId, now)),
  });
  const vehicles = createVehicles({
    store: createVehicleRepository(deps.sql, clock),
    vin: deps.vehicles?.vin ?? createVinDecoder(),
    registrations: deps.vehicles?.registrations ?? unconfiguredRegistrations,
  });
  const holds = createHolds({ vehicleCopy: vehicles.bookingCopy, live, slots: slotStore, catalogSource: createHoldCatalogSource(deps.orm), clock, publisher, rules: deps.holdRules });
  // Catalog edits move the workshop's schedule version: cached hold checks everywhere go stale.
  const catalogChanged = async (workshopId: string) => {
    holds.forgetWorkshop(workshopId);
    await live.catalogChanged(workshopId);
  };
  const catalog = createCatalog({ workshops, slots, clock, zonesOf: placeZones, bounds: { horizonDays, maxSlots: deps.maxSlotsPerWorkshop }, changed: catalogChanged, publisher, access });
  const ledgerStore = createLedgerRepository(deps.sql, clock);
  const moneyConfig = deps.money ?? { platformDefaultBps: 1000, disputeWindowHours: 72 };
  const money = createMoneySettings({
    store: createMoneyPolicyRepository(deps.sql),
    owned: access.gate('money.view'),
    findWorkshop: (id) => workshops.findById(id),
    config: moneyConfig,
  });
  const disputeStore = createDisputeRepository(deps.sql);
  const bookingPayments = createBookingPaymentRepository(deps.sql);
  const confirmPayments = createConfirmPayments({ provider: deps.payments, store: bookingPayments, terms: money.termsFor, clock });
  const ledger = createLedgerMovements(ledgerStore);
  const paymentFlow = createPaymentFlow({
    provider: deps.payments,
    store: bookingPayments,
    ledger,
    clock,
    disputeWindowHours: moneyConfig.disputeWindowHours,
    // An open dispute freezes the escrow's release until an admin resolves it.
    hasOpenDispute: (bookingId) => disputeStore.hasOpen(bookingId),
    bookingOf: (id) => bookingStore.findById(id),
  });
  const bookings = createBookings({
    vehicleCopy: vehicles.bookingCopy,
    bookings: bookingStore, live, workshops, slots: slotStore, clock, publisher, maxOpenPerCustomer: deps.maxOpenBookings, known: holds.known, faults: deps.faults,
    payments: confirmPayments, paymentOf: bookingPayments.findBookingPayment,
  });
  const payoutStore = createPayoutRepository(deps.sql);
  const payoutConfig = deps.payouts ?? { minimumMinor: 1000, hourUtc: 6, accountCountry: 'GB' };
  const payoutAccounts = createPayoutAccounts({
    store: payoutStore,
    provider: deps.payments,
    access: { owned: access.gate('money.view'), findWorkshop: (id) => workshops.findById(id) },
    clock,
    config: { accountCountry: payoutConfig.accountCountry, returnUrl: `${(deps.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, '')}/#/vendor/money` },
    emailOf: async (id) => (await workshops.findById(id))?.email ?? null,
  });
  const payouts = createPayouts({ store: payoutStore, provider: deps.payments, clock, config: payoutConfig, accounts: payoutAccounts });
  const moneyReports = createMoneyReports({
    reports: createMoneyReportRepository(deps.sql),
    payouts: payoutStore,
    clock,
    config: payoutConfig,
    owned: access.gate('money.view'),
    findWorkshop: (id) => workshops.findById(id),
  });
  const reports = createReports({ store: createReportRepository(deps.orm), clock, owned: access.gate('money.view'), findWorkshop: (id) => workshops.findById(id) });
  const accountLinks = createAccountLinks({
    users,
    store: createAccountTokenRepository(deps.orm),
    secrets: deps.linkSecrets ?? createLinkSecrets(randomBytes(32).toString('hex')),
    hasher,
    clock,
    mailOwed: () => publisher.accountMailOwed(),
    staffJoined: (e) => publisher.staffAccess(e),
  });
  const availability = createAvailability({ slots: slotStore, live, clock, options: { maxSlots: deps.maxSlotsPerWorkshop }, visible: catalog.visible });
  const transitions = createBookingTransitions({
    workshops, bookings: bookingStore, live, clock, publisher, faults: deps.faults,
    payments: { find: bookingPayments.findBookingPayment, run: paymentFlow.run },
  });
  return {
    /** The time every service reads (a manual clock in tests). */
    clock,
    accounts: createAccounts({ users, hasher, clock }),
    /** Emailed single-use links: password reset, email verification, admin and staff invitations. */
    accountLinks,
    /** Who works in which workshop and what their role may do (every workshop-side route asks it). */
    access,
    /** A workshop's team: staff invitations, roles, removal. */
    staff: createStaff({ members, access, links: accountLinks, publisher }),
    /** Jobs given to a mechanic and a bay. */
    assignment: createJobAssignment({ bookings: bookingStore, workshops, publisher, clock }),
    catalog,
    availability,
    /** The public search: words, distance, facets, cursor pages (the free-slot counts come from availability's live snapshot). */
    search: createWorkshopSearch({
      store: createWorkshopSearchRepository(deps.orm),
      clock,
      freeSlots: async (workshopId, from, to) => (await availability.snapshot(workshopId, from, to)).slots.filter((x) => x.free > 0).length,
    }),
    /** The live matching engine: candidates and slot times from Postgres, runs from the live counts (Redis), scored with the admins' weights. */
    matching: createMatching({
      store: createMatchRepository(deps.orm),
      clock,
      liveCounts: async (workshopId, rows) => new Map((await live.snapshot(workshopId, rows)).slots.map((x) => [x.id, x.free])),
      vehicleOf: (customer, id) => vehicles.get(customer, id),
    }),
    holds,
    bookings,
    /** Customers' garages, VIN decoding, registration lookup. */
    vehicles,
    /** Outgoing webhooks: endpoints, their delivery log, and the worker's rounds. */
    webhooks: createWebhooks(
      {
        store: createWebhookRepository(deps.sql),
        owned: access.gate('settings.edit'),
        booking: async (id) => {
          const b = await bookingStore.findById(id);
          return b ? bookingView(b) : null;
        },
        newSecret: newWebhookSecret,
        send: createWebhookSender({ timeoutMs: deps.webhooks?.timeoutMs ?? 10_000, allowNetworks: deps.webhooks?.allowNetworks ?? [] }),
        sign: signWebhook,
        clock,
        onDisabled: deps.webhooks?.onDisabled,
      },
      { ...DEFAULT_WEBHOOK_POLICY, ...deps.webhooks?.policy },
    ),
    /** Bookings as calendar events: `.ics` files and private feeds. */
    calendars: createCalendars({
      bookings,
      feeds: createCalendarFeedRepository(deps.orm),
      clock,
      addressOf: async (id) => {
        const w = await workshops.findById(id);
        return w ? [w.address, w.city].filter(Boolean).join(', ') : '';
      },
    }),
    reviews: createReviews({ bookings: bookingStore, reviews: reviewStore, visibleWorkshop: catalog.visible }),
    /** Replies, reports and admin moderation of reviews (audited with the step). */
    reviewModeration: createReviewModeration({ reviews: reviewStore, owned: access.gate('settings.edit'), clock }),
    /** Workshop quality metrics, the admin's quality queue and its dismissals. */
    quality: createQuality({
      store: createQualityRepository(deps.orm),
      clock,
      thresholds: deps.quality ?? DEFAULT_QUALITY_THRESHOLDS,
      owns: access.gate('money.view'),
      exists: async (id) => (await workshops.findById(id)) !== null,
    }),
    /** The trail of admin actions. */
    audit: createAudit({ store: createAuditRepository(deps.orm), clock }),
    messages: createMessages({ bookings: bookingStore, messages: messageStore, publisher, clock }),
    /** Live repair tracking: a job's stages, quotes for extra work and their answers. */
    repairTracking: createRepairTracking({ bookings: bookingStore, store: createJobRepository(deps.orm), publisher, clock }),
    transitions,
    /** A workshop cancelling or moving bookings with a reason, the customer's one-click answers, and closing a day that has bookings. */
    disruption: createDisruption({
      bookings: bookingStore,
      transitions,
      live,
      availability,
      workshops,
      // A workshop's own cancel or move of a booking: the desk's decision (bookings.respond; README "Staff and roles").
      access: access.gate('bookings.respond'),
      isMember: (actor, workshopId) => access.isMember(actor, workshopId),
      addClosure: catalog.addClosure,
      clock,
    }),
    live,
    slots,
    /** Workshops' money policy and commission. */
    money,
    /** Money movements, each one balanced ledger transaction. */
    ledger,
    /** Booking payments: the row per booking, and the flow that moves money with the booking (and its sweeps). */
    bookingPayments: { store: bookingPayments, flow: paymentFlow, confirm: confirmPayments },
    /** Daily settlement of workshops' payable balances (the scheduler in runtime.ts calls `tick`). */
    payouts,
    /** Workshops' payout accounts at the provider (Connect onboarding in stripe mode). */
    payoutAccounts,
    /** Balances, statements and finance figures. */
    moneyReports,
    /** Booking reports: a workshop's (owner, admins) and the marketplace's (admins). */
    reports,
    /** Customers' disputes on completed bookings and their resolution by admins (refund or release). */
    disputes: createDisputes({
      bookings: bookingStore,
      disputes: disputeStore,
      ledger,
      provider: deps.payments,
      payments: bookingPayments,
      publisher,
      clock,
      disputeWindowHours: moneyConfig.disputeWindowHours,
    }),
    /** Compares the ledger, booking payments and the provider's own records (either adapter). */
    reconciliation: createReconciliation({
      source: createReconciliationSource(deps.sql),
      provider: { name: deps.payments.name, records: (ids) => deps.payments.paymentRecords(ids) },
      clock,
      onReport: deps.reconciled,
    }),
    /** The payment provider, and its verified webhook events recorded once each. */
    payments: {
      provider: deps.payments,
      webhooks: createPaymentWebhooks({ provider: deps.payments, inbox: createWebhookInbox(deps.orm), clock, accountUpdated: payoutAccounts.accountUpdated }),
    },
    /** Which time zones a place can be in (onboarding suggests them; verification checks them). */
    placeZones,
    /** Places by name from the gazetteer shipped with the product ("near" searches, a workshop's location). */
    findPlaces,
    /** Reminders and review requests on or off per user; the unsubscribe link. */
    mailPreferences: createMailPreferences({
      store: createMailPreferenceRepository(deps.orm),
      verify: deps.unsubscribe?.verify ?? (async () => null),
    }),
    /** Who owns a workshop (the realtime hub routes booking events to the owner's screens). */
    ownerOf: async (workshopId: string) => (await workshops.findById(workshopId))?.ownerId ?? null,
    /** Repositories, for tests and scripts only (routes and realtime go through the services above). */
    stores: { users, workshops, members, slots: slotStore, bookings: bookingStore, reviews: reviewStore, ledger: ledgerStore, bookingPayments, payouts: payoutStore, disputes: disputeStore },
  };
}

export type Services = ReturnType<typeof createServices>;
