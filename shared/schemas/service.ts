import { z } from 'zod';
import { serviceOptionsSchema } from '../service-options';
import { vehicleConstraintsSchema } from './vehicle';

export const SERVICE_CATEGORIES = ['maintenance', 'brakes', 'inspection', 'tyres', 'diagnostics', 'bodywork', 'electrical', 'other'] as const;

const serviceFields = {
  name: z.string().trim().min(2).max(120),
  category: z.enum(SERVICE_CATEGORIES),
  durationMinutes: z.number().int().min(5).max(600),
  basePriceCents: z.number().int().min(0).max(10_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as GBP'),
  options: serviceOptionsSchema.optional(),
  /** What vehicles the service takes; null clears them (any vehicle). */
  vehicleConstraints: vehicleConstraintsSchema.nullable().optional(),
};

export const createServiceSchema = z.object(serviceFields).strict();
export type CreateServiceInput = z.input<typeof createServiceSchema>;

export const updateServiceSchema = z
  .object(serviceFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to update');
export type UpdateServiceInput = z.input<typeof updateServiceSchema>;
