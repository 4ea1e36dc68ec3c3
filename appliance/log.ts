/**
 * The one way the box, its relay process and the hub make a logger. No log line may carry patient
 * data, a password, a token or a ticket secret, and errors are where they slip in: PGlite attaches
 * the failed statement's `query` and bound `params` (name, NIK, address, SOAP notes…) to its
 * errors, Postgres puts key values in `detail` ("Key (nik)=(…) already exists") and input values
 * in messages (`invalid input syntax for type uuid: "…"`), and a JSON SyntaxError quotes the text
 * it could not parse. So an error is logged through an allow-list: its type, its code and the
 * database's names for what failed (SQLSTATE, table, column, constraint, routine), and its message
 * and stack with every double-quoted part replaced by "…"; its causes the same way.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Fields of a serialised error that name what failed without carrying the data it failed on. */
const SAFE_ERROR_FIELDS = ['type', 'name', 'code', 'errno', 'syscall', 'severity', 'routine', 'schema', 'table', 'column', 'dataType', 'constraint', 'reason', 'status'] as const;

const QUOTED = /"(?:[^"\\\n]|\\.)*"/g;

/** `text` with its double-quoted parts (values in Postgres and JSON messages) replaced by "…". */
export function withoutQuotedValues(text: string): string {
  return text.replace(QUOTED, '"…"');
}

/** An error as a log line may show it (see the module comment); anything else passes through. */
export function safeError(err: unknown): unknown {
  if (!(err instanceof Error) && !(err && typeof err === 'object' && 'message' in err)) return err;
  const s = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  return redacted(s, 0);
}

function redacted(s: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SAFE_ERROR_FIELDS) {
    const v = s[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = typeof v === 'string' ? withoutQuotedValues(v).slice(0, 200) : v;
  }
  if (typeof s.message === 'string') out.message = withoutQuotedValues(s.message);
  if (typeof s.stack === 'string') out.stack = withoutQuotedValues(s.stack);
  const cause = s.cause;
  if (cause && typeof cause === 'object' && depth < 5) {
    out.cause = redacted(cause instanceof Error ? (pino.stdSerializers.err(cause) as unknown as Record<string, unknown>) : (cause as Record<string, unknown>), depth + 1);
  }
  return out;
}

/** Serialisers for the keys errors are logged under (`log.error({ err }, …)`). */
export const logSerializers = { err: safeError, error: safeError };

/** The box's (and the hub's and the relay process's) logger. */
export function createLog(opts: { level: string; base?: Record<string, unknown> }, destination?: DestinationStream): Logger {
  return pino({ level: opts.level, base: opts.base, serializers: logSerializers }, destination);
}
