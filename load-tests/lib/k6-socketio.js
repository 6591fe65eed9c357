// k6 glue for ./socketio.js: the WebSocket and timers of k6 itself.
// `k6/experimental/websockets` is the module the project standardised on; newer k6 also has it
// as `k6/websockets` (then the experimental import only prints a deprecation warning).
import { WebSocket } from 'k6/experimental/websockets';
import { clearTimeout, setTimeout } from 'k6/timers';
import { socketIo } from './socketio.js';

/**
 * Opens `${wsUrl}/socket.io/?EIO=4&transport=websocket` (WebSocket transport only: no sticky
 * sessions needed) and speaks Socket.IO on it.
 * @param {string} wsUrl e.g. ws://127.0.0.1:3000
 * @param {{ token?: string, tags?: Record<string, string> }} [opts]
 */
export function connectSocketIo(wsUrl, opts = {}) {
  const ws = new WebSocket(`${wsUrl.replace(/\/$/, '')}/socket.io/?EIO=4&transport=websocket`, null, { tags: opts.tags });
  return socketIo(ws, { timers: { setTimeout, clearTimeout }, auth: opts.token ? { token: opts.token } : undefined });
}
