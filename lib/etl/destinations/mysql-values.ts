import { EtlError } from "@/lib/etl/errors";

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A timestamp as MySQL's DATETIME reads it: `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC. MySQL and
 * MariaDB refuse ISO 8601's `T` separator with an offset, so offsets are applied here, keeping up
 * to microseconds (a JavaScript Date would round them to milliseconds). Anything else is returned
 * as is for the server to judge.
 */
export function toMysqlDatetime(value: string | Date): string {
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

/**
 * A value as a MySQL literal for a multi-row INSERT. Booleans become 1/0 (MySQL's BOOLEAN is a
 * TINYINT and refuses 'true'); objects and arrays become JSON text; `escape` quotes strings.
 */
export function mysqlLiteral(value: unknown, escape: (text: string) => string, column: string): string {
  if (value === null || value === undefined) return "NULL";
  switch (typeof value) {
    case "boolean":
      return value ? "1" : "0";
    case "number":
      if (!Number.isFinite(value)) throw new EtlError(`Column "${column}" holds ${value}, which MySQL cannot store.`, true);
      return String(value);
    case "bigint":
      return String(value);
    case "string":
      return escape(value);
    default:
      return value instanceof Date ? escape(toMysqlDatetime(value)) : escape(JSON.stringify(value));
  }
}
