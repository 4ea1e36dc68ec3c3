/** The patient's tickets of today, kept on the phone (localStorage) so /ambil can link back to them. */

const KEY = 'simpul.tickets';

export interface SavedTicket {
  label: string;
  poliName: string;
  link: string;
  expiresAt: string;
}

function read(): SavedTicket[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]') as unknown;
    return Array.isArray(list) ? (list as SavedTicket[]) : [];
  } catch {
    return [];
  }
}

/** The saved tickets still valid. */
export function savedTickets(): SavedTicket[] {
  const now = Date.now();
  return read().filter((x) => x && x.link && Date.parse(x.expiresAt) > now);
}

/** Saves a ticket (replacing the same link); the last five are kept. Private mode: the page link still works. */
export function rememberTicket(tk: SavedTicket): void {
  try {
    const list = savedTickets().filter((x) => x.link !== tk.link);
    list.push(tk);
    localStorage.setItem(KEY, JSON.stringify(list.slice(-5)));
  } catch {
    /* private mode */
  }
}
