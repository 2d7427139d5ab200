import type { Principal } from './principal.js';

/** Who is asking, and the request it is part of: what every audit entry names. */
export interface Caller {
  principal: Principal;
  requestId: string;
}
