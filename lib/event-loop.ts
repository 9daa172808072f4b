import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets the event loop turn twice, so that a request just made is sent before the caller goes on
 * working. A run's work on a page or a chunk is one long run of promise callbacks, during which
 * the loop does not turn, and the clients finish sending from the loop: postgres.js writes a small
 * query from a setImmediate queued a few promise steps after the query is made (once its
 * connection is reserved), so behind this function's first turn; undici writes to an idle
 * kept-alive connection from a setImmediate, and does not reuse the connection whose response was
 * just read until a setImmediate later, so the next request may go to a connection it opens,
 * whose connect completes between the two turns on a local network. Best effort: a connect that
 * takes longer (TLS, a distant server) completes when the loop next turns.
 */
export async function letRequestsLeave(): Promise<void> {
  await nextTurn();
  await nextTurn();
}
