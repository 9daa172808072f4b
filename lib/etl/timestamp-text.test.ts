import { describe, expect, it } from "vitest";
import { canonicalUtc, isoFromUtcText, POSTGRES_EPOCH_MS, utcMicros } from "./timestamp-text";

describe("timestamps read digit by digit", () => {
  it("read what toISOString and PostgreSQL's UTC output write, as Date reads it", () => {
    const misread: string[] = [];
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 0, 1); ms += 86_400_000 * 37.7 + 1_234_567) {
      const iso = new Date(Math.floor(ms)).toISOString();
      const at = Math.floor(ms);
      const printed = `${iso.slice(0, 10)} ${iso.slice(11, 23)}+00`;
      if (canonicalUtc(iso) !== at || utcMicros(iso) !== (at - POSTGRES_EPOCH_MS) * 1000) misread.push(iso);
      if (utcMicros(printed) !== (at - POSTGRES_EPOCH_MS) * 1000) misread.push(printed);
    }
    // Years from 100 on, days of every month, leap years and the centuries that are not.
    for (let ms = Date.UTC(100, 0, 1); ms < Date.UTC(2500, 0, 1); ms += 86_400_000 * 3.3 + 4321) {
      const iso = new Date(Math.floor(ms)).toISOString();
      if (canonicalUtc(iso) !== Math.floor(ms)) misread.push(iso);
    }
    expect(misread).toEqual([]);
    expect(utcMicros("2024-02-29 23:59:59.999999+00:00")).toBe((Date.UTC(2024, 1, 29, 23, 59, 59) - POSTGRES_EPOCH_MS) * 1000 + 999_999);
    expect(utcMicros("2000-01-01T00:00:00.5Z")).toBe(500_000);
    expect(canonicalUtc("2024-01-02t03:04:05z")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  it("answer NaN for any other form, for the general reading to take", () => {
    for (const text of ["2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00+02:00", "0999-01-01T00:00:00Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01 00:00:00+0000"]) {
      expect(utcMicros(text), text).toBeNaN();
    }
    for (const text of ["2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:00+00", "2024-02-30T00:00:00Z", "0099-01-01T00:00:00Z", "2024-01-01T00:00:00.12Z"]) {
      expect(canonicalUtc(text), text).toBeNaN();
    }
    expect(utcMicros("2024-01-01T00:00:00.1234567Z")).toBeNaN();
    // toISOString's own form takes a shorter path, which keeps the year limit.
    expect(utcMicros("0999-12-31T23:59:59.999Z")).toBeNaN();
    expect(utcMicros("1000-01-01T00:00:00.000Z")).toBe((Date.UTC(1000, 0, 1) - POSTGRES_EPOCH_MS) * 1000);
  });

  it("rewrite PostgreSQL's UTC output as toISOString writes it, as Date reads it, with the microseconds Date drops", () => {
    const differ: string[] = [];
    let i = 0;
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 11, 31); ms += 86_400_000 * 41.3 + 7_654_321, i++) {
      const iso = new Date(Math.floor(ms)).toISOString();
      const fraction = ["", ".5", ".12", ".123", ".1234", ".999999", ".000001"][i % 7]!;
      const printed = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}+00`;
      // Past the milliseconds Date reads, the digits of the microseconds.
      const micros = fraction.length > 4 ? fraction.slice(4).padEnd(3, "0") : "";
      const answered = isoFromUtcText(printed);
      if (answered !== new Date(printed).toISOString().replace("Z", `${micros}Z`) || utcMicros(answered ?? "") !== utcMicros(printed)) differ.push(printed);
    }
    expect(differ).toEqual([]);
    for (const leap of ["2024-02-29 12:00:00+00", "2000-02-29 00:00:00.5+00", "9999-12-31 23:59:59.999+00", "1000-01-01 00:00:00+00"]) {
      expect(isoFromUtcText(leap)).toBe(new Date(leap).toISOString());
    }
    expect(isoFromUtcText("2024-01-01 10:00:00.123456+00")).toBe("2024-01-01T10:00:00.123456Z");
    expect(isoFromUtcText("2024-01-01 10:00:00.1234+00")).toBe("2024-01-01T10:00:00.123400Z");
    expect(isoFromUtcText("9999-12-31 23:59:59.999999+00")).toBe("9999-12-31T23:59:59.999999Z");
    expect(isoFromUtcText("2024-01-01 10:00:00.12+00")).toBe("2024-01-01T10:00:00.120Z");
    const others = [
      "2024-01-01 00:00:00+01",
      "2024-01-01 00:00:00+00:30",
      "2024-01-01T00:00:00+00",
      "2024-01-01 00:00:00.+00",
      "2024-01-01 00:00:00.1234567+00",
      "2024-01-01 00:00:00.12a+00",
      "2023-02-29 00:00:00+00",
      "2024-01-01 24:00:00+00",
      "0999-12-31 23:59:59+00",
      "0044-03-15 00:00:00+00 BC",
      "10000-01-01 00:00:00+00",
      "infinity",
      "2024-01-01",
    ];
    for (const text of others) expect(isoFromUtcText(text), text).toBeNull();
  });
});
