/**
 * The pages' one way to put data on screen: DOM nodes built with `h`, text set as text. No
 * innerHTML with data anywhere, so a patient's name can never become markup.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue | EventListener>;

function put(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) put(parent, c);
    return;
  }
  parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
}

function setAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const name of Object.keys(attrs)) {
    const v = attrs[name];
    if (typeof v === 'function') el.addEventListener(name.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(name, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(name, String(v));
  }
}

/** An HTML element: `h('td', { class: 'small' }, text, h('b', null, more))`. `on…` functions become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  put(el, children);
  return el;
}

/** An SVG element (charts). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  put(el, children);
  return el;
}

/** Replaces an element's content. */
export function fill(el: Element | null, ...children: Child[]): void {
  if (!el) return;
  while (el.firstChild) el.removeChild(el.firstChild);
  put(el, children);
}

/** Appends to an element. */
export function add(el: Element | null, ...children: Child[]): void {
  if (el) put(el, children);
}

/** The first match, typed by the caller: `$<HTMLInputElement>('#q')`. Pages know their own markup. */
export function $(sel: string, root?: ParentNode | null): HTMLElement;
export function $<E extends Element>(sel: string, root?: ParentNode | null): E;
export function $(sel: string, root?: ParentNode | null): Element {
  return (root ?? document).querySelector(sel) as Element;
}

export function $$<E extends Element = HTMLElement>(sel: string, root?: ParentNode | null): E[] {
  return Array.prototype.slice.call((root ?? document).querySelectorAll(sel)) as E[];
}

/** The nearest element matching `sel` from an event's target (delegated clicks). */
export function closest<E extends Element = HTMLElement>(ev: Event, sel: string): E | null {
  const target = ev.target as Element | null;
  return target && target.closest ? (target.closest(sel) as E | null) : null;
}

export function show(el: Element | null, on: boolean): void {
  if (el) (el as HTMLElement).hidden = !on;
}

export type MsgKind = 'err' | 'ok' | 'info' | 'warn';

/** A message box: text in, kind as its class, hidden when empty. */
export function msg(box: Element | null, text?: string, kind: MsgKind = 'err'): void {
  const el = box as HTMLElement | null;
  if (!el) return;
  el.textContent = text || '';
  el.className = 'msg ' + kind;
  el.hidden = !text;
}
