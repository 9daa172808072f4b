import "server-only";
import { setTimeout as wait } from "node:timers/promises";
import { MIMEType } from "node:util";
import type { HttpSource } from "@/lib/schemas/jobs";
import { env } from "@/lib/env";
import { letRequestsLeave } from "@/lib/event-loop";
import { getPath } from "@/lib/etl/dot-path";
import { EtlError } from "@/lib/etl/errors";
import { fetchWithCredentials, httpCredentials, type HttpCredentials } from "@/lib/connections/http-auth";
import type { OutboundResponse } from "@/lib/security/outbound";
import { jsonValueDepth, MAX_JSON_DEPTH, tooDeepMessage } from "@/lib/security/json-depth";
import { withoutUtf8Bom } from "@/lib/utf8-bom";
import { parseJsonBytes } from "./json-bytes";
import type { SourceContext } from "./types";

const MAX_TRIES = 4;
const MAX_RETRY_AFTER_MS = 60_000;

type Page = { records: unknown[]; body: unknown; headers: OutboundResponse["headers"]; url: URL };

/** A URL as it may appear in logs and errors: without query string or credentials, which can carry keys. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Extracts records page by page, following the job's pagination style. Yields one array per page.
 * With `readAhead`, the next page is requested as soon as this one names it, and arrives while this
 * one is transformed and loaded: over a network, most of a page's time is the wait for it.
 */
export async function* extractHttp(source: HttpSource, ctx: SourceContext): AsyncGenerator<unknown[]> {
  const pagination = source.pagination;
  let url: URL | null = buildUrl(source.url, source.query);
  const seen = new Set<string>();
  let pageIndex = 0;
  const limit = ctx.sampleOnly ? 1 : source.maxPages;
  const credentials = source.connectionId ? await httpCredentials(ctx.workspaceId, source.connectionId, source.url) : null;
  // Ends a request read ahead when the reader stops early.
  const stop = new AbortController();
  const fetching = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) };

  const request = (index: number, at: URL) => {
    const requestUrl = new URL(at);
    if (pagination.type === "page") {
      requestUrl.searchParams.set(pagination.pageParam, String(pagination.startPage + index));
      requestUrl.searchParams.set(pagination.sizeParam, String(pagination.pageSize));
    } else if (pagination.type === "offset") {
      requestUrl.searchParams.set(pagination.offsetParam, String(index * pagination.limit));
      requestUrl.searchParams.set(pagination.limitParam, String(pagination.limit));
    }
    const page = fetchPage(source, requestUrl, fetching, credentials);
    // A page read ahead is awaited on the next turn, or never if the reader stopped: not unhandled.
    page.catch(() => undefined);
    return { requestUrl, page };
  };

  try {
    let current = limit > 0 ? request(0, url) : null;
    // The first page counts as followed: a link back to it would read its records twice.
    if (pagination.type !== "page" && pagination.type !== "offset") seen.add(url.toString());
    while (current) {
      const page = await current.page;
      pageIndex++;
      await ctx.log("info", `Fetched page ${pageIndex} from ${displayUrl(current.requestUrl)}: ${page.records.length} records`);
      url = nextUrl(source, page, url!);
      if (url) {
        // A server that hands back a link we already followed would otherwise loop forever.
        const key = url.toString() + (pagination.type === "page" || pagination.type === "offset" ? `#${pageIndex}` : "");
        if (seen.has(key)) {
          await ctx.log("warn", `Page ${pageIndex} links to ${displayUrl(url)}, a page already read; stopped there.`);
          url = null;
        } else {
          seen.add(key);
        }
      }
      const more = url !== null && pageIndex < limit;
      const ahead = more && ctx.readAhead ? request(pageIndex, url!) : null;
      // Sent now, it is answered while this page is transformed and loaded: sent when its page was
      // awaited, it had the benchmark's run thread idle about 130 ms a run (1.21 and 1.10 s a run
      // against 1.05 and 1.03).
      if (ahead) await letRequestsLeave();
      if (page.records.length > 0) yield page.records;
      current = ahead ?? (more ? request(pageIndex, url!) : null);
    }
  } finally {
    stop.abort();
  }
  if (url && pageIndex >= limit && !ctx.sampleOnly) {
    await ctx.log("warn", `Stopped after maxPages (${limit}); more pages were available.`);
  }
}

