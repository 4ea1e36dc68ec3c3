import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { register } from '../access.ts';
import { buildPages, readBuiltPages } from './bundles.ts';

/**
 * The pages' scripts, served from the box (never a CDN): one bundle per page, built from
 * ./browser by esbuild (bundles.ts): prebuilt in a release, in memory at start in a checkout.
 */

interface Built {
  body: string;
  gzip: Uint8Array;
  etag: string;
  version: string;
}

const sources = readBuiltPages() ?? buildPages().bundles;

const built = new Map<string, Built>();
for (const [name, body] of sources) {
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  built.set(name, { body, gzip: gzipSync(body, { level: 9 }), etag: `"${version}"`, version });
}

/** The URL of a bundle, versioned so that phones may cache it for good. */
export function assetUrl(name: string): string {
  const b = built.get(name);
  if (!b) throw new Error(`no asset bundle ${name}`);
  return `/assets/${name}.js?v=${b.version}`;
}

/** The text of a bundle (tests measure page weight with it). */
export function assetBody(name: string): string {
  return built.get(name)!.body;
}

export function registerAssets(app: OpenAPIHono<AppEnv>) {
  register({ method: 'GET', path: '/assets/:name', access: ['public'], kind: 'page' });
  app.get('/assets/:file{[a-z]+\\.js}', (c) => {
    const b = built.get(c.req.param('file').replace(/\.js$/, ''));
    if (!b) return c.text('not found', 404);
    const headers: Record<string, string> = {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': c.req.query('v') === b.version ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: b.etag,
      vary: 'accept-encoding',
    };
    if (c.req.header('if-none-match') === b.etag) return c.body(null, 304, headers);
    // Every byte counts on a clinic Wi-Fi with forty phones: send the gzip made at start-up.
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      return c.body(b.gzip as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-encoding': 'gzip' });
    }
    return c.body(b.body, 200, headers);
  });
}
