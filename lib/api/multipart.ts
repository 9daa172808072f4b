import "server-only";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { FileTooLargeError } from "@/lib/files/storage";
import { HttpError } from "./errors";

export type UploadedPart = { name: string; stream: Readable };

/** Room for the multipart boundaries and part headers around the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * Streams the `file` part of a multipart/form-data request into `consume` without buffering the
 * body: 415 for another content type, 413 as soon as the declared length or the bytes received
 * pass `maxBytes`, 422 when no `file` part was sent. `consume` sees the bytes as they arrive.
 */
export async function readFilePart<T>(req: Request, maxBytes: number, consume: (part: UploadedPart) => Promise<T>): Promise<T> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw new HttpError(415, "Send the file as multipart/form-data, in a field named \"file\".");
  }
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
  if (!req.body) throw new HttpError(422, "The request has no body; send the file in a field named \"file\".");

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } });
  } catch (error) {
    throw new HttpError(400, `The multipart body cannot be read: ${(error as Error).message}.`);
  }
  const body = Readable.fromWeb(req.body as NodeWebReadableStream<Uint8Array>);

  return new Promise<T>((resolve, reject) => {
    let consuming: Promise<T> | null = null;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(error instanceof FileTooLargeError ? tooLarge(maxBytes) : error);
    };

    parser.on("file", (field, stream, info) => {
      if (field !== "file" || consuming) {
        stream.resume();
        return;
      }
      // busboy truncates a file past the limit; fail instead, so nothing truncated is ever stored.
      stream.on("limit", () => stream.destroy(new FileTooLargeError(maxBytes)));
      consuming = consume({ name: sanitizeName(info.filename), stream });
      consuming.catch(fail);
    });
    parser.on("error", (error) => fail(new HttpError(400, `The multipart body cannot be read: ${(error as Error).message}.`)));
    parser.on("close", () => {
      if (!consuming) fail(new HttpError(422, "No file was sent: put it in a multipart field named \"file\".", [{ path: "file", message: "required" }]));
      else consuming.then(resolve, fail);
    });
    body.on("error", fail);
    body.pipe(parser);
  });
}

function tooLarge(maxBytes: number) {
  return new HttpError(413, `The file is larger than the upload limit of ${maxBytes} bytes (UPLOAD_MAX_BYTES).`);
}

/** A display name: no directory parts (some browsers send them), no control characters, bounded length. */
export function sanitizeName(filename: string | undefined): string {
  const base = (filename ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 255);
  return clean === "" ? "upload" : clean;
}
