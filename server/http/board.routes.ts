import { createRoute } from '@hono/zod-openapi';
import type { Board } from '../domain/board';
import { requireAuth } from './auth.middleware';
import { createRouter } from './router';

/** The admin live board over HTTP: the same BoardSnapshot the `admin` room gets (a fallback while the socket is down). */
export function boardRoutes(board: Board) {
  const r = createRouter();
  r.openapi(
    createRoute({ method: 'get', path: '/admin/board', tags: ['admin'], middleware: requireAuth('admin'), responses: { 200: { description: '`{board}`: per-workshop live figures and marketplace totals' } } }),
    async (c) => c.json({ board: await board.snapshot() }),
  );
  return r;
}
