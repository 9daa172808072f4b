const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes after a UTF-8 byte order mark, if they start with one: editors write it, JSON.parse refuses it. */
export function withoutUtf8Bom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
}
