import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@shared/realtime/events';
import type { Principal } from '../domain/actor';

/** Per-socket state, set once by the handshake middleware. */
export interface SocketData {
  /** Null for anonymous sockets: they may watch public availability and nothing else. */
  principal: Principal | null;
  /** The session the socket signed in with: ending it disconnects the socket. */
  sid: string | null;
  /** Workshops the principal worked in at connection (their `vendor:` rooms); membership changes then move the rooms (publisher.staffAccess). */
  vendorOf: string[];
}

/** Server-to-server events (through the Redis adapter): ended sessions, so every process forgets them. */
export interface InterServerEvents {
  sessionsEnded: (e: { sids: string[] }) => void;
}

/** The typed Socket.IO server (event maps from shared/, parameters in server order). */
export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
