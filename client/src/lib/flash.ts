import { cubicOut } from 'svelte/easing';
import type { TransitionConfig } from 'svelte/transition';

/**
 * A slot's figures changed: its text lights up and fades back (0.9 s). Used as `in:flash` inside
 * a `{#key}` on the figures, so it plays when they change and not when the grid first appears:
 * transitions are local in Svelte 5, and a mount plays no intro. (As a CSS class it played on
 * every slot of every page load: a yellow wave over the whole week, and ~50 frames of style and
 * paint work for the browser.) Nothing plays for people who ask for reduced motion.
 */
export function flash(_node: Element): TransitionConfig {
  if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches) return { duration: 0 };
  return { duration: 900, easing: cubicOut, css: (t) => `background: rgb(250 204 21 / ${(0.55 * (1 - t)).toFixed(3)}); border-radius: 4px` };
}
