import { isAscii, transcode } from "node:buffer";

/**
 * UTF-8 bytes as a string, the fast way. Node 20's UTF-8 decoder (Buffer#toString, TextDecoder)
 * reads text with other than ASCII characters at about 360 MB/s on the benchmark's VM, its ASCII
 * at 14 GB/s: an order with "Zürich" or "São Paulo" in it every few rows is read at the slow rate
 * throughout, a sixth of a second per million CSV rows and a tenth of an HTTP run's CPU. ICU's
 * transcoding to UTF-16 reads the same bytes at 1.7–2 GB/s, and it refuses every byte sequence
 * that is not UTF-8 (overlong forms, surrogates, truncated characters), so on valid text the
 * result is exactly the decoder's; invalid text goes to the decoder, which says how.
 */

/** The text of valid UTF-8 bytes, or undefined when they are not valid UTF-8. A byte order mark is kept. */
export function strictUtf8Text(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString("latin1");
  try {
    return transcode(buffer, "utf8", "utf16le").toString("utf16le");
  } catch (error) {
    if ((error as { code?: unknown }).code === "U_INVALID_CHAR_FOUND") return undefined;
    throw error;
  }
}

/** The text of UTF-8 bytes, each invalid sequence read as U+FFFD, as Buffer#toString reads it. */
export function utf8Text(bytes: Buffer): string {
  return strictUtf8Text(bytes) ?? bytes.toString("utf8");
}

const EMPTY = Buffer.alloc(0);
const BYTE_ORDER_MARK = 0xfeff;

/**
 * A fatal UTF-8 TextDecoder for pieces of a stream cut anywhere: a character split between two
 * pieces is decoded with the second, a byte order mark at the start of a stream is dropped, and
 * bytes that are not UTF-8 throw a TypeError in the call that reads them, as in
 * `new TextDecoder("utf-8", { fatal: true })`. A call without `stream` ends the stream.
 */
export class Utf8StreamDecoder {
  readonly encoding = "utf-8";
  /** The start of a character the last piece ended inside. */
  private carry = EMPTY;
  private started = false;

  decode(piece: Uint8Array = EMPTY, options?: { stream?: boolean }): string {
    const input = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const bytes = this.carry.length === 0 ? input : Buffer.concat([this.carry, input]);
    const stream = options?.stream === true;
    const end = stream ? unfinishedCharacterStart(bytes) : bytes.length;
    // Copied: the caller may reuse the piece's memory for the next one.
    this.carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : EMPTY;
    const text = strictUtf8Text(bytes.subarray(0, end));
    if (!stream) this.carry = EMPTY;
    if (text === undefined) throw new TypeError("The encoded data was not valid for encoding utf-8");
    const atStart = !this.started;
    this.started = stream && (this.started || text.length > 0);
    return atStart && text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  }
}

/**
 * Where a character the bytes end inside starts, or their length when they end between
 * characters or in bytes that are no start of one (those fail now, as TextDecoder fails them, not
 * with the next piece). Only what can still become a character is held back: a lead byte C2–F4
 * and the continuation bytes its second byte's range allows (E0 A0–BF, ED 80–9F, F0 90–BF,
 * F4 80–8F, otherwise 80–BF), as in the WHATWG decoder.
 */
function unfinishedCharacterStart(bytes: Buffer): number {
  for (let at = bytes.length - 1; at >= 0 && at >= bytes.length - 3; at--) {
    const lead = bytes[at]!;
    if (lead >= 0x80 && lead < 0xc0) continue;
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || at + length <= bytes.length) return bytes.length;
    const second = bytes[at + 1];
    if (second !== undefined) {
      const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      if (second < low || second > high) return bytes.length;
    }
    return at;
  }
  return bytes.length;
}
