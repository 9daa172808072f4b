import "server-only";
import { LRUCache } from "lru-cache";

type Counted = { count: number; exact: boolean };

/** Enough for every filter a busy team has open; each entry is a few dozen bytes. */
const counts = new LRUCache<string, Promise<Counted>>({ max: 1000 });

/**
 * The count of a filtered read, remembered per dataset version: a dataset's rows change only when
 * a run commits, which changes its version, so a remembered count is exact for as long as it is
 * asked for — the first page of a filter is counted once, not on every request. Concurrent
 * requests share one count; a failed one is forgotten.
 */
export function rememberedCount(key: string, count: () => Promise<Counted>): Promise<Counted> {
  const known = counts.get(key);
  if (known) return known;
  const pending = count();
  counts.set(key, pending);
  pending.catch(() => counts.delete(key));
  return pending;
}
