import { z } from '@hono/zod-openapi';
import { role } from './common.ts';

/** Answers of the auth routes (routes/auth.ts). */
export const sessionAnswer = z
  .object({
    name: z.string(),
    role,
    csrfToken: z.string().openapi({ description: 'send as `x-csrf-token` on every change' }),
    mustChangePassword: z.boolean().openapi({ description: 'a temporary password: change it (POST /api/v1/auth/password) before anything else' }),
  })
  .openapi('Session');
export type SessionAnswer = z.infer<typeof sessionAnswer>;

export const loggedOutAnswer = z.object({ ok: z.boolean() });
export type LoggedOutAnswer = z.infer<typeof loggedOutAnswer>;
