import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@shared/realtime/events';
import type { Principal } from '../domain/actor';

/** Per-socket state, set once by the handshake middleware. */
export interface SocketData {
  /** Null for anonymous sockets: they may watch public availability and nothing else. */
  principal: Principal | null;
  /** Workshops the principal owned at connection (their `vendor:` rooms). */
  vendorOf: string[];
}

/** Processes talk only through the Redis adapter's broadcasts; no server-to-server events. */
export type InterServerEvents = Record<string, never>;

/** The typed Socket.IO server (event maps from shared/, parameters in server order). */
export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
