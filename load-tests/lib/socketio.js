// Socket.IO v5 over Engine.IO v4 on a plain, browser-style WebSocket (k6 has no Socket.IO client).
// No k6 imports here: the same code runs under k6 and under Node (load-tests/runner tests it
// against the real server with undici's WebSocket).
//
// Frames (WebSocket transport, one packet per frame):
//   server "0{sid,pingInterval,…}"  Engine.IO open          → we send "40" or "40{auth}"
//   server "40{"sid":…}"            Socket.IO connected
//   server "44{"message":…}"        Socket.IO connect error
//   server "2"                      ping                    → we send "3" (pong)
//   "42[name,payload]"              event
//   "42<id>[name,payload]"          event that wants an ack → answered by "43<id>[response]"
// Ack ids are ours: the first request is 0, then 1, 2, … and the answer echoes that exact id.

/**
 * @typedef {{ data: unknown }} WsMessage
 * @typedef {{
 *   send(data: string): void,
 *   close(code?: number): void,
 *   addEventListener(event: 'open' | 'message' | 'close' | 'error', listener: (e: any) => void): void,
 * }} WebSocketLike
 * @typedef {{ setTimeout(fn: () => void, ms: number): unknown, clearTimeout(id: any): void }} Timers
 * @typedef {{ kind: 'open', data: any } | { kind: 'connect', data: any } | { kind: 'connect_error', data: any }
 *   | { kind: 'event', name: string, args: any[], ackId: number | null } | { kind: 'ack', ackId: number, args: any[] }
 *   | { kind: 'ping' } | { kind: 'pong' } | { kind: 'close' } | { kind: 'disconnect' } | { kind: 'noop' }
 *   | { kind: 'unknown', frame: string }} Packet
 */

/**
 * Parses one Engine.IO frame (and the Socket.IO packet inside a "4" message) of the default namespace.
 * @param {string} frame
 * @returns {Packet}
 */
export function parseFrame(frame) {
  const eio = frame.charAt(0);
  if (eio === '0') return { kind: 'open', data: JSON.parse(frame.slice(1)) };
  if (eio === '1') return { kind: 'close' };
  if (eio === '2') return { kind: 'ping' };
  if (eio === '3') return { kind: 'pong' };
  if (eio === '6') return { kind: 'noop' };
  if (eio !== '4') return { kind: 'unknown', frame };
  const type = frame.charAt(1);
  let i = 2;
  // A namespace other than "/" would come as "/name," first; this helper speaks only "/".
  if (frame.charAt(i) === '/') {
    const comma = frame.indexOf(',', i);
    i = comma < 0 ? frame.length : comma + 1;
  }
  let digits = '';
  while (i < frame.length && frame.charCodeAt(i) >= 48 && frame.charCodeAt(i) <= 57) digits += frame.charAt(i++);
  const rest = frame.slice(i);
  const ackId = digits === '' ? null : Number(digits);
  if (type === '0') return { kind: 'connect', data: rest ? JSON.parse(rest) : null };
  if (type === '1') return { kind: 'disconnect' };
  if (type === '4') return { kind: 'connect_error', data: rest ? JSON.parse(rest) : null };
  if (type === '2') {
    const arr = JSON.parse(rest);
    return { kind: 'event', name: String(arr[0]), args: arr.slice(1), ackId };
  }
  if (type === '3' && ackId !== null) return { kind: 'ack', ackId, args: JSON.parse(rest) };
  return { kind: 'unknown', frame };
}

/** @param {string} name @param {unknown} payload @param {number | null} [ackId] */
export function eventFrame(name, payload, ackId = null) {
  return `42${ackId === null ? '' : ackId}${JSON.stringify([name, payload])}`;
}

/**
 * Wraps a WebSocket (opening or open) in a minimal Socket.IO client.
 * `parse` replaces parseFrame: a load generator holding many sockets in one room passes one that
 * parses each distinct broadcast frame once (listeners then share the payload and must not change it).
 * @param {WebSocketLike} ws
 * @param {{ timers: Timers, auth?: Record<string, unknown>, now?: () => number, parse?: (frame: string) => Packet }} opts
 */
