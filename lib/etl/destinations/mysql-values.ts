import { EtlError } from "@/lib/etl/errors";
import { utcWallClock } from "./utc-wall-clock";

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
      return value instanceof Date ? escape(utcWallClock(value)) : escape(JSON.stringify(value));
  }
}
