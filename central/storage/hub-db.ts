/**
 * The small interface everything in the hub queries through, on PGlite or PostgreSQL alike
 * (db.ts opens one). Its own module so that the migrations, which db.ts runs, can name it
 * without importing db.ts back.
 */
export interface HubQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}
export interface HubDb extends HubQueryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: HubQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
