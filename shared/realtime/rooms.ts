/*
 * Socket.IO room names. Built in one place so the server that joins a
 * socket and the publisher that emits to the room can never spell a name differently.
 * Who may join is decided by the server's realtime layer, never by the client.
 */

/** Room names; `admin` is a constant because there is one admin board. */
export const rooms = {
  /** Public availability of one workshop: anyone may watch; events carry no personal data. */
  workshop: (workshopId: string) => `workshop:${workshopId}` as const,
  /** Staff of one workshop (its owner); receives that workshop's bookings with customer names. */
  vendor: (workshopId: string) => `vendor:${workshopId}` as const,
  /** One person's own sockets (every tab); receives their bookings and holds. */
  user: (userId: string) => `user:${userId}` as const,
  /** The sockets of one sign-in: ending the session disconnects them (server-side only). */
  session: (sid: string) => `session:${sid}` as const,
  /** Admins only: the live board. */
  admin: 'admin',
} as const;

/** Any room name the server uses. */
export type RoomName =
  | ReturnType<typeof rooms.workshop>
  | ReturnType<typeof rooms.vendor>
  | ReturnType<typeof rooms.user>
  | ReturnType<typeof rooms.session>
  | typeof rooms.admin;
