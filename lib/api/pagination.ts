import type { Page } from "@/lib/schemas/common";

/** Builds the envelope's `next` and `previous` links from the request URL, keeping its other parameters. */
export function pageLinks(url: URL, page: number, pageSize: number, count: number) {
  const link = (target: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("pageSize", String(pageSize));
    next.searchParams.delete("cursor");
    return next.toString();
  };
  return {
    next: page * pageSize < count ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(count / pageSize)))) : null,
  };
}

export function pageEnvelope<T>(url: URL, page: number, pageSize: number, count: number, results: T[]): Page<T> {
  return { count, ...pageLinks(url, page, pageSize, count), results };
}

/**
 * Links of a results page: `next` exists when rows follow the page (read, not counted, since the
 * count may be an estimate) and carries the cursor when there is one; `previous` is a page number.
 */
export function resultLinks(url: URL, { page, pageSize, count, more, cursor }: { page: number; pageSize: number; count: number; more: boolean; cursor: string | null }) {
  const link = (target: number, seek: string | null) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("pageSize", String(pageSize));
    if (seek) next.searchParams.set("cursor", seek);
    else next.searchParams.delete("cursor");
    return next.toString();
  };
  return {
    next: more ? link(page + 1, cursor) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(count / pageSize))), null) : null,
  };
}
