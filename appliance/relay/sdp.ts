/**
 * SDP touches of the relay's answers. The bitrate cap goes into the video section as `b=AS`
 * (kbit/s, read by Chrome and Safari) and `b=TIAS` (bit/s, RFC 3890), so the sender limits itself
 * even before the relay's first REMB arrives.
 */
export function capVideoBitrate(sdp: string, kbps: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let inVideo = false;
  for (const line of lines) {
    if (line.startsWith('m=')) inVideo = line.startsWith('m=video');
    if (inVideo && (line.startsWith('b=AS:') || line.startsWith('b=TIAS:'))) continue;
    out.push(line);
    // b= lines follow the c= line of the media section (RFC 8866 order: i=, c=, b=, k=, a=).
    if (inVideo && line.startsWith('c=')) out.push(`b=AS:${kbps}`, `b=TIAS:${kbps * 1000}`);
  }
  return out.join(eol);
}

/** The bitrate cap of a description's video section, if any (tests). */
export function videoBitrateOf(sdp: string): number | null {
  const video = sdp.split(/\r?\nm=/).find((s) => s.startsWith('video'));
  const m = video?.match(/\r?\nb=AS:(\d+)/);
  return m ? Number(m[1]) : null;
}
