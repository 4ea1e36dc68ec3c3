/**
 * The release route boxes download from (GET /releases/:version/bundle, access 'box'): only a
 * release a rollout assigned to the calling box (any other answers 404 as if it did not exist),
 * with single HTTP range requests, so fetch-release.sh's `curl -C -` resumes a cut download with
 * the rest only. The bytes come from `readBundle` (the Node adapter in hub.ts): web standards here.
 */
import type { Context } from 'hono';
import { assignedTo, getRelease, releaseVersion } from '../releases/releases.ts';
import type { HubDb } from '../storage/db.ts';
import { hubError } from './errors.ts';
import type { HubEnv } from './hub-env.ts';

export type ReadBundle = (file: string, start: number, endInclusive: number) => ReadableStream<Uint8Array>;

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` within `size`: the range, 'unsatisfiable', or null (the whole file). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: the whole file (RFC 9110 lets a server ignore Range).
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export function releaseBundleHandler(d: { db: HubDb; readBundle: ReadBundle }) {
  return async (c: Context<HubEnv>) => {
    const version = c.req.param('version') ?? '';
    if (!releaseVersion.safeParse(version).success) return hubError(c, 'not_found', { reason: `no release ${version.slice(0, 40)}` });
    const release = await getRelease(d.db, version);
    if (!release || !(await assignedTo(d.db, c.get('box'), version))) return hubError(c, 'not_found', { reason: `no release ${version} assigned to this box` });
    const range = parseRange(c.req.header('range'), release.bytes);
    const common = { 'accept-ranges': 'bytes', 'content-type': 'application/x-tar', etag: `"${release.sha256}"` };
    if (range === 'unsatisfiable') return hubError(c, 'range_not_satisfiable', { bytes: release.bytes }, undefined, { 'content-range': `bytes */${release.bytes}` });
    const { start, end } = range ?? { start: 0, end: release.bytes - 1 };
    const headers: Record<string, string> = { ...common, 'content-length': String(end - start + 1) };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${release.bytes}`;
    return c.body(d.readBundle(release.file, start, end), range ? 206 : 200, headers);
  };
}
