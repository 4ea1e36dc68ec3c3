/**
 * A stand-in for the browser's `document`, enough for the pages' `h`/`s` helpers (dom.ts), so that
 * unit tests run browser code in Node and read what it built as HTML. Test fixture only.
 */

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;');
const voidTags = new Set(['br', 'input', 'img', 'hr', 'meta', 'link']);

class StandInText {
  constructor(readonly text: string) {}
}

class StandInElement {
  readonly attrs: [string, string][] = [];
  readonly childNodes: (StandInElement | StandInText)[] = [];
  constructor(readonly tag: string) {}
  setAttribute(name: string, value: string) {
    const at = this.attrs.find((a) => a[0] === name);
    if (at) at[1] = value;
    else this.attrs.push([name, value]);
  }
  getAttribute(name: string) {
    const at = this.attrs.find((a) => a[0] === name);
    return at ? at[1] : null;
  }
  addEventListener() {}
  appendChild<N extends StandInElement | StandInText>(n: N): N {
    this.childNodes.push(n);
    return n;
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  removeChild(n: StandInElement | StandInText) {
    this.childNodes.splice(this.childNodes.indexOf(n), 1);
    return n;
  }
  get textContent(): string {
    return this.childNodes.map((c) => (c instanceof StandInText ? c.text : c.textContent)).join('');
  }
}

export class StandInDocument {
  createElement(tag: string) {
    return new StandInElement(tag);
  }
  createElementNS(_ns: string, tag: string) {
    return new StandInElement(tag);
  }
  createTextNode(text: string) {
    return new StandInText(text);
  }
}

/** What the browser's outerHTML would say for a node built on the stand-in document. */
export function outerHtml(node: unknown): string {
  if (node instanceof StandInText) return escText(node.text);
  const el = node as StandInElement;
  const attrs = el.attrs.map(([k, v]) => ` ${k}="${escAttr(v)}"`).join('');
  if (voidTags.has(el.tag)) return `<${el.tag}${attrs}>`;
  return `<${el.tag}${attrs}>${el.childNodes.map(outerHtml).join('')}</${el.tag}>`;
}
