/**
 * Just enough of the Janus HTTP API (REST + long poll) for the relay bench's anchor: one session,
 * handles on janus.plugin.videoroom, publishers sending with the relay bench's SyntheticPeer and
 * subscribers receiving on a plain werift RTCPeerConnection that measures latency the same way
 * SyntheticPeer does (the send time is in the payload, and Janus forwards payloads untouched).
 */
import { RTCPeerConnection, RTCRtpCodecParameters, useNACK, useOPUS, usePLI, useREMB } from 'werift';
import { gathered, SyntheticPeer } from '../../appliance/relay/synthetic-peer.ts';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const NO_SUCH_FEED = 428; // JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED

type JanusReply = {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> & { videoroom?: string; error?: string; error_code?: number } };
  jsep?: { type: 'offer' | 'answer'; sdp: string };
};

/** An error Janus or its plugin answered, with its code (e.g. 428: the videoroom knows no such feed). */
export class JanusError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

export class JanusSession {
  private transactions = 0;
  /** Replies that come through the long poll (plugin events), by transaction. */
  private waiting = new Map<string, { resolve: (r: JanusReply) => void; reject: (e: Error) => void }>();
  private polling = true;
  private poller: Promise<void> = Promise.resolve();

  private constructor(
    readonly url: string,
    readonly id: number,
  ) {}

  static async create(baseUrl: string) {
    const reply = await post(baseUrl, { janus: 'create', transaction: 'create' });
    if (reply.janus !== 'success' || !reply.data) throw new Error(`Janus create: ${JSON.stringify(reply)}`);
    const session = new JanusSession(`${baseUrl}/${reply.data.id}`, reply.data.id);
    session.poller = session.poll();
    return session;
  }

  /** Events arrive on the long poll; it also keeps the session alive (any request does). */
  private async poll() {
    while (this.polling) {
      let events: JanusReply[];
      try {
        const res = await fetch(`${this.url}?maxev=20&rid=${Date.now()}`);
        const body = (await res.json()) as JanusReply | JanusReply[];
        events = Array.isArray(body) ? body : [body];
      } catch (e) {
        if (!this.polling) return;
        for (const w of this.waiting.values()) w.reject(e as Error);
        this.waiting.clear();
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const event of events) {
        const w = event.transaction ? this.waiting.get(event.transaction) : undefined;
        if (!w || event.janus === 'ack' || event.janus === 'keepalive') continue;
        this.waiting.delete(event.transaction!);
        w.resolve(event);
      }
    }
  }

  async attach(plugin: string): Promise<number> {
    const reply = await post(this.url, { janus: 'attach', plugin, transaction: this.transaction() });
    if (reply.janus !== 'success' || !reply.data) throw new Error(`Janus attach: ${JSON.stringify(reply)}`);
    return reply.data.id;
  }

  /**
   * A plugin message. Synchronous requests (room create) answer in the POST's reply; the
   * asynchronous ones (join, publish, start) answer "ack" there and the event comes on the poll.
   */
  async message(handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }, ms = 20_000): Promise<JanusReply> {
    const transaction = this.transaction();
    const event = new Promise<JanusReply>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(transaction);
        reject(new Error(`Janus ${String(body.request)}: no event in ${ms} ms`));
      }, ms);
      this.waiting.set(transaction, {
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
    // trickle: false — werift's SDP already holds all its candidates.
    const reply = await post(`${this.url}/${handle}`, { janus: 'message', transaction, body, ...(jsep ? { jsep: { ...jsep, trickle: false } } : {}) });
    let result: JanusReply;
    if (reply.janus === 'ack') result = await event;
    else {
      this.waiting.delete(transaction);
      event.catch(() => {});
      result = reply;
    }
    const data = result.plugindata?.data;
    if (result.janus === 'error' || data?.error)
      throw new JanusError(`Janus ${String(body.request)}: ${result.error?.reason ?? data?.error}`, result.error?.code ?? data?.error_code);
    return result;
  }

  async detach(handle: number) {
    await post(`${this.url}/${handle}`, { janus: 'detach', transaction: this.transaction() }).catch(() => {});
  }

  async destroy() {
    this.polling = false;
    await post(this.url, { janus: 'destroy', transaction: this.transaction() }).catch(() => {});
    await this.poller;
  }

  private transaction() {
    return `t${++this.transactions}`;
  }
}

