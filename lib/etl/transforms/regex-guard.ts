import { setFlagsFromString } from "node:v8";

let enabled = false;

/**
 * Lets V8 move a regular expression to its linear-time engine once it backtracks excessively, so
 * a pattern in a user's expression (op.match, a /regex/ literal) cannot stall the process.
 * Process-wide and harmless to other code: results are identical, only the engine changes.
 * Backreferences and lookarounds, which that engine lacks, are refused by lib/etl/expressions.ts.
 */
export function enableLinearRegexFallback(): void {
  if (enabled) return;
  setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
  enabled = true;
}
