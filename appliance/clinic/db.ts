/**
 * What the clinic domain needs of a database: parameterised SQL and transactions.
 * PGlite satisfies it as it is; the domain never imports the storage layer.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

export interface Db extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}
