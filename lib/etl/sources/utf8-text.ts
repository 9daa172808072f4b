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
  } catch {
    return undefined;
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
 * pieces is decoded with the second, a byte order mark at the start is dropped, and bytes that
 * are not UTF-8 throw a TypeError, as `new TextDecoder("utf-8", { fatal: true })` does.
 */
export class Utf8StreamDecoder {
  readonly encoding = "utf-8";
  /** The start of a character the last piece ended inside. */
  private carry = EMPTY;
  private started = false;

  decode(piece: Uint8Array = EMPTY, options?: { stream?: boolean }): string {
    const input = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const bytes = this.carry.length === 0 ? input : Buffer.concat([this.carry, input]);
    const end = options?.stream ? completeCharactersEnd(bytes) : bytes.length;
    // Copied: the caller may reuse the piece's memory for the next one.
    this.carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : EMPTY;
    const text = strictUtf8Text(bytes.subarray(0, end));
    if (text === undefined) throw new TypeError("The encoded data was not valid for encoding utf-8");
    if (this.started || text.length === 0) return text;
    this.started = true;
    return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  }
}

/** Where the last complete character of `bytes` ends: before a lead byte whose sequence the bytes cut short. */
function completeCharactersEnd(bytes: Buffer): number {
  for (let at = bytes.length - 1; at >= 0 && at >= bytes.length - 4; at--) {
    const byte = bytes[at]!;
    if (byte < 0x80) return bytes.length;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return at + length > bytes.length ? at : bytes.length;
    }
  }
  // Only continuation bytes: not UTF-8, which the decoding then says.
  return bytes.length;
}
