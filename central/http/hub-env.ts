/** What the hub's routes know of a request besides itself: the caller's address (the Node adapter) and who it is (the access guard). */
import type { Principal } from './access.ts';

export type HubEnv = {
  Bindings: { remoteAddress?: string };
  /** Set by the guard on every route that is not public. */
  Variables: { principal: Principal /** The box calling a 'box' route, as the guard checked it. */; box: string };
};
