import { logger } from "@/lib/logger";
import type { RowEncoder } from "@/lib/exports/row-encoders";

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A file name from free text: letters, digits, dots, dashes and underscores, at most 80 characters. */
export function safeFileStem(text: string): string {
  const stem = text
    .normalize("NFKD")
    // Decomposed accents go, so that "é" becomes "e" rather than a dash.
    .replace(/\p{M}/gu, "")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  return stem || "export";
}

/**
 * Streams batches of rows as a download. The caller has already awaited the first batch, so a
 * query that fails at once (a filter value that does not fit its column) still answers a proper
 * error instead of a 200 that breaks off. Each later batch is read only when the client has taken
 * the previous one (pull with a high-water mark of one chunk); a client that goes away cancels
 * the stream, which ends the iterator and so closes the database cursor.
 */
export function streamDownload(
  first: IteratorResult<Record<string, unknown>[]>,
  rest: AsyncIterator<Record<string, unknown>[]>,
  encoder: RowEncoder,
  filename: string,
): Response {
  const bytes = new TextEncoder();
  let pending: IteratorResult<Record<string, unknown>[]> | undefined = first;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const head = encoder.start();
        if (head) controller.enqueue(bytes.encode(head));
      },
      async pull(controller) {
        try {
          const next = pending ?? (await rest.next());
          pending = undefined;
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.encode(encoder.rows(next.value)));
        } catch (error) {
          // The status line is long gone: the client sees a broken-off download, the log says why.
          logger.error({ err: error, filename }, "download failed while streaming");
          controller.error(new Error("The download failed while streaming."));
        }
      },
      async cancel() {
        await rest.return?.(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": encoder.contentType,
      "content-disposition": contentDisposition(filename),
      "cache-control": "no-store",
    },
  });
}