export function socketIo(ws, opts) {
  const now = opts.now ?? (() => Date.now());
  const parse = opts.parse ?? parseFrame;
  let nextAckId = 0;
  let isConnected = false;
  let isClosed = false;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, timer: unknown }>} */
  const pending = new Map();
  /** @type {Record<string, Array<(payload: any, receivedAt: number) => void>>} */
  const listeners = {};
  /** @type {Array<{ resolve: (sid: string) => void, reject: (e: Error) => void }>} */
  const connectWaiters = [];
  const stats = { framesIn: 0, pings: 0, events: 0 };

  /** @param {Error} err */
  const failAll = (err) => {
    for (const w of connectWaiters.splice(0)) w.reject(err);
    for (const [id, p] of pending) {
      opts.timers.clearTimeout(p.timer);
      pending.delete(id);
      p.reject(err);
    }
  };

  ws.addEventListener('message', (/** @type {WsMessage} */ e) => {
    const receivedAt = now();
    if (typeof e.data !== 'string') return;
    stats.framesIn++;
    const p = parse(e.data);
    switch (p.kind) {
      case 'open':
        ws.send(opts.auth ? `40${JSON.stringify(opts.auth)}` : '40');
        break;
      case 'ping':
        stats.pings++;
        ws.send('3');
        break;
      case 'connect':
        isConnected = true;
        for (const w of connectWaiters.splice(0)) w.resolve(p.data && p.data.sid);
        break;
      case 'connect_error':
        failAll(new Error(`socket.io connect error: ${JSON.stringify(p.data)}`));
        break;
      case 'event': {
        stats.events++;
        for (const fn of listeners[p.name] ?? []) fn(p.args[0], receivedAt);
        break;
      }
      case 'ack': {
        const req = pending.get(p.ackId);
        if (req) {
          pending.delete(p.ackId);
          opts.timers.clearTimeout(req.timer);
          req.resolve(p.args[0]);
        }
        break;
      }
      case 'close':
      case 'disconnect':
        isConnected = false;
        break;
      default:
        break;
    }
  });
  ws.addEventListener('close', () => {
    isConnected = false;
    isClosed = true;
    failAll(new Error('socket closed'));
  });
  ws.addEventListener('error', (/** @type {any} */ e) => {
    failAll(new Error(`websocket error: ${e && (e.error || e.message) ? e.error || e.message : 'unknown'}`));
  });

  return {
    stats,
    get connected() {
      return isConnected;
    },
    get closed() {
      return isClosed;
    },
    /**
     * Resolves with the Socket.IO sid once "40{sid}" arrived.
     * @param {number} [timeoutMs]
     * @returns {Promise<string>}
     */
    ready(timeoutMs = 10000) {
      if (isConnected) return Promise.resolve('');
      return new Promise((resolve, reject) => {
        const timer = opts.timers.setTimeout(() => reject(new Error('socket.io connect timeout')), timeoutMs);
        connectWaiters.push({
          resolve: (sid) => {
            opts.timers.clearTimeout(timer);
            resolve(sid);
          },
          reject: (err) => {
            opts.timers.clearTimeout(timer);
            reject(err);
          },
        });
      });
    },
    /** @param {string} name @param {(payload: any, receivedAt: number) => void} fn */
    on(name, fn) {
      (listeners[name] = listeners[name] ?? []).push(fn);
    },
    /** Fire-and-forget event. @param {string} name @param {unknown} payload */
    emit(name, payload) {
      ws.send(eventFrame(name, payload));
    },
    /**
     * Event with an acknowledgement; resolves with the server's ack argument.
     * @param {string} name @param {unknown} payload @param {number} [timeoutMs]
     * @returns {Promise<any>}
     */
    request(name, payload, timeoutMs = 5000) {
      const id = nextAckId++;
      return new Promise((resolve, reject) => {
        const timer = opts.timers.setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no ack for ${name} (id ${id}) within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        ws.send(eventFrame(name, payload, id));
      });
    },
    close() {
      if (isConnected) ws.send('41');
      ws.close();
    },
  };
}
