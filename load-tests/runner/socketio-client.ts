/*
 * The minimal Socket.IO client the k6 scripts use (load-tests/lib/socketio.js, plain JS checked by
 * `npm run check:k6`), typed for the Node runner, plus a frame parser shared by many sockets.
 */

export type Packet =
  | { kind: 'open' | 'connect' | 'connect_error'; data: any }
  | { kind: 'event'; name: string; args: any[]; ackId: number | null }
  | { kind: 'ack'; ackId: number; args: any[] }
  | { kind: 'ping' | 'pong' | 'close' | 'disconnect' | 'noop' }
  | { kind: 'unknown'; frame: string };

export interface WebSocketLike {
  send(data: string): void;
  close(code?: number): void;
  addEventListener(event: 'open' | 'message' | 'close' | 'error', listener: (e: any) => void): void;
}

export interface MiniSocket {
  readonly connected: boolean;
  readonly closed: boolean;
  readonly stats: { framesIn: number; pings: number; events: number };
  ready(timeoutMs?: number): Promise<string>;
  request(name: string, payload: unknown, timeoutMs?: number): Promise<any>;
  emit(name: string, payload: unknown): void;
  on(name: string, fn: (payload: any, at: number) => void): void;
  close(): void;
}

export interface SocketIoModule {
  parseFrame(frame: string): Packet;
  eventFrame(name: string, payload: unknown, ackId?: number | null): string;
  socketIo(
    ws: WebSocketLike,
    opts: {
      timers: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (id: any) => void };
      auth?: Record<string, unknown>;
      now?: () => number;
      parse?: (frame: string) => Packet;
    },
  ): MiniSocket;
}

// Loaded by URL: the helper is JavaScript shared with k6, outside this TypeScript project.
export const sio = (await import(new URL('../lib/socketio.js', import.meta.url).href)) as SocketIoModule;

/**
 * A parser for the sockets of one load generator: a broadcast reaches every socket of a room as
 * the same text, so each distinct event frame is parsed once and its packet handed to all of
 * them (the newest `keep` frames are remembered). Acks, pings and the handshake (different per
 * socket, or tiny) are parsed each time. Listeners share the payload and must not change it.
 */
export function sharedFrameParser(keep = 256): (frame: string) => Packet {
  const recent = new Map<string, Packet>();
  return (frame) => {
    // '42[' is an event without an ack id: a broadcast.
    if (frame.length < 32 || !frame.startsWith('42[')) return sio.parseFrame(frame);
    let p = recent.get(frame);
    if (p === undefined) {
      p = sio.parseFrame(frame);
      recent.set(frame, p);
      if (recent.size > keep) recent.delete(recent.keys().next().value!);
    }
    return p;
  };
}

/** The '42[' that starts an event frame without an ack id (a broadcast), as bytes. */
const isBroadcast = (b: Buffer) => b.length >= 32 && b[0] === 0x34 && b[1] === 0x32 && b[2] === 0x5b;

/**
 * Text of frames received by many sockets: a broadcast whose bytes equal one of the last few
 * frames' gets that frame's string (no UTF-8 decode), so sharedFrameParser finds it by identity.
 */
export function sharedFrameText(keep = 8): (bytes: Buffer) => string {
  const recent: Array<{ bytes: Buffer; text: string }> = [];
  return (bytes) => {
    if (!isBroadcast(bytes)) return bytes.toString();
    for (let i = recent.length - 1; i >= 0; i--) {
      const r = recent[i]!;
      if (r.bytes.length === bytes.length && r.bytes.equals(bytes)) return r.text;
    }
    const text = bytes.toString();
    recent.push({ bytes, text });
    if (recent.length > keep) recent.shift();
    return text;
  };
}

/** What the k6 helper needs of a socket, over a `ws` client (Node's `ws` package). */
export function wsAdapter(
  ws: { send(d: string): void; close(code?: number): void; on(event: string, fn: (...args: any[]) => void): unknown },
  textOf: (bytes: Buffer) => string,
): WebSocketLike {
  return {
    send: (d) => ws.send(d),
    close: (code) => ws.close(code),
    addEventListener(event, listener) {
      if (event === 'message') ws.on('message', (data: Buffer, isBinary: boolean) => void (isBinary || listener({ data: textOf(data) })));
      else if (event === 'error') ws.on('error', (error: Error) => listener({ error }));
      else ws.on(event, () => listener({}));
    },
  };
}
