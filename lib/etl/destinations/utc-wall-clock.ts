const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A timestamp as a column without time zone should hold it: `YYYY-MM-DD HH:MM:SS[.ffffff]` in
 * UTC, the way datasets store timestamps. MySQL and MariaDB refuse ISO 8601's `T` separator with
 * an offset, and PostgreSQL's `timestamp` silently drops the offset, so it is applied here,
 * keeping up to microseconds (a JavaScript Date would round them to milliseconds). Anything else
 * is returned as is for the server to judge.
 */
export function utcWallClock(value: string | Date): string {
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace("Z", "");
  const match = ISO_TIMESTAMP.exec(value);
  if (!match) return value;
  const [, year, month, day, hour, minute, second = "00", fraction = "", zone] = match;
  const micros = fraction.slice(0, 6);
  const tail = micros ? `.${micros}` : "";
  const offset = zoneMinutes(zone);
  if (offset === 0) return `${year}-${month}-${day} ${hour}:${minute}:${second}${tail}`;
  const utc = new Date(Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute! - offset, +second!));
  return `${utc.toISOString().slice(0, 19).replace("T", " ")}${tail}`;
}

function zoneMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const digits = zone.replace(":", "");
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || "0");
  return zone.startsWith("-") ? -minutes : minutes;
}

