import { describe, expect, it } from "vitest";
import { EtlError, StageError, userMessage } from "./errors";

/** An error as postgres.js throws it for a statement PostgreSQL refused. */
const postgresError = (code: string, message: string, detail?: string) => Object.assign(new Error(message), { name: "PostgresError", code, detail });

describe("userMessage", () => {
  it("names what PostgreSQL refused when the run's data or definition caused it", () => {
    expect(userMessage(postgresError("54011", "tables can have at most 1600 columns"))).toBe(
      "The database refused the load (SQLSTATE 54011): tables can have at most 1600 columns.",
    );
    expect(userMessage(postgresError("22008", 'date/time field value out of range: "2024-02-30"'))).toBe(
      'The database refused the load (SQLSTATE 22008): date/time field value out of range: "2024-02-30".',
    );
    expect(userMessage(postgresError("23505", 'duplicate key value violates unique constraint "orders_pkey"', "Key (id)=(1) already exists."))).toBe(
      'The database refused the load (SQLSTATE 23505): duplicate key value violates unique constraint "orders_pkey". Key (id)=(1) already exists.',
    );
    expect(userMessage(postgresError("42804", 'column "amount" is of type bigint but expression is of type text'))).toBe(
      'The database refused the load (SQLSTATE 42804): column "amount" is of type bigint but expression is of type text.',
    );
    expect(userMessage(postgresError("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time"))).toBe(
      "The database refused the load (SQLSTATE 21000): ON CONFLICT DO UPDATE command cannot affect row a second time.",
    );
  });

  it("keeps the first line of each, and a long detail short", () => {
    const row = `Failing row contains (${"x, ".repeat(400)}y).`;
    const message = userMessage(postgresError("23502", 'null value in column "id" violates not-null constraint\nmore', row));
    expect(message).toMatch(/^The database refused the load \(SQLSTATE 23502\): null value in column "id" violates not-null constraint\. Failing row contains \(x, x, /);
    expect(message).not.toContain("more");
    expect(message.length).toBeLessThan(700);
  });

  it("keeps the kind only of what the deployment causes: our own SQL, privileges, connections, internal errors", () => {
    expect(userMessage(postgresError("42601", 'syntax error at or near "SELEC"'))).toBe("The database refused the load (SQLSTATE 42601).");
    expect(userMessage(postgresError("42501", "permission denied for schema datasets"))).toBe("The database refused the load (SQLSTATE 42501).");
    expect(userMessage(postgresError("28P01", 'password authentication failed for user "app"'))).toBe("The database refused the load (SQLSTATE 28P01).");
    expect(userMessage(postgresError("57P01", "terminating connection due to administrator command"))).toBe("The database refused the load (SQLSTATE 57P01).");
    expect(userMessage(postgresError("XX000", "could not read block 0 in file \"base/1/2\""))).toBe("The database refused the load (SQLSTATE XX000).");
    expect(userMessage(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe("Internal error (ECONNREFUSED).");
    expect(userMessage(new Error("secret internals"))).toBe("Internal error.");
  });

  it("passes our own messages through", () => {
    expect(userMessage(new EtlError("The file is empty.", true))).toBe("The file is empty.");
    expect(userMessage(new StageError("load", postgresError("54011", "tables can have at most 1600 columns")))).toBe(
      "The database refused the load (SQLSTATE 54011): tables can have at most 1600 columns.",
    );
  });
});
