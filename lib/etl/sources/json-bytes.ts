import { utf8Text } from "./utf8-text";

/**
 * JSON.parse of a UTF-8 body without ever holding it as one string. V8 gives every string over
 * 128 KB a memory mapping of its own, faulted in page by page and unmapped after the next
 * young-generation collection: on the benchmark's VM, decoding a 250 kB page of records into one
 * string took 1.4 ms, the same bytes in 64 KB pieces 0.02 ms, and the whole-page decode was a
 * sixth of an HTTP run's CPU.
 *
 * So a large body's arrays and objects are cut between their elements into pieces of at most
 * PIECE_BYTES, each decoded and given to JSON.parse, and the pieces' values are joined in order.
 * JavaScript only finds the cuts, by following strings and nesting byte by byte or, in an array
 * whose elements start alike, by guessing where a piece ends and letting JSON.parse confirm it
 * (guessedPieceEnd); JSON.parse still reads every value. The result is JSON.parse's:
 * each piece is a list of whole elements, the text between pieces is checked to be only commas
 * and whitespace, so if every piece parses, the whole text parses to their concatenation. When
 * anything fails, the whole text is parsed once more, for JSON.parse's own error and position.
 */

/** Pieces stay under V8's 128 KB limit for an ordinary string even when every character takes two bytes. */
const PIECE_BYTES = 48 * 1024;
/** Containers nested deeper than this are not cut further: a piece may then be large, never wrong. */
const MAX_CUT_DEPTH = 32;

/** Guessed pieces end past this, so that they are not much smaller than following the bytes makes them. */
const GUESS_FROM = 32 * 1024;
/** How much of an element's start the next element must repeat for a guess: up to its first member's colon, `{"id":` say. */
const GUESS_PREFIX_BYTES = 16;
const CLOSE_BRACE_COMMA = Buffer.from("},");
const CLOSE_BRACKET_COMMA = Buffer.from("],");

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The value of a JSON text given as UTF-8 bytes (without a byte order mark), as JSON.parse gives it. */
export function parseJsonBytes(bytes: Buffer): unknown {
  if (bytes.length <= PIECE_BYTES) return JSON.parse(decode(bytes, 0, bytes.length));
  try {
    const [value, end] = parseValue(bytes, skipSpace(bytes, 0), 0);
    if (skipSpace(bytes, end) !== bytes.length) throw new SyntaxError("text after the value");
    return value;
  } catch {
    // Not valid JSON: JSON.parse of the whole says where and why.
    return JSON.parse(decode(bytes, 0, bytes.length));
  }
}

type Parsed = [value: unknown, end: number];

function parseValue(bytes: Buffer, start: number, depth: number): Parsed {
  const first = bytes[start];
  if (first === OPEN_BRACKET && depth < MAX_CUT_DEPTH) return parseContainer(ARRAY, bytes, start, depth);
  if (first === OPEN_BRACE && depth < MAX_CUT_DEPTH) return parseContainer(OBJECT, bytes, start, depth);
  const end = valueEnd(bytes, start, bytes.length);
  return [JSON.parse(decode(bytes, start, end)), end];
}

/** What arrays and objects differ in: their closing bracket, their entries' names, how entries are added. */
type Container<T> = {
  close: number;
  /** Whether pieces may be guessed (guessedPieceEnd): an array's elements often start alike, an object's members do not. */
  guessPieces: boolean;
  empty: () => T;
  /** Where the value of the entry at `at` starts: there for an element, after its name for a member. */
  valueStart: (bytes: Buffer, at: number) => number;
  /** Adds the entries of a piece: their text, separated by commas. */
  addPiece: (out: T, text: string) => void;
  /** Adds the entry at `at`, whose value was parsed on its own. */
  addEntry: (out: T, bytes: Buffer, at: number, value: unknown) => void;
};

const ARRAY: Container<unknown[]> = {
  close: CLOSE_BRACKET,
  guessPieces: true,
  empty: () => [],
  valueStart: (_bytes, at) => at,
  addPiece: (out, text) => {
    const values = JSON.parse(`[${text}]`) as unknown[];
    for (let i = 0; i < values.length; i++) out.push(values[i]);
  },
  addEntry: (out, _bytes, _at, value) => void out.push(value),
};

const OBJECT: Container<Record<string, unknown>> = {
  close: CLOSE_BRACE,
  guessPieces: false,
  empty: () => ({}),
  valueStart: (bytes, at) => {
    if (bytes[at] !== QUOTE) throw new SyntaxError(`expected a member name at byte ${at}`);
    const colon = skipSpace(bytes, stringEnd(bytes, at, bytes.length));
    if (bytes[colon] !== COLON) throw new SyntaxError(`expected : at byte ${colon}`);
    return skipSpace(bytes, colon + 1);
  },
  addPiece: (out, text) => {
    const members = JSON.parse(`{${text}}`) as Record<string, unknown>;
    for (const key of Object.keys(members)) setMember(out, key, members[key]);
  },
  addEntry: (out, bytes, at, value) => setMember(out, JSON.parse(decode(bytes, at, stringEnd(bytes, at, bytes.length))) as string, value),
};

