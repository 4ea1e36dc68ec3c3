/**
 * A ceiling on MQTT packets at the embedded broker. Aedes (through mqtt-packet) collects a
 * packet whole before it looks at it, whatever length its header announces: a box, or anyone
 * who can reach the port before CONNECT, could make it buffer 100 MiB. This reads each packet's
 * announced length (the fixed header's variable-length integer) as the bytes are handed to Aedes,
 * and closes the connection at the first packet announced over the limit, before its body is
 * read. Bytes still flow to Aedes untouched; only Aedes's own `read()` of the socket is watched.
 */
import type { Socket } from 'node:net';

export function limitPacketSize(socket: Socket, maxBytes: number, onRefused: (announced: number) => void): void {
  /** Bytes of the current packet's body still to come; -1 while reading a fixed header. */
  let bodyLeft = -1;
  let headerBytes = 0;
  let length = 0;
  let multiplier = 1;
  const over = (announced: number) => {
    onRefused(announced);
    socket.destroy();
  };
  const watch = (buf: Buffer): boolean => {
    let i = 0;
    while (i < buf.length) {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, buf.length - i);
        bodyLeft -= n;
        i += n;
        if (bodyLeft === 0) bodyLeft = -1;
        continue;
      }
      const byte = buf[i++];
      if (headerBytes === 0) {
        // The packet type byte; the remaining length follows.
        headerBytes = 1;
        length = 0;
        multiplier = 1;
        continue;
      }
      headerBytes++;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte & 0x80) {
        if (headerBytes > 5) return (over(length), false); // more than 4 length bytes: not MQTT
        continue;
      }
      // Whole packet: type byte, length bytes, body.
      if (headerBytes + length > maxBytes) return (over(headerBytes + length), false);
      headerBytes = 0;
      bodyLeft = length === 0 ? -1 : length;
    }
    return true;
  };
  const read = socket.read.bind(socket);
  socket.read = ((size?: number) => {
    const chunk = read(size) as Buffer | null;
    if (chunk && !watch(chunk)) return null;
    return chunk;
  }) as Socket['read'];
}
