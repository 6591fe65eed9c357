import { z } from 'zod';

/** An email address as people type it; stored lower-cased. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address' }))
  .transform((v) => v.toLowerCase());

/**
 * A phone number as people write it (digits, spaces, brackets, dashes, an optional leading +),
 * with 7 to 15 digits (the E.164 maximum). Kept as typed, so it reads back the way it was given.
 */
export const phoneSchema = z
  .string()
  .trim()
  .max(32, 'Use at most 32 characters')
  .regex(/^\+?[0-9 ()-]+$/, 'Use digits, spaces, brackets or dashes, e.g. +44 113 496 0000')
  .refine((v) => {
    const digits = v.replace(/\D/g, '').length;
    return digits >= 7 && digits <= 15;
  }, 'A phone number has 7 to 15 digits');

/** A `tel:` link for a phone number as typed (digits and a leading + only). */
export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** A map link for an address: the pin when the coordinates are known, else a search for the address. */
export function mapUrl(place: { address: string; city: string; lat: number | null; lng: number | null }): string {
  if (place.lat != null && place.lng != null) return `https://www.openstreetmap.org/?mlat=${place.lat}&mlon=${place.lng}#map=17/${place.lat}/${place.lng}`;
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(`${place.address}, ${place.city}`)}`;
}
