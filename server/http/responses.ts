import '@hono/zod-openapi'; // adds `.openapi()` to zod schemas
import { z } from 'zod';
import { apiErrorBodySchema } from '@shared/errors';
import type { Context, TypedResponse } from 'hono';
import type { JsonText } from '../domain/availability';

/*
 * Response declarations for `createRoute({ responses })`: every body a route answers is a zod
 * schema from shared/, so /openapi.json documents it, handlers' `c.json` is type-checked
 * against it, and under test every answer is checked against it (contract-check.ts).
 */

/** A JSON success body. */
export const ok = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A file body of one media type (text/calendar, text/csv): documented as text, checked by its type. */
export const file = (mediaType: string, description: string) => ({ description, content: { [mediaType]: { schema: z.string() } } });

/** A success without a body (204). */
export const noContent = (description: string) => ({ description });

type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 500 | 503;

/** One named component for the error body, referenced by every error answer. */
const apiError = apiErrorBodySchema.openapi('ApiError');
const error = (description: string) => ({ description, content: { 'application/json': { schema: apiError } } });

/**
 * The error answers of a route: the given ones (status → the codes it may carry) plus those every
 * `/api` route can give (bad input, an unexpected fault, a store outage or the request deadline).
 */
export function errors(extra: Partial<Record<ErrorStatus, string>> = {}) {
  const all: Partial<Record<ErrorStatus, string>> = {
    400: 'VALIDATION_FAILED or MALFORMED_JSON',
    500: 'INTERNAL',
    503: 'SERVICE_UNAVAILABLE (a store is down or the request deadline passed; see Retry-After)',
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).map(([status, d]) => [status, error(d!)])) as Record<ErrorStatus, ReturnType<typeof error>>;
}

/** The errors of a route that needs a signed-in caller (with the given role). */
export const authErrors = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN (wrong role), ACCOUNT_SUSPENDED or CSRF_REJECTED' } as const;

/**
 * Sends JSON text the domain built itself (a `JsonText<T>`) as the body `c.json(t)` would send,
 * typed as that JSON answer so the route's declared schema still checks it (and, under test,
 * contract-check.ts parses and checks the text like any other answer).
 */
export function jsonText<T, S extends 200 | 201>(c: Context, text: JsonText<T>, status: S, bytes?: Uint8Array) {
  return c.body((bytes as Uint8Array<ArrayBuffer> | undefined) ?? text, status, { 'content-type': 'application/json' }) as unknown as Response & TypedResponse<T, S, 'json'>;
}

/**
 * The UTF-8 bytes of the last text sent under each key (at most `max` keys, oldest dropped): a
 * body sent again unchanged (a popular workshop's availability between two changes) goes out as
 * the same bytes, without encoding and measuring ~40 KB of text per request. A string body costs
 * two passes over it (its byte length, then the encoding write); bytes cost neither.
 */
export function encodedOnce(max = 200) {
  const last = new Map<string, { text: string; bytes: Uint8Array }>();
  return (key: string, text: string): Uint8Array => {
    const hit = last.get(key);
    if (hit && hit.text === text) return hit.bytes;
    const bytes = Buffer.from(text, 'utf8');
    last.delete(key);
    last.set(key, { text, bytes });
    if (last.size > max) last.delete(last.keys().next().value!);
    return bytes;
  };
}
