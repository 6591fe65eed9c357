import { cubicOut } from 'svelte/easing';
import type { TransitionConfig } from 'svelte/transition';

/**
 * A figure changed: it lights up and fades back (0.9 s). Used as `in:flash` inside a `{#key}` on
 * the figure, so it plays when the figure changes and not when the screen first appears:
 * transitions are local in Svelte 5, and a mount plays no intro. (As a CSS animation it played on
 * every slot and every board cell of every page load: a yellow wave over the whole screen, and
 * ~50 frames of style and paint work for the browser.) The light is an inset shadow, drawn over
 * the element's own background, so a cell with a colour of its own (a warning) fades back to it.
 * Nothing plays for people who ask for reduced motion.
 */
export function flash(_node: Element): TransitionConfig {
  if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches) return { duration: 0 };
  return { duration: 900, easing: cubicOut, css: (t) => `box-shadow: inset 0 0 0 100vmax rgb(250 204 21 / ${(0.55 * (1 - t)).toFixed(3)})` };
}
