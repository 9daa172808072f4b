/**
 * Reads the output of `COPY (…) TO STDOUT (FORMAT binary)` for a query of one bytea column and at
 * most one row: the value's bytes, or undefined for no row or a null. PostgreSQL sends a bytea as
 * it is in this format, where a plain query sends it hex-encoded (twice the bytes, encoded by the
 * server and decoded by the client). Layout: PostgreSQL's "Binary Format" of COPY.
 */
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

export function singleByteaFromBinaryCopy(output: Buffer): Buffer | undefined {
  if (output.length < SIGNATURE.length + 8 || !output.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new Error("Not PostgreSQL binary COPY output: the signature is missing.");
  }
  const extension = output.readUInt32BE(SIGNATURE.length + 4);
  let at = SIGNATURE.length + 8 + extension;
  const fields = output.readInt16BE(at);
  if (fields === -1) return undefined;
  if (fields !== 1) throw new Error(`Binary COPY output has ${fields} fields per row; expected 1.`);
  at += 2;
  const length = output.readInt32BE(at);
  at += 4;
  if (length === -1) return undefined;
  if (at + length + 2 > output.length || output.readInt16BE(at + length) !== -1) {
    throw new Error("Binary COPY output holds more than one row, or was cut short.");
  }
  return output.subarray(at, at + length);
}
