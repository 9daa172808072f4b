/**
 * How database values become record values. Exact text wins over lossy JavaScript types:
 * timestamps stay as the server prints them (microseconds and offsets intact; type inference
 * still recognises them), and numerics become numbers only when a double holds them exactly.
 */

/** Up to 15 significant digits always survive a round trip through a double. */
const MAX_EXACT_DIGITS = 15;

export function numericValue(text: string): number | string {
  const match = /^-?0*(\d*)\.?(\d*?)0*$/.exec(text);
  if (!match || !/^-?\d+(\.\d+)?$/.test(text)) return text;
  const digits = (match[1]! + match[2]!).replace(/^0+/, "");
  return digits.length <= MAX_EXACT_DIGITS ? Number(text) : text;
}

export function bigintValue(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