function buildUrl(base: string, query: Record<string, string>): URL {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}

function nextUrl(source: HttpSource, page: Page, current: URL): URL | null {
  const pagination = source.pagination;
  switch (pagination.type) {
    case "none":
      return null;
    case "page":
      return page.records.length < pagination.pageSize ? null : current;
    case "offset":
      return page.records.length < pagination.limit ? null : current;
    case "cursor": {
      const cursor = getPath(page.body, pagination.cursorPath);
      if (cursor === null || cursor === undefined || cursor === "") return null;
      const next = new URL(current);
      next.searchParams.set(pagination.cursorParam, String(cursor));
      return next;
    }
    case "next_url": {
      const link = getPath(page.body, pagination.nextUrlPath);
      if (typeof link !== "string" || link === "") return null;
      return resolveNext(link, page.url);
    }
    case "link_header": {
      const link = parseNextLink(page.headers.get("link"));
      return link ? resolveNext(link, page.url) : null;
    }
  }
}

function resolveNext(link: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(link, base);
  } catch {
    throw new EtlError(`The next-page link "${link.slice(0, 200)}" is not a valid URL.`, true);
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new EtlError(`The next-page link uses ${next.protocol}, only http and https are followed.`, true);
  }
  return next;
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function parseNextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? "")) return match[1] ?? null;
  }
  return null;
}

async function fetchPage(source: HttpSource, url: URL, ctx: SourceContext, credentials: HttpCredentials | null): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(source, url, ctx, credentials);
    } catch (error) {
      const retry = retryDelay(error, attempt);
      if (retry === null || ctx.signal.aborted) throw error;
      await ctx.log("warn", `${(error as Error).message} Retrying in ${Math.round(retry / 100) / 10}s (try ${attempt + 1} of ${MAX_TRIES}).`);
      await sleep(retry, ctx.signal);
    }
  }
}

class TransientHttpError extends EtlError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message, false);
  }
}

function retryDelay(error: unknown, attempt: number): number | null {
  if (attempt >= MAX_TRIES) return null;
  const backoff = 500 * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
  if (error instanceof TransientHttpError) return Math.min(error.retryAfterMs ?? backoff, MAX_RETRY_AFTER_MS);
  if (error instanceof EtlError) return null;
  // Network failures (reset, refused, DNS) and timeouts are worth another try.
  return backoff;
}

async function fetchOnce(source: HttpSource, url: URL, ctx: SourceContext, credentials: HttpCredentials | null): Promise<Page> {
  const { signal, release } = requestSignal(ctx.signal, source.timeoutMs);
  try {
    return await requestOnce(source, url, ctx, credentials, signal);
  } finally {
    release();
  }
}

/**
 * A signal that aborts with `parent`, or after `ms`, until released. AbortSignal.any of the run's
 * signal and an AbortSignal.timeout kept every page's signal among the run's dependants until its
 * timer fired, and each call cost more than the last: 0.2 ms a page by the end of the benchmark's
 * HTTP runs, 1.6% of their CPU.
 */
function requestSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  if (parent.aborted) onAbort();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")), ms);
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      parent.removeEventListener("abort", onAbort);
    },
  };
}

