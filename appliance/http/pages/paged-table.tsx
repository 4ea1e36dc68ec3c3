/**
 * A table whose rows the page's script fills (from the API, a page at a time), and its pager: the
 * audit log, the outbox and the queue's tickets. The ids are the ones the page's script looks up.
 */
export function PagedTable(p: {
  /** The table's test id. */
  testid: string;
  headings: string[];
  /** The id of the tbody the script fills. */
  bodyId: string;
  /** Set: the table scrolls as a named region a keyboard can reach. */
  label?: string;
  pager: { prevId: string; prevTestid: string; pageId: string; nextId: string; nextTestid: string };
}) {
  return (
    <>
      <div class="tbl-wrap" tabindex={p.label ? 0 : undefined} role={p.label ? 'region' : undefined} aria-label={p.label}>
        <table data-testid={p.testid}>
          <thead>
            <tr>
              {p.headings.map((h) => (
                <th>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody id={p.bodyId}></tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" class="sec" id={p.pager.prevId} data-testid={p.pager.prevTestid}>
          ‹
        </button>
        <span id={p.pager.pageId}></span>
        <button type="button" class="sec" id={p.pager.nextId} data-testid={p.pager.nextTestid}>
          ›
        </button>
      </div>
    </>
  );
}
