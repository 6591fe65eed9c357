import type { ChangePasswordInput, LoginInput, PublicUser, RegisterInput, Role } from '@shared/schemas/auth';
import { api, ApiError } from './api';
import { live } from './socket.svelte';

/*
 * Who is signed in. The token itself lives in an HttpOnly cookie the page cannot read;
 * we only keep the user the server vouched for. Signing in or out reconnects the socket,
 * because the server puts a socket in its user:/vendor: rooms at connection time.
 */
class Session {
  user = $state<PublicUser | null>(null);
  /** False until the first /api/me answered, so screens do not flash "please sign in". */
  ready = $state(false);

  role = $derived<Role | null>(this.user?.role ?? null);

  async load() {
    try {
      this.user = (await api.auth.me()).user;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('session check failed', err);
      this.user = null;
    } finally {
      this.ready = true;
      live.connect();
    }
  }

  async login(input: LoginInput) {
    this.user = (await api.auth.login(input)).user;
    live.reconnect();
  }

  /** Signed in by an accepted admin invitation (the server set the cookie). */
  signedIn(user: PublicUser) {
    this.user = user;
    live.reconnect();
  }

  /** Re-reads the signed-in user (after verifying the address in this browser). */
  async refresh() {
    if (!this.user) return;
    try {
      this.user = (await api.auth.me()).user;
    } catch {
      /* keep what we had: the next load corrects it */
    }
  }

  async register(input: RegisterInput) {
    this.user = (await api.auth.register(input)).user;
    live.reconnect();
  }

  /** Every other session ends; sockets reconnect with this browser's new cookie. */
  async changePassword(input: ChangePasswordInput) {
    this.user = (await api.auth.changePassword(input)).user;
    live.reconnect();
  }

  async logout() {
    try {
      await api.auth.logout();
    } finally {
      this.user = null;
      live.reconnect();
    }
  }
}

export const session = new Session();

/** The home screen of each role. */
export function homeFor(role: Role | null): string {
  if (role === 'vendor') return '/vendor';
  if (role === 'admin') return '/admin';
  return '/';
}
