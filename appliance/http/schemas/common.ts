import { z } from '@hono/zod-openapi';
import { roles } from '../../clinic/staff.ts';

/**
 * Building blocks of the API's answers. Times are ISO 8601 in UTC (`toISOString()`), dates
 * `YYYY-MM-DD`; ids are UUIDs. The schemas are strict about formats so that the test which checks
 * live answers against them (test/openapi-examples.test.ts) notices a changed representation.
 */
export const id = z.uuid();
export const dateTime = z.iso.datetime();
export const date = z.iso.date();
export const role = z.enum(roles);

/**
 * A named schema (a component) or null. `.nullable()` on a schema registered with `.openapi('Name')`
 * is written into the document as the bare `$ref`, null left out; a union keeps it (`anyOf`).
 */
export const orNull = <S extends z.ZodType>(schema: S) => z.union([schema, z.null()]);

/** The one error shape of every 4xx and 5xx answer (appliance/http/errors.ts). */
export const errorAnswer = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ description: 'in the request’s language (Bahasa Indonesia unless `?lang=en`)', example: 'Data tidak ditemukan.' }),
      details: z.record(z.string(), z.unknown()).openapi({ description: 'what went wrong, by field or reason; depends on the code' }),
    }),
  })
  .openapi('Error');
export type ErrorAnswer = z.infer<typeof errorAnswer>;
