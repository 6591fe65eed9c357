/*
 * Short messages about things that happened (a hold expired, a booking was accepted).
 * Rendered in one aria-live region by <Toasts>, so screen readers hear them too.
 */

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
  /** One button on the toast (e.g. Undo); pressing it dismisses the toast. */
  action?: { label: string; run: () => void };
}

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  push(kind: ToastKind, title: string, body?: string, ms = kind === 'error' ? 9000 : 6000, action?: Toast['action']): number {
    const id = this.#next++;
    this.items.push({ id, kind, title, body, action });
    if (this.items.length > 4) this.items.shift();
    setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number) {
    const i = this.items.findIndex((t) => t.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
}

export const toasts = new Toasts();