async function requestOnce(source: HttpSource, url: URL, ctx: SourceContext, credentials: HttpCredentials | null, signal: AbortSignal): Promise<Page> {
  const where = displayUrl(url);
  // The same for the response and its body: a server may stall or drop the connection after its headers.
  const failure = (error: unknown): unknown => {
    // A refused address, too many redirects, a body over the limit: the same again on every try.
    if (ctx.signal.aborted || error instanceof EtlError) return error;
    const reason = signal.aborted ? `timed out after ${source.timeoutMs} ms` : describeNetworkError(error);
    return new TransientHttpError(`Request to ${where} failed: ${reason}.`);
  };
  let response: OutboundResponse;
  try {
    response = await fetchWithCredentials(url, {
      method: source.method,
      headers: {
        accept: "application/json",
        ...(source.method === "POST" ? { "content-type": "application/json" } : {}),
        ...source.headers,
      },
      body: source.method === "POST" && source.body !== undefined ? JSON.stringify(source.body) : undefined,
      signal,
    }, credentials);
  } catch (error) {
    throw failure(error);
  }

  if (response.status === 429 || response.status >= 500) {
    await response.discard();
    throw new TransientHttpError(
      `${where} answered HTTP ${response.status} ${response.statusText}.`,
      parseRetryAfter(response.headers.get("retry-after")),
    );
  }
  if (!response.ok) {
    await response.discard();
    throw new EtlError(`${where} answered HTTP ${response.status} ${response.statusText}.`, true);
  }

  let bytes: Buffer;
  try {
    bytes = await readCapped(response, env.HTTP_MAX_RESPONSE_BYTES, where);
  } catch (error) {
    throw failure(error);
  }
  const text = utf8Body(bytes, response.headers.get("content-type"), where);
  let body: unknown;
  try {
    body = parseJsonBytes(text);
  } catch (error) {
    throw new EtlError(`The response from ${where} is not valid JSON: ${(error as Error).message}.`, true);
  }
  if (jsonValueDepth(body) > MAX_JSON_DEPTH) throw new EtlError(tooDeepMessage(`The response from ${where}`), true);
  return { records: recordsAt(body, source.recordsPath, where), body, headers: response.headers, url };
}

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8"]);

/**
 * The body as UTF-8 bytes. JSON is UTF-8 (RFC 8259) and fetch reads it so whatever the headers say,
 * but a server that declares another charset means it: read as UTF-8, its é would become U+FFFD
 * without a word. So a declared charset other than UTF-8 is decoded (WHATWG labels, as browsers
 * know them), and one that cannot be read fails the run.
 */
function utf8Body(bytes: Buffer, contentType: string | null, where: string): Buffer {
  let charset: string | undefined;
  try {
    charset = contentType ? new MIMEType(contentType).params.get("charset")?.toLowerCase() : undefined;
  } catch {
    // A malformed Content-Type says nothing about the charset: the body is read as JSON is, UTF-8.
  }
  if (!charset || UTF8_LABELS.has(charset)) return withoutUtf8Bom(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new EtlError(`The response from ${where} declares charset "${charset}", which is not one this reader knows.`, true);
  }
  try {
    return Buffer.from(decoder.decode(bytes), "utf8");
  } catch {
    throw new EtlError(`The response from ${where} is not valid ${charset}, the charset it declares.`, true);
  }
}

function recordsAt(body: unknown, path: string, where: string): unknown[] {
  const found = getPath(body, path);
  if (Array.isArray(found)) return found;
  if (path === "" && found !== null && typeof found === "object") return [found];
  const kind = found === undefined ? "nothing" : found === null ? "null" : typeof found;
  throw new EtlError(
    `recordsPath "${path}" in the response from ${where} leads to ${kind}, not an array of records.`,
    true,
  );
}

async function readCapped(response: OutboundResponse, maxBytes: number, where: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.discard();
    throw new EtlError(`The response from ${where} is ${declared} bytes, over the ${maxBytes}-byte limit.`, true);
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        throw new EtlError(`The response from ${where} is over the ${maxBytes}-byte limit.`, true);
      }
      parts.push(chunk);
    }
  } catch (error) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR…) and brotli's (ERR__ERROR_FORMAT_…): the server sent what it would send again.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("Z_") || code.startsWith("ERR__ERROR_"))) {
      throw new EtlError(`The response from ${where} could not be decompressed: ${(error as Error).message}.`, true);
    }
    throw error;
  }
  return Buffer.concat(parts, size);
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `network error ${code}` : "network error";
}

/** Waits `ms`, or rejects with the signal's reason once it is aborted (at once if it already is). */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await wait(ms, undefined, { signal }).catch(() => {
    throw signal.reason;
  });
}
