/**
 * The hub's embedded MQTT broker (Aedes, MQTT 3.1.1), for a hub that needs nothing else on its
 * machine. It authenticates every box by device id and secret (enrolled, not revoked) and holds
 * each to its own topics: a box publishes only under `simpul/v1/{itself}/up/` and subscribes only
 * to its own `ack` and `down/`. The client id must be the device id, so a box cannot push
 * another off the broker by taking its id. The hub's own client uses a per-process secret.
 *
 * With `tls`, a second listener speaks MQTT over TLS and asks each client for a certificate from
 * the hub's CA: a box that shows one is the device its CN names, and nothing else (the client id
 * must be that id; a username, if sent, too; no password is looked at), provided that device is
 * enrolled and not revoked. A client without a certificate there falls back to the password check.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { deviceMayPublish, deviceMaySubscribe, MAX_MQTT_PACKET_BYTES } from '../contract/index.ts';
import { limitPacketSize } from './packet-size.ts';

export const HUB_USERNAME = 'simpul-hub';

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** The boxes' TLS listener's port, when there is one. */
  tlsPort: number | null;
  hubPassword: string;
  /** Closes the connections of a device (after it was revoked). */
  disconnect(deviceId: string): void;
  connectedDevices(): string[];
  close(): Promise<void>;
}

type Who = { role: 'hub' } | { role: 'device'; deviceId: string };