async function post(url: string, body: unknown): Promise<JanusReply> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as JanusReply;
}

/** Receives one publisher's feed (Janus offers, we answer) and counts it like SyntheticPeer does. */
export class FeedReceiver {
  readonly pc: RTCPeerConnection;
  readonly received = { audio: 0, video: 0, videoBytes: 0, audioBytes: 0 };
  readonly latencies: number[] = [];
  recordLatency = false;

  constructor(host: string) {
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [host],
      iceInterfaceAddresses: { udp4: host },
      codecs: {
        audio: [useOPUS()],
        video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
      },
      headerExtensions: { audio: [], video: [] },
      bundlePolicy: 'max-bundle',
    });
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const kind = track.kind as 'audio' | 'video';
        this.received[kind]++;
        this.received[`${kind}Bytes`] += rtp.payload.length;
        if (this.recordLatency && rtp.payload.length >= 9 && rtp.payload[0] === 0x10) {
          this.latencies.push(now() - rtp.payload.readDoubleBE(1));
        }
      });
    });
  }

  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    return this.pc.localDescription!.sdp;
  }

  async connected(ms = 20_000) {
    if (this.pc.connectionState === 'connected') return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        sub.unSubscribe();
        reject(new Error(`subscriber not connected in ${ms} ms (${this.pc.connectionState})`));
      }, ms);
      const sub = this.pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') {
          clearTimeout(t);
          sub.unSubscribe();
          resolve();
        }
      });
    });
  }

  async close() {
    await this.pc.close();
  }
}

/** One side of a consultation in a videoroom: it publishes its media and subscribes to the other side's. */
export class VideoroomParticipant {
  readonly sender: SyntheticPeer;
  readonly receiver: FeedReceiver;
  publisherHandle = 0;
  subscriberHandle = 0;
  feedId = 0;

  /** host: the address the peers use for their candidates (one Janus gathers on). */
  constructor(
    readonly session: JanusSession,
    readonly room: number,
    readonly display: string,
    host: string,
  ) {
    this.sender = new SyntheticPeer({ host });
    this.receiver = new FeedReceiver(host);
  }

  async publish() {
    this.publisherHandle = await this.session.attach('janus.plugin.videoroom');
    const joined = await this.session.message(this.publisherHandle, { request: 'join', ptype: 'publisher', room: this.room, display: this.display });
    this.feedId = Number(joined.plugindata!.data.id);
    const configured = await this.session.message(this.publisherHandle, { request: 'publish', audio: true, video: true }, { type: 'offer', sdp: await this.sender.offer() });
    if (!configured.jsep) throw new Error(`Janus publish: no answer (${JSON.stringify(configured.plugindata)})`);
    await this.sender.answer(configured.jsep.sdp);
    await this.sender.connected(20_000);
  }

  async subscribe(feedId: number) {
    this.subscriberHandle = await this.session.attach('janus.plugin.videoroom');
    // A feed can be subscribed to once Janus has set up the publisher's media, which may come a
    // little after our side of that PeerConnection is connected (under load, up to a second or so).
    const join = { request: 'join', ptype: 'subscriber', room: this.room, streams: [{ feed: feedId }] };
    let attached: Awaited<ReturnType<JanusSession['message']>> | undefined;
    for (let attempt = 1; !attached; attempt++) {
      attached = await this.session.message(this.subscriberHandle, join).catch(async (e: unknown) => {
        if (!(e instanceof JanusError && e.code === NO_SUCH_FEED && attempt < 100)) throw e;
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    if (!attached.jsep) throw new Error(`Janus subscribe: no offer (${JSON.stringify(attached.plugindata)})`);
    const answer = await this.receiver.answer(attached.jsep.sdp);
    await this.session.message(this.subscriberHandle, { request: 'start' }, { type: 'answer', sdp: answer });
    await this.receiver.connected(20_000);
  }

  async close() {
    await this.sender.close();
    await this.receiver.close();
    if (this.subscriberHandle) await this.session.detach(this.subscriberHandle);
    if (this.publisherHandle) await this.session.detach(this.publisherHandle);
  }
}
