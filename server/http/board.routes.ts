import { createRoute } from '@hono/zod-openapi';
import type { Board } from '../domain/board';
import { requireAuth } from './auth.middleware';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';
import { z } from 'zod';
import { boardSnapshotSchema } from '@shared/realtime/events';

/** The admin live board over HTTP: the same BoardSnapshot the `admin` room gets (a fallback while the socket is down). */
export function boardRoutes(board: Board) {
  const r = createRouter();
  r.openapi(
    createRoute({ method: 'get', path: '/admin/board', tags: ['admin'], middleware: requireAuth('admin'), responses: { 200: ok(z.strictObject({ board: boardSnapshotSchema }), '`{board}`: per-workshop live figures and marketplace totals'), ...errors(authErrors) } }),
    async (c) => c.json({ board: await board.snapshot() }, 200),
  );
  return r;
}
