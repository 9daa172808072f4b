/** Bytes of separators and digits as written. */
const BACKSLASH = 92;
const ZERO = 48;
/** Longer strings are copied by Buffer#write, natively; shorter ones character by character, which is cheaper than the call. */
const SHORT_TEXT = 48;
const MS_PER_DAY = 86_400_000;
/** Deeper JSON values are stringified: the direct path is for the small values records hold in bulk. */
const MAX_DIRECT_JSON_DEPTH = 8;

/** An object of no class of its own, which JSON.stringify writes as its own enumerable properties. */
function isPlainRecord(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An append-only byte buffer that grows as needed; each write reserves room for its worst case first. */
export class ByteWriter {
  private buffer: Buffer;
  /** The same bytes, for the big-endian integers and doubles of binary formats. */
  private view: DataView;
  private at = 0;

  constructor(estimate: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(256, estimate));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.at);
  }

  reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  byte(code: number): void {
    this.reserve(1);
    this.buffer[this.at++] = code;
  }

  /** Text known to be ASCII without characters to escape. */
  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.at++] = text.charCodeAt(i);
  }

  /**
   * A finite number in as few digits as read back as the same double. Integers of up to nine
   * digits, and decimals of up to six places below 10^9 (prices, measures), are written here:
   * with d the fewest places for which round(value * 10^d) / 10^d is the value itself, that
   * decimal is exactly what PostgreSQL's correctly rounded parser reads back as this double.
   * The rest (exponents, long fractions) go through String, which writes the shortest such digits.
   */
  number(value: number): void {
    if (!(value > -1e9 && value < 1e9)) return this.ascii(String(value));
    if (Number.isInteger(value)) return this.integer(value);
    const negative = value < 0;
    const magnitude = negative ? -value : value;
    let scale = 10;
    for (let places = 1; places <= 6; places++, scale *= 10) {
      const scaled = Math.round(magnitude * scale);
      if (scaled / scale !== magnitude) continue;
      this.reserve(20);
      if (negative) this.buffer[this.at++] = 45;
      const whole = Math.floor(scaled / scale);
      this.integer(whole);
      this.buffer[this.at++] = 46;
      this.fixed(scaled - whole * scale, places);
      return;
    }
    this.ascii(String(value));
  }

  integer(value: number): void {
    this.reserve(22);
    const buffer = this.buffer;
    if (value < 0) {
      buffer[this.at++] = 45;
      value = -value;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let end = this.at + digits;
    this.at = end;
    do {
      const next = Math.floor(value / 10);
      buffer[--end] = ZERO + value - next * 10;
      value = next;
    } while (value > 0);
  }

  /**
   * Text in UTF-8. With `escape`, a value holding a backslash or a character below 14 is written
   * as escape(text) instead (COPY's escapes change no other character: copy-encode.ts); returns
   * the number of bytes written.
   */
  text(text: string, escape?: (text: string) => string): number {
    const length = text.length;
    const start = this.at;
    if (length > SHORT_TEXT) {
      const escaped = escape ? escape(text) : text;
      this.reserve(escaped.length * 3);
      this.at += this.buffer.write(escaped, start, "utf8");
      return this.at - start;
    }
    this.reserve(length * 3);
    const buffer = this.buffer;
    let at = start;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80 || (escape && (code === BACKSLASH || code < 14))) {
        // Beyond ASCII, or a character that may need escaping: the whole value takes the general path.
        const escaped = escape ? escape(text) : text;
        this.reserve(escaped.length * 3);
        this.at = start + this.buffer.write(escaped, start, "utf8");
        return this.at - start;
      }
      buffer[at++] = code;
    }
    this.at = at;
    return at - start;
  }

  /**
   * Text in UTF-8 after a 32-bit big-endian count of its bytes, as binary COPY sends a field;
   * `version`, when given, is a byte sent before the text and counted with it (jsonb's format).
   */
  lengthPrefixed(text: string, version?: number): void {
    this.reserve(5);
    const at = this.at;
    this.at += 4;
    if (version !== undefined) this.buffer[this.at++] = version;
    const length = this.text(text) + (version === undefined ? 0 : 1);
    this.view.setInt32(at, length);
  }

  /**
   * `version`, then JSON.stringify(value)'s text, after the 32-bit count of their bytes (jsonb's
   * binary COPY field), when the value is of the kind an API's records hold in bulk: arrays and
   * plain objects, a few levels deep, of ASCII strings that need no escape, finite numbers,
   * booleans and null. Anything else (an escape, a Date, a toJSON, undefined) answers false and
   * writes nothing, for the caller to stringify. Written directly, the tags of the benchmark's
   * records cost half of JSON.stringify and the copy of its text.
   */
  jsonField(value: unknown, version: number): boolean {
    const start = this.at;
    this.reserve(5);
    this.at += 5;
    if (!this.json(value, 0)) {
      this.at = start;
      return false;
    }
    this.view.setInt32(start, this.at - start - 4);
    this.buffer[start + 4] = version;
    return true;
  }

  private json(value: unknown, depth: number): boolean {
    if (value === null) {
      this.ascii("null");
      return true;
    }
    switch (typeof value) {
      case "string":
        return this.jsonString(value);
      case "number":
        if (!Number.isFinite(value)) return false;
        this.ascii(String(value));
        return true;
      case "boolean":
        this.ascii(value ? "true" : "false");
        return true;
      case "object":
        // JSON.stringify writes what toJSON answers instead: left to it.
        if (depth >= MAX_DIRECT_JSON_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
        if (Array.isArray(value)) {
          this.byte(91);
          for (let i = 0; i < value.length; i++) {
            if (i > 0) this.byte(44);
            if (!this.json(value[i], depth + 1)) return false;
          }
          this.byte(93);
          return true;
        }
        if (!isPlainRecord(value)) return false;
        this.byte(123);
        let first = true;
        for (const key in value) {
          if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
          if (!first) this.byte(44);
          first = false;
          if (!this.jsonString(key)) return false;
          this.byte(58);
          if (!this.json(value[key], depth + 1)) return false;
        }
        this.byte(125);
        return true;
      default:
        return false;
    }
  }

  /** A quoted JSON string, if it needs no escape: ASCII without quotes, backslashes or control characters. */
  private jsonString(text: string): boolean {
    const length = text.length;
    this.reserve(length + 2);
    const buffer = this.buffer;
    let at = this.at;
    buffer[at++] = 34;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code >= 0x7f || code === 34 || code === BACKSLASH) return false;
      buffer[at++] = code;
    }
    buffer[at++] = 34;
    this.at = at;
    return true;
  }

  int16(value: number): void {
    this.reserve(2);
    this.view.setInt16(this.at, value);
    this.at += 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.at, value);
    this.at += 4;
  }

  /** A safe integer as a 64-bit big-endian two's complement integer, without a BigInt. */
  int64(value: number): void {
    this.reserve(8);
    const high = Math.floor(value / 2 ** 32);
    this.view.setInt32(this.at, high);
    this.view.setUint32(this.at + 4, value - high * 2 ** 32);
    this.at += 8;
  }

  /** A double as 8 big-endian IEEE 754 bytes. */
  float64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.at, value);
    this.at += 8;
  }

  /**
   * What toISOString writes, computed in arithmetic (three times faster than it): the calendar
   * date from the day number by Howard Hinnant's days-to-civil algorithm. Years outside
   * 1000–9999, which toISOString writes with a different width, are left to it.
   */
  isoTimestamp(date: Date): void {
    const ms = date.getTime();
    const days = Math.floor(ms / MS_PER_DAY);
    let rest = ms - days * MS_PER_DAY;
    const z = days + 719_468;
    const era = Math.floor(z / 146_097);
    const dayOfEra = z - era * 146_097;
    const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
    const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
    const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
    const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    if (!(year >= 1000 && year <= 9999)) return this.ascii(date.toISOString());
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    this.reserve(24);
    this.fixed(year, 4);
    this.buffer[this.at++] = 45;
    this.fixed(month, 2);
    this.buffer[this.at++] = 45;
    this.fixed(day, 2);
    this.buffer[this.at++] = 84;
    this.fixed(hours, 2);
    this.buffer[this.at++] = 58;
    this.fixed(minutes, 2);
    this.buffer[this.at++] = 58;
    this.fixed(seconds, 2);
    this.buffer[this.at++] = 46;
    this.fixed(rest - seconds * 1000, 3);
    this.buffer[this.at++] = 90;
  }

  /** A non-negative integer in exactly `digits` digits, zero-padded; room is reserved by the caller. */
  private fixed(value: number, digits: number): void {
    let end = this.at + digits;
    this.at = end;
    for (let i = 0; i < digits; i++) {
      const next = Math.floor(value / 10);
      this.buffer[--end] = ZERO + value - next * 10;
      value = next;
    }
  }
}

