import { t } from './island.ts';

/**
 * Server-sent events with a visible connection state; EventSource reconnects by itself. `onGone`
 * hears when the browser gave up (an error answer, e.g. an expired ticket) or has no EventSource.
 */
export function live<T>(url: string, onData: (data: T) => void, connEl: Element | null, onGone?: (unsupported: boolean) => void) {
  let es: EventSource | null = null;
  let timer: number | undefined;
  function state(on: boolean) {
    if (!connEl) return;
    connEl.textContent = on ? t('connOn') : t('connOff');
    connEl.className = connEl.className.replace(/\s*\bon\b/g, '') + (on ? ' on' : '');
  }
  function open() {
    if (!window.EventSource) {
      state(false);
      if (onGone) onGone(true);
      return;
    }
    const source = new EventSource(url);
    es = source;
    source.onopen = () => state(true);
    source.addEventListener('update', (ev) => {
      state(true);
      let data: T;
      try {
        data = JSON.parse((ev as MessageEvent<string>).data) as T;
      } catch {
        return;
      }
      onData(data);
    });
    source.onerror = () => {
      state(false);
      // CLOSED means the browser gave up: look, then retry.
      if (source.readyState === 2) {
        source.close();
        es = null;
        if (onGone) onGone(false);
        window.clearTimeout(timer);
        timer = window.setTimeout(open, 5000);
      }
    };
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && (!es || es.readyState === 2)) {
      window.clearTimeout(timer);
      open();
    }
  });
  open();
  return {
    stop() {
      window.clearTimeout(timer);
      if (es) es.close();
      es = null;
    },
  };
}