/** An array or object, its entries gathered into pieces; an entry larger than a piece is parsed on its own, cut in turn. */
function parseContainer<T>(kind: Container<T>, bytes: Buffer, start: number, depth: number): Parsed {
  const out = kind.empty();
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === kind.close) return [out, at + 1];
  // The piece being gathered: from its first entry's start to its last entry's end.
  let from = -1;
  let to = -1;
  const flush = () => {
    if (from === -1) return;
    kind.addPiece(out, decode(bytes, from, to));
    from = -1;
  };
  let guessing = kind.guessPieces;
  for (;;) {
    if (guessing && from === -1) {
      const guess = guessedPieceEnd(bytes, at);
      if (guess !== -1) {
        try {
          kind.addPiece(out, decode(bytes, at, guess));
          at = skipSpace(bytes, guess + 1);
          continue;
        } catch {
          // Not a piece after all (the guess fell inside an element): this array's bytes are followed from here on.
          guessing = false;
        }
      }
    }
    const valueStart = kind.valueStart(bytes, at);
    // Measured from the entry's start: a member's piece holds its name too.
    const end = valueEnd(bytes, valueStart, at + PIECE_BYTES);
    if (end === -1) {
      flush();
      const [value, valueEndAt] = parseValue(bytes, valueStart, depth + 1);
      kind.addEntry(out, bytes, at, value);
      at = valueEndAt;
    } else {
      if (from !== -1 && end - from > PIECE_BYTES) {
        flush();
        // `at` is still this entry's start, where the next piece may be guessed.
        if (guessing) continue;
      }
      if (from === -1) from = at;
      to = at = end;
    }
    at = skipSpace(bytes, at);
    const next = bytes[at];
    if (next === COMMA) {
      at = skipSpace(bytes, at + 1);
      continue;
    }
    if (next !== kind.close) throw new SyntaxError(`expected , or ${String.fromCharCode(kind.close)} at byte ${at}`);
    flush();
    return [out, at + 1];
  }
}

/**
 * Where a piece of an array's elements starting at `start` could end, found without following
 * the bytes: the first `},` or `],` between GUESS_FROM and PIECE_BYTES on whose other side the
 * next element starts as this one does (its first bytes up to a colon or 16 bytes, `{"id":` say),
 * so that the piece ends after the closing bracket and the comma follows. Returns where the
 * piece ends (the comma after the bracket), or -1.
 *
 * A guess needs no proof: the piece starts where an element starts, so JSON.parse of it in
 * brackets reads its bytes as the whole text's parse would, and succeeds only if the guessed
 * bracket ends an element of this array, outside every string and nested value. A wrong guess
 * throws, and the caller follows the bytes instead. Following them cost a benchmark page 0.33 ms
 * (a seventh of parsing it); guessing, a few indexOf calls a piece.
 */
function guessedPieceEnd(bytes: Buffer, start: number): number {
  const open = bytes[start];
  if (open !== OPEN_BRACE && open !== OPEN_BRACKET) return -1;
  const ending = open === OPEN_BRACE ? CLOSE_BRACE_COMMA : CLOSE_BRACKET_COMMA;
  const head = bytes.subarray(start, start + GUESS_PREFIX_BYTES);
  const colon = head.indexOf(COLON);
  const prefix = colon === -1 ? head : head.subarray(0, colon + 1);
  // Searched within the window only: a body without a match there must not be searched to its end for every piece.
  const window = bytes.subarray(start + GUESS_FROM, start + PIECE_BYTES);
  for (let at = window.indexOf(ending); at !== -1; at = window.indexOf(ending, at + 1)) {
    const close = start + GUESS_FROM + at;
    const next = skipSpace(bytes, close + 2);
    if (next + prefix.length <= bytes.length && bytes.compare(prefix, 0, prefix.length, next, next + prefix.length) === 0) return close + 1;
  }
  return -1;
}

/** As JSON.parse sets a member: `__proto__` too becomes an own property, not the object's prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * Where the value starting at `start` ends, or -1 when it is an array or object that goes on
 * past `limit`. Only the value's extent is found; JSON.parse checks what is inside it.
 */
function valueEnd(bytes: Buffer, start: number, limit: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start, bytes.length);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return containerEnd(bytes, start, limit);
  let at = start;
  while (at < bytes.length && !endsScalar(bytes[at]!)) at++;
  if (at === start) throw new SyntaxError(`expected a value at byte ${start}`);
  return at;
}

function containerEnd(bytes: Buffer, start: number, limit: number): number {
  const stop = Math.min(limit, bytes.length);
  let depth = 0;
  for (let at = start; at < stop; at++) {
    const byte = bytes[at];
    if (byte === QUOTE) {
      for (at++; at < stop; at++) {
        const inside = bytes[at];
        if (inside === QUOTE) break;
        if (inside === BACKSLASH) at++;
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (--depth === 0) return at + 1;
    }
  }
  if (stop < bytes.length) return -1;
  throw new SyntaxError(`unterminated value from byte ${start}`);
}

function stringEnd(bytes: Buffer, start: number, stop: number): number {
  for (let at = start + 1; at < stop; at++) {
    const byte = bytes[at];
    if (byte === QUOTE) return at + 1;
    if (byte === BACKSLASH) at++;
  }
  throw new SyntaxError(`unterminated string from byte ${start}`);
}

/** JSON's four whitespace bytes and the three that can follow a number or literal. */
function endsScalar(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE || isSpace(byte);
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(bytes: Buffer, from: number): number {
  let at = from;
  while (isSpace(bytes[at])) at++;
  return at;
}

/**
 * Cuts fall on ASCII bytes, never inside a character, so pieces decode as the whole would. ASCII
 * (what many APIs send; Python's json, for one, escapes everything else as \uXXXX) is read as
 * Latin-1, a copy, and other text through ICU (utf8-text.ts): decoding and parsing the pieces of a
 * page with an accented city every few records took 1.3–1.4 ms against 1.6 through Buffer's UTF-8
 * decoder.
 */
function decode(bytes: Buffer, start: number, end: number): string {
  return utf8Text(bytes.subarray(start, end));
}
