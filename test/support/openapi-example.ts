/** A documented parameter of an operation in /openapi.json, as the tests read it. */
export interface DocumentedParameter {
  name: string;
  in: string;
  example?: unknown;
  schema?: { example?: unknown };
}

/**
 * The operation's path with its documented path examples filled in, and its documented query
 * examples: what a client following the API reference would send.
 */
export function examplePathAndQuery(op: { path: string; parameters?: DocumentedParameter[] }): { path: string; query: URLSearchParams } {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    const ex = p.example ?? p.schema?.example;
    if (ex === undefined) continue;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, String(ex));
    if (p.in === 'query') query.set(p.name, String(ex));
  }
  return { path, query };
}
