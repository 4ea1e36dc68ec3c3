import type { z } from 'zod';

/**
 * What is wrong with an API answer against its documented zod schema, one line each: what zod
 * refuses, and fields the schema does not name at any depth (zod's objects strip those silently,
 * so a changed answer or a leak would otherwise pass). Empty when the answer matches.
 */
export function answerMismatches(schema: z.ZodType, body: unknown): string[] {
  const parsed = schema.safeParse(body);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`);
  return [...problems, ...undocumented(schema, body, '(answer)')];
}

/** Keys of `value` that `schema` does not declare, at any depth (zod's objects strip them silently). */
function undocumented(schema: z.ZodType, value: unknown, at: string): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return value == null ? [] : undocumented(def.innerType, value, at);
    case 'pipe':
      return undocumented(def.in, value, at);
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => undocumented(def.element, v, `${at}[${i}]`)) : [];
    case 'record':
      return isObject ? Object.entries(value).flatMap(([k, v]) => undocumented(def.valueType, v, `${at}.${k}`)) : [];
    case 'object':
      return isObject ? Object.entries(value).flatMap(([k, v]) => (k in def.shape ? undocumented(def.shape[k], v, `${at}.${k}`) : [`${at}.${k} is not documented`])) : [];
    case 'union': {
      const fits = (def.options as z.ZodType[]).filter((o) => o.safeParse(value).success);
      const found = (fits.length ? fits : (def.options as z.ZodType[])).map((o) => undocumented(o, value, at));
      return found.reduce((a, b) => (b.length < a.length ? b : a));
    }
    default:
      return [];
  }
}
