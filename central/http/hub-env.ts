/** What the hub's routes know of a request besides itself: the caller's address (the Node adapter) and who it is (the access guard). */
import type { RegionFilter } from '../operators/region-filter.ts';
import type { Principal } from './access.ts';

export type HubEnv = {
  Bindings: { remoteAddress?: string };
  /** Set by the guard on every route that is not public: who calls, and the region it may see and act on. */
  Variables: {
    principal: Principal;
    region: RegionFilter;
    /** The box calling a 'box' route, as the guard checked it. */
    box: string;
  };
};
