import { z } from 'zod';

/*
 * A service's `options` jsonb and the price a customer pays for a choice.
 * Shared because the client shows the same price the server charges; both must compute
 * it with the same integer arithmetic or a customer could see 86.23 and pay 86.24.
 */

/** Multipliers are stored with at most this many decimals, so scaling them to integers is exact. */
const MULTIPLIER_DECIMALS = 4;
const MULTIPLIER_SCALE = 10 ** MULTIPLIER_DECIMALS;

const optionIdSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lowercase letters, digits and single hyphens');

const hasAtMostFourDecimals = (n: number) => Math.abs(n * MULTIPLIER_SCALE - Math.round(n * MULTIPLIER_SCALE)) < 1e-6;

const multiplierSchema = (min: number, max: number) =>
  z
    .number()
    .min(min)
    .max(max)
    .refine(hasAtMostFourDecimals, `At most ${MULTIPLIER_DECIMALS} decimal places`);

const optionSchema = (minMultiplier: number) =>
  z.strictObject({
    id: optionIdSchema,
    label: z.string().trim().min(1).max(60),
    multiplier: multiplierSchema(minMultiplier, 5),
  });

/** An urgency level may be offered only for times on the day itself ("Same day"). */
const urgencyOptionSchema = optionSchema(1).extend({ todayOnly: z.boolean().optional() });

/** Up to five options whose ids are unique, since a choice refers to an option by id. */
const optionListSchema = <T extends z.ZodType<{ id: string }>>(option: T) =>
  z
    .array(option)
    .max(5)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id))
          ctx.addIssue({ code: 'custom', message: `Duplicate id "${item.id}"`, path: [index, 'id'] });
        seen.add(item.id);
      });
    })
    .default(() => []);

/** Schema of `service.options`: skill tiers may discount (≥ 0.5); urgency only surcharges (≥ 1). */
export const serviceOptionsSchema = z.strictObject({
  skillTiers: optionListSchema(optionSchema(0.5)),
  urgency: optionListSchema(urgencyOptionSchema),
});

/** Parsed service options (defaults applied). */
export type ServiceOptions = z.output<typeof serviceOptionsSchema>;
/** Service options as stored or sent, before defaults. */
export type ServiceOptionsInput = z.input<typeof serviceOptionsSchema>;
/** One skill tier or urgency level. */
export type ServiceOption = ServiceOptions['skillTiers'][number];

/** Service options as the API sends them (defaults already applied; no input rules). */
const serviceOptionViewSchema = z.strictObject({ id: z.string(), label: z.string(), multiplier: z.number() });
export const serviceOptionsViewSchema = z.strictObject({
  skillTiers: z.array(serviceOptionViewSchema),
  /** `todayOnly`: offered only for times on the day itself. */
  urgency: z.array(serviceOptionViewSchema.extend({ todayOnly: z.boolean().optional() })),
});

/** A customer's pick of options when holding or booking; omitted means "none" (multiplier 1). */
export const optionChoiceSchema = z.strictObject({
  skillTier: optionIdSchema.optional(),
  urgency: optionIdSchema.optional(),
});

/** A customer's option choice. */
export type OptionChoice = z.output<typeof optionChoiceSchema>;

/**
 * The marketplace's conventional option ids: what the matching view offers as a need's skill tier
 * and urgency (a workshop that lists an option under one of these ids gets it applied to its price;
 * the demo catalog uses them). Workshops may define other ids for their own booking page.
 */
export const MARKETPLACE_SKILL_TIERS = [
  { id: 'standard', label: 'Standard' },
  { id: 'master', label: 'Master technician' },
] as const;
export const MARKETPLACE_URGENCY = [
  { id: 'normal', label: 'Normal' },
  { id: 'same-day', label: 'Same day' },
] as const;

/** The result of pricing a choice: the price in minor units, or why the choice is invalid. */
export type PriceResult = { ok: true; priceCents: number } | { ok: false; reason: string };

function scaledMultiplier(options: readonly ServiceOption[], id: string | undefined): bigint | string {
  if (id === undefined) return BigInt(MULTIPLIER_SCALE);
  const option = options.find((o) => o.id === id);
  if (!option) return id;
  return BigInt(Math.round(option.multiplier * MULTIPLIER_SCALE));
}

/**
 * Price of a service for a choice: round(base × tier × urgency), half up, to whole cents.
 * Multipliers are scaled to integers and multiplied as bigints, then rounded once, so
 * 100 × 1.005 is 101 (exactly 100.5) instead of float's 100.49999….
 */
export function priceFor(basePriceCents: number, options: ServiceOptions, choice: OptionChoice): PriceResult {
  if (!Number.isSafeInteger(basePriceCents) || basePriceCents < 0)
    return { ok: false, reason: 'Base price must be a non-negative whole number of cents' };

  const tier = scaledMultiplier(options.skillTiers, choice.skillTier);
  if (typeof tier === 'string') return { ok: false, reason: `Unknown skill tier "${tier}"` };
  const urgency = scaledMultiplier(options.urgency, choice.urgency);
  if (typeof urgency === 'string') return { ok: false, reason: `Unknown urgency "${urgency}"` };

  const denominator = BigInt(MULTIPLIER_SCALE) * BigInt(MULTIPLIER_SCALE);
  const numerator = BigInt(basePriceCents) * tier * urgency;
  // All terms are non-negative, so adding half the denominator then truncating rounds half up.
  const priceCents = Number((numerator + denominator / 2n) / denominator);
  if (!Number.isSafeInteger(priceCents)) return { ok: false, reason: 'Price is too large' };
  return { ok: true, priceCents };
}

/**
 * Formats a price held in minor units. The number of minor units comes from the currency
 * (2 for EUR, 0 for JPY), so a JPY price is not divided by 100.
 */
export function formatPrice(cents: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(cents / 10 ** digits);
}
