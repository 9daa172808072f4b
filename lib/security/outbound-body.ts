import { pipeline, Transform, type Readable, type TransformCallback } from "node:stream";
import zlib from "node:zlib";

/**
 * Response bodies of outbound requests with their content codings undone, the way fetch undoes
 * them (undici's, which outbound.ts used before): gzip, deflate (zlib-wrapped or raw) and br,
 * flushed like cURL so that a stream cut short yields what arrived; a body in a coding it does not
 * know, or of a status that has none, stays as it came.
 */

/** What outbound requests ask for: the codings decodedBody undoes. */
export const ACCEPTED_ENCODINGS = "gzip, deflate, br";

const ZLIB_FLUSH = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_FLUSH = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(ZLIB_FLUSH),
  "x-gzip": () => zlib.createGunzip(ZLIB_FLUSH),
  deflate: () => new DeflateDecoder(),
  br: () => zlib.createBrotliDecompress(BROTLI_FLUSH),
};

/**
 * The body with its codings undone, last applied first (RFC 9110 8.4). A failure anywhere (a
 * corrupt stream, the connection lost) ends the returned stream with its error, and destroying
 * the returned stream destroys the body.
 */
export function decodedBody(raw: Readable, status: number, contentEncoding: string | null): Readable {
  if (NO_BODY_STATUSES.has(status)) return raw;
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  if (codings.length === 0 || codings.some((coding) => !(coding in DECODERS))) return raw;
  const decoders = codings.reverse().map((coding) => DECODERS[coding]!());
  return pipeline([raw, ...decoders], () => undefined) as unknown as Readable;
}

/**
 * deflate as servers send it: zlib-wrapped (RFC 1950), or raw (RFC 1951) from servers that
 * misread the name, told apart by the first byte as browsers do.
 */
class DeflateDecoder extends Transform {
  private inflate: zlib.Inflate | zlib.InflateRaw | null = null;

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.inflate) {
      if (chunk.length === 0) return callback();
      this.inflate = (chunk[0]! & 0x0f) === 0x08 ? zlib.createInflate(ZLIB_FLUSH) : zlib.createInflateRaw(ZLIB_FLUSH);
      this.inflate.on("data", (data: Buffer) => this.push(data));
      this.inflate.on("end", () => this.push(null));
      this.inflate.on("error", (error) => this.destroy(error));
    }
    this.inflate.write(chunk, encoding, callback);
  }

  override _final(callback: TransformCallback): void {
    if (this.inflate) this.inflate.end();
    else this.push(null);
    callback();
  }
}