export async function startEmbeddedBroker(o: {
  host?: string;
  port?: number;
  authenticateDevice: (deviceId: string, secret: string) => Promise<boolean>;
  log: Logger;
  /** Largest MQTT packet accepted (default: the contract's MAX_MQTT_PACKET_BYTES). */
  maxPacketBytes?: number;
  /** The boxes' TLS listener: the broker's key and certificate, and the CA whose client certificates it takes. */
  tls?: { host?: string; port?: number; key: string; cert: string; ca: string };
  /** True for an enrolled, unrevoked device (a certificate's CN is checked against it at each connect). */
  activeDevice?: (deviceId: string) => Promise<boolean>;
  /** The hub user's password (default: a new random one): a broker restarted apart from its hub keeps it. */
  hubPassword?: string;
}): Promise<EmbeddedBroker> {
  const hubPassword = o.hubPassword ?? randomBytes(24).toString('base64url');
  const who = new WeakMap<Client, Who>();
  const log = o.log;
  const fail = (code: number, msg: string) => Object.assign(new Error(msg), { returnCode: code }) as AuthenticateError;

  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const user = username ?? '';
      const pw = password ? Buffer.from(password) : Buffer.alloc(0);
      if (user === HUB_USERNAME) {
        const want = Buffer.from(hubPassword);
        if (pw.length === want.length && timingSafeEqual(pw, want)) {
          who.set(client, { role: 'hub' });
          return done(null, true);
        }
        log.warn({ clientId: client.id }, 'broker: refused the hub user with a wrong password');
        return done(fail(4, 'bad username or password'), false);
      }
      const cn = certificateIdentity(client);
      if (cn !== null) {
        // A certificate from the hub's CA: it alone says who this is.
        if (client.id !== cn || (username !== undefined && username !== '' && username !== cn)) {
          log.warn({ clientId: client.id, deviceId: cn }, 'broker: refused a certificate used with another client id or username');
          return done(fail(2, 'client id must be the certificate’s device id'), false);
        }
        (o.activeDevice ?? (async () => false))(cn).then(
          (ok) => {
            if (!ok) {
              log.warn({ deviceId: cn }, 'broker: refused the certificate of an unknown or revoked box');
              return done(fail(5, 'not authorized'), false);
            }
            who.set(client, { role: 'device', deviceId: cn });
            done(null, true);
          },
          (err) => {
            log.error({ err, deviceId: cn }, 'broker: could not check a box’s certificate');
            done(fail(3, 'server unavailable'), false);
          },
        );
        return;
      }
      if (client.id !== user) {
        log.warn({ clientId: client.id, username: user }, 'broker: refused a box whose client id is not its device id');
        return done(fail(2, 'client id must be the device id'), false);
      }
      o.authenticateDevice(user, pw.toString('utf8')).then(
        (ok) => {
          if (!ok) {
            log.warn({ deviceId: user }, 'broker: refused an unknown or revoked box, or a wrong secret');
            return done(fail(5, 'not authorized'), false);
          }
          who.set(client, { role: 'device', deviceId: user });
          done(null, true);
        },
        (err) => {
          log.error({ err, deviceId: user }, 'broker: could not check a box’s credentials');
          done(fail(3, 'server unavailable'), false);
        },
      );
    },
    authorizePublish(client, packet, cb) {
      if (!client) return cb(null);
      const w = who.get(client);
      if (w?.role === 'hub') return cb(null);
      if (w?.role === 'device' && deviceMayPublish(w.deviceId, packet.topic)) return cb(null);
      log.warn({ deviceId: w && 'deviceId' in w ? w.deviceId : null, topic: packet.topic }, 'broker: refused a publish outside the box’s own topics');
      // MQTT 3.1.1 has no negative PUBACK: Aedes closes the connection.
      cb(new Error('not authorized to publish there'));
    },
    authorizeSubscribe(client, sub, cb) {
      const w = who.get(client);
      if (w?.role === 'hub') return cb(null, sub);
      if (w?.role === 'device' && deviceMaySubscribe(w.deviceId, sub.topic)) return cb(null, sub);
      log.warn({ deviceId: w && 'deviceId' in w ? w.deviceId : null, topic: sub.topic }, 'broker: refused a subscription outside the box’s own topics');
      cb(null, null); // SUBACK 0x80 for this filter; the connection stays
    },
  });

  const serve = (socket: Socket) => {
    limitPacketSize(socket, o.maxPacketBytes ?? MAX_MQTT_PACKET_BYTES, (announced) =>
      log.warn({ remote: socket.remoteAddress, announced, limit: o.maxPacketBytes ?? MAX_MQTT_PACKET_BYTES }, 'broker: closed a connection that sent a packet over the size limit'),
    );
    aedes.handle(socket);
  };
  const server: Server = createServer(serve);
  // Client certificates are asked for but not required at the handshake: a box with a password
  // may still use TLS. An unverified certificate (another CA, expired) is refused here at once.
  const tlsServer = o.tls
    ? createTlsServer({ key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (socket) => {
        if (socket.getPeerCertificate() && Object.keys(socket.getPeerCertificate()).length && !socket.authorized) {
          log.warn({ remote: socket.remoteAddress, why: String(socket.authorizationError) }, 'broker: refused a client certificate it cannot verify');
          socket.destroy();
          return;
        }
        serve(socket);
      })
    : null;
  if (tlsServer) {
    await new Promise<void>((res, rej) => {
      tlsServer.once('error', rej);
      tlsServer.listen(o.tls!.port ?? 0, o.tls!.host ?? o.host ?? '127.0.0.1', () => res());
    });
  }
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => res());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const shownHost = !o.host || o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  const clients = () => (aedes as unknown as { clients: Record<string, Client> }).clients;

  const tlsAddr = tlsServer?.address();
  const tlsPort = typeof tlsAddr === 'object' && tlsAddr ? tlsAddr.port : null;
  return {
    url: `mqtt://${shownHost}:${port}`,
    port,
    tlsPort,
    hubPassword,
    disconnect(deviceId) {
      const c = clients()[deviceId];
      if (c) c.close();
    },
    connectedDevices() {
      return Object.values(clients()).flatMap((c) => {
        const w = who.get(c);
        return w?.role === 'device' ? [w.deviceId] : [];
      });
    },
    async close() {
      // Connections first, or server.close waits for every client to leave.
      for (const c of Object.values(clients())) c.close();
      await new Promise<void>((res) => aedes.close(() => res()));
      await new Promise<void>((res) => server.close(() => res()));
      if (tlsServer) await new Promise<void>((res) => tlsServer.close(() => res()));
    },
  };
}

/** The device id a client's verified certificate names (its CN), or null when it showed none. */
function certificateIdentity(client: Client): string | null {
  const conn = (client as unknown as { conn?: Partial<TLSSocket> }).conn;
  if (!conn || typeof conn.getPeerCertificate !== 'function' || !conn.authorized) return null;
  const cn = conn.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn ? cn : null;
}
