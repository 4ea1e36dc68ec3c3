/**
 * Notifications in the JSON of Prometheus Alertmanager's webhook receiver (payload version "4":
 * receiver, status, alerts[] with status, labels, annotations, startsAt, endsAt, generatorURL,
 * fingerprint; groupLabels, commonLabels, commonAnnotations, externalURL, groupKey,
 * truncatedAlerts), so the receivers, chat bridges and pagers written for Alertmanager work.
 * One message per rule and evaluation; a firing alert's endsAt is Go's zero time, as Alertmanager sends it.
 */
export interface NotifiedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
/** Alerts in one message at most; the rest counted in truncatedAlerts (Alertmanager's max_alerts). */
export const MAX_ALERTS_PER_MESSAGE = 500;

function common<T extends Record<string, string>>(list: T[]): Record<string, string> {
  if (!list.length) return {};
  return Object.fromEntries(Object.entries(list[0]).filter(([k, v]) => list.every((x) => x[k] === v)));
}

const quoteLabels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function alertmanagerPayload(o: { receiver: string; externalURL: string; rule: string; alerts: NotifiedAlert[] }) {
  const shown = o.alerts.slice(0, MAX_ALERTS_PER_MESSAGE);
  const groupLabels = { alertname: o.rule };
  return {
    version: '4',
    groupKey: `{}:${quoteLabels(groupLabels)}`,
    truncatedAlerts: o.alerts.length - shown.length,
    status: shown.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: o.receiver,
    groupLabels,
    commonLabels: common(shown.map((a) => a.labels)),
    commonAnnotations: common(shown.map((a) => a.annotations)),
    externalURL: o.externalURL,
    alerts: shown.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.status === 'firing' ? ZERO_TIME : (a.endsAt ?? ZERO_TIME),
      generatorURL: `${o.externalURL}/alerts?fingerprint=${encodeURIComponent(a.fingerprint)}`,
      fingerprint: a.fingerprint,
    })),
  };
}

/** POSTs one payload; true when the receiver answered 2xx within the timeout. */
export async function postWebhook(url: string, payload: unknown, timeoutMs = 10_000): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => {});
    return res.ok;
  } catch {
    return false;
  }
}
