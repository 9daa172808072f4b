import { describe, expect, it } from "vitest";
import { singleByteaFromBinaryCopy } from "./binary-copy";

const header = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(4), Buffer.alloc(4)]);
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const trailer = int16(-1);

describe("singleByteaFromBinaryCopy", () => {
  it("returns the bytes of the single value, whatever they hold", () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13, 92]);
    expect(singleByteaFromBinaryCopy(Buffer.concat([header, int16(1), int32(data.length), data, trailer]))).toEqual(data);
  });

  it("skips a header extension", () => {
    const extended = Buffer.concat([header.subarray(0, 15), int32(3), Buffer.from("abc")]);
    expect(singleByteaFromBinaryCopy(Buffer.concat([extended, int16(1), int32(1), Buffer.from("x"), trailer]))).toEqual(Buffer.from("x"));
  });

  it("answers undefined for no row and for a null", () => {
    expect(singleByteaFromBinaryCopy(Buffer.concat([header, trailer]))).toBeUndefined();
    expect(singleByteaFromBinaryCopy(Buffer.concat([header, int16(1), int32(-1), trailer]))).toBeUndefined();
  });

  it("refuses anything else", () => {
    expect(() => singleByteaFromBinaryCopy(Buffer.from("id\tdata\n"))).toThrow(/signature/);
    expect(() => singleByteaFromBinaryCopy(Buffer.concat([header, int16(2), int32(1), Buffer.from("x"), int32(1), Buffer.from("y"), trailer]))).toThrow(/2 fields/);
    expect(() => singleByteaFromBinaryCopy(Buffer.concat([header, int16(1), int32(5), Buffer.from("ab")]))).toThrow(/cut short/);
    const two = Buffer.concat([header, int16(1), int32(1), Buffer.from("x"), int16(1), int32(1), Buffer.from("y"), trailer]);
    expect(() => singleByteaFromBinaryCopy(two)).toThrow(/more than one row/);
  });
});
