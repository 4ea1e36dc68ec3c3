/**
 * MQTT topics, per device. Everything a box says is under `simpul/v1/{deviceId}/up/…`; everything
 * said to it is `…/ack` (the hub's acknowledgements of uplink batches) and `…/down/…`. A broker ACL
 * can then be one pattern on the username: a box publishes only under its own `up/`, and reads
 * only its own `ack` and `down/`.
 */
export const TOPIC_ROOT = 'simpul/v1';

/** Lowercase letters, digits and '-', 3–63 characters: safe as an MQTT topic level and a username. */
export const DEVICE_ID = /^[a-z0-9][a-z0-9-]{2,62}$/;
export const isDeviceId = (s: string) => DEVICE_ID.test(s);

export type Channel = 'records' | 'status' | 'down-ack' | 'ack' | 'down' | 'time-request' | 'time';

export const topics = {
  /** box → hub: a batch of outbox records. */
  records: (d: string) => `${TOPIC_ROOT}/${d}/up/records`,
  /** box → hub: backlog report; `hello` after each connect asks the hub for pending downlink. */
  status: (d: string) => `${TOPIC_ROOT}/${d}/up/status`,
  /** box → hub: results of applied downlink items. */
  downAck: (d: string) => `${TOPIC_ROOT}/${d}/up/down-ack`,
  /** hub → box: which records of a batch are durably stored (or rejected). */
  ack: (d: string) => `${TOPIC_ROOT}/${d}/ack`,
  /** hub → box: hospital answers, commands. */
  down: (d: string) => `${TOPIC_ROOT}/${d}/down/messages`,
  /** box → hub: what time is it? (the box measures its clock's offset; an old hub does not answer). */
  timeRequest: (d: string) => `${TOPIC_ROOT}/${d}/up/time`,
  /** hub → box: the answer, only ever to a request (an old box never asks, so never gets one). */
  time: (d: string) => `${TOPIC_ROOT}/${d}/down/time`,
};

/** What the hub subscribes to (prefix with `$share/<group>/` to split the load between hubs). */
export const HUB_UPLINK_FILTER = `${TOPIC_ROOT}/+/up/#`;
/** What a box subscribes to. */
export const deviceFilters = (d: string) => [topics.ack(d), `${TOPIC_ROOT}/${d}/down/#`];

export function parseTopic(topic: string): { deviceId: string; channel: Channel } | null {
  const parts = topic.split('/');
  if (parts.length < 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || !isDeviceId(parts[2])) return null;
  const rest = parts.slice(3).join('/');
  const channel: Channel | null =
    rest === 'up/records'
      ? 'records'
      : rest === 'up/status'
        ? 'status'
        : rest === 'up/down-ack'
          ? 'down-ack'
          : rest === 'up/time'
            ? 'time-request'
            : rest === 'ack'
              ? 'ack'
              : rest === 'down/time'
                ? 'time'
                : rest.startsWith('down/')
                  ? 'down'
                  : null;
  return channel ? { deviceId: parts[2], channel } : null;
}

/** The broker ACL for a device: publish only its own uplink. */
export function deviceMayPublish(deviceId: string, topic: string): boolean {
  return topic.startsWith(`${TOPIC_ROOT}/${deviceId}/up/`) && !/[+#]/.test(topic);
}

/** The broker ACL for a device: subscribe only to its own ack and downlink, never with wildcards above them. */
export function deviceMaySubscribe(deviceId: string, filter: string): boolean {
  if (filter === topics.ack(deviceId)) return true;
  const prefix = `${TOPIC_ROOT}/${deviceId}/down/`;
  return filter.startsWith(prefix) && !/[+#]/.test(filter.slice(0, prefix.length));
}
