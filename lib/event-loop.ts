import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets the event loop turn twice, so that a request just made leaves before the caller goes on.
 * undici writes a request to a kept-alive connection from a setImmediate a full loop cycle after
 * the last response (it first reads what the server may have sent on the idle socket), and
 * postgres.js writes a small query from a setImmediate once its connection is reserved: each is
 * queued one turn after the request is made. A run's work on a page or a chunk is one long run of
 * promise callbacks, which a setImmediate waits behind: a read-ahead request would otherwise
 * leave only once it is awaited.
 */
export async function letRequestsLeave(): Promise<void> {
  await nextTurn();
  await nextTurn();
}
