import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';

/** Server-rendered pages: patient (phone), staff (tablet), waiting-room screen (TV). */
export function registerPages(_app: OpenAPIHono<AppEnv>) {}
