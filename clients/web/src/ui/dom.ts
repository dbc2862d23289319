// Tiny DOM helpers: build elements without innerHTML (nothing a member types
// is ever parsed as HTML), and redraw a list without losing keyboard focus.

type Child = Node | string | false | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") {
      el.addEventListener(name, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else if (value !== false) {
      el.setAttribute(name, value);
    }
  }
  for (const c of children) {
    if (c !== false && c !== undefined) {
      el.append(c);
    }
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) {
    throw new Error(`missing #${id}`);
  }
  return el as T;
}

/**
 * Replaces a container's children. An element with data-key that had focus
 * gets it back in the new content, so a redraw never throws a keyboard user
 * out of a list. Skips the redraw when `signature` has not changed.
 */
export function redraw(container: HTMLElement, signature: string, nodes: Node[]): void {
  if (container.dataset.sig === signature) {
    return;
  }
  container.dataset.sig = signature;
  const active = document.activeElement as HTMLElement | null;
  const key = active && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren(...nodes);
  if (key) {
    container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  }
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}
