import "server-only";
import type { Principal } from "./principal";

/**
 * How long a web process reuses a caller it resolved (token or session → user, roles, instance
 * admin). A busy integration sends hundreds of requests a second with one token; reading its
 * token, user and memberships for each would be most of every request's work. This is also the
 * longest that a revocation, deactivation, deletion or role change made through another web
 * process goes unnoticed here: this process's own such writes forget every cached caller at once
 * (forgetPrincipals), and a token never outlives its expiry in the cache.
 */
export const PRINCIPAL_CACHE_MS = 2_000;

/** Far more callers than a few seconds bring; past it the oldest entries go first. */
const MAX_ENTRIES = 10_000;

/** A caller as resolved from the database, before the request's client address is attached. */
export type StoredPrincipal = Omit<Principal, "ip">;
export type Resolved = { principal: StoredPrincipal; validUntil?: number };

type Entry = { principal: Promise<StoredPrincipal | undefined>; until: number };

// On globalThis, like the database pool: however the app's bundles or dev reloads duplicate this
// module, one process has one cache, and a write anywhere in it forgets what every request reads.
const globalCache = globalThis as unknown as { __dfhPrincipals?: Map<string, Entry> };
const entries = (globalCache.__dfhPrincipals ??= new Map<string, Entry>());

/**
 * The caller for `key`, resolved by `load` at most once per PRINCIPAL_CACHE_MS; concurrent
 * requests share one load. Only live callers are kept: an unknown, revoked or expired credential
 * is looked up again on every request, so nobody can fill the cache with them.
 */
export function cachedPrincipal(key: string, load: () => Promise<Resolved | undefined>): Promise<StoredPrincipal | undefined> {
  const now = Date.now();
  const known = entries.get(key);
  if (known && known.until > now) return known.principal;
  if (known) entries.delete(key);

  const entry: Entry = { principal: Promise.resolve(undefined), until: now + PRINCIPAL_CACHE_MS };
  const drop = () => {
    if (entries.get(key) === entry) entries.delete(key);
  };
  entry.principal = load().then(
    (resolved) => {
      if (!resolved) drop();
      else if (resolved.validUntil !== undefined) entry.until = Math.min(entry.until, resolved.validUntil);
      return resolved?.principal;
    },
    (error: unknown) => {
      drop();
      throw error;
    },
  );
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return entry.principal;
}

/**
 * Drops every cached caller: called after each write that changes who may do what (tokens
 * revoked; users deactivated, deleted or made instance admin; memberships added, changed or
 * removed; workspaces created or deleted), once it has committed. A load already under way when
 * this runs may have read the old state, so it is dropped too rather than kept.
 */
export function forgetPrincipals(): void {
  entries.clear();
}
