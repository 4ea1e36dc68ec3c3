/**
 * One-key shortcuts on the staff tablets' busiest pages (N: call the next patient, /: to the
 * search), as Gmail and GitHub have them: a single key without modifiers, never while a person
 * types in a field (an "n" in a name is a letter, not a call). Each element a key works also
 * carries `aria-keyshortcuts` in its page, and the page shows the keys in its "Pintasan" line.
 */

/** Whether a key press is someone typing: into a field, a list to choose from, or editable text. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  // A checkbox, radio or button takes no letters: a key there may still be a shortcut.
  return ['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'].indexOf(type) < 0;
}

/**
 * Listens for the keys (lower-case letters or "/"); the action runs and the key does nothing
 * else (a "/" is not typed into the search it focuses). Held keys do not repeat the action.
 */
export function shortcutKeys(keys: Record<string, () => void>): void {
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.repeat || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
    const action = keys[(ev.key || '').toLowerCase()];
    if (!action) return;
    ev.preventDefault();
    action();
  });
}

/** Clicks a button if it is there and usable (a shortcut never does what its button could not). */
export function press(selector: string): void {
  const b = document.querySelector<HTMLButtonElement>(selector);
  if (b && !b.disabled && b.offsetParent !== null) b.click();
}

/** Moves the keyboard to a field if it is there and shown. */
export function focusField(selector: string): void {
  const f = document.querySelector<HTMLElement>(selector);
  if (f && f.offsetParent !== null) f.focus();
}
