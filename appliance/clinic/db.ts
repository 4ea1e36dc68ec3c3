/**
 * What the clinic domain needs of a database: parameterised SQL and transactions.
 * PGlite satisfies it as it is; the domain never imports the storage layer.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

/**
 * `text` for use in a LIKE pattern as the characters themselves: `%`, `_` and the escape character
 * `\\` (Postgres's default LIKE escape) are escaped, so a search for `%` is not "everyone".
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

export interface Db extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}
