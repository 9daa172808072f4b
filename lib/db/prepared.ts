import "server-only";
import type { Db } from "./client";

/**
 * A drizzle prepared statement, built once per database client on first use. Beyond skipping
 * drizzle's query building, it makes postgres.js name the statement: PostgreSQL parses it once
 * per connection and each later execution is one round trip, where an unnamed statement with
 * parameters costs two (describe, then bind and execute).
 */
export function prepared<T>(build: (db: Db) => T): (db: Db) => T {
  const statements = new WeakMap<Db, T>();
  return (db) => {
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db);
      statements.set(db, statement);
    }
    return statement;
  };
}
