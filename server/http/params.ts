import { z } from 'zod';

/** Path parameters are validated like bodies: a malformed id is a 400, never a database error. */
export const idParam = z.object({ id: z.uuid({ message: 'Not a valid id' }) });
export const serviceParam = z.object({ id: z.uuid(), serviceId: z.uuid() });
export const closureParam = z.object({ id: z.uuid(), closureId: z.uuid() });

export const jsonBody = <T>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
