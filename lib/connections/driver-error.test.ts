import { describe, expect, it } from "vitest";
import { EtlError } from "@/lib/etl/errors";
import { driverError } from "./driver-error";

const postgresError = (code: string, message: string) => Object.assign(new Error(message), { name: "PostgresError", code });

describe("driverError", () => {
  it("keeps the server's words and SQLSTATE, first line only; permanent unless retrying can help", () => {
    expect(driverError(postgresError("42601", 'syntax error at or near "SELEC"\nLINE 1: SELEC 1'), "PostgreSQL")).toEqual(
      new EtlError('PostgreSQL error 42601: syntax error at or near "SELEC"', true),
    );
    const deadlock = driverError(postgresError("40P01", "deadlock detected"), "PostgreSQL");
    expect([deadlock.message, deadlock.permanent]).toEqual(["PostgreSQL error 40P01: deadlock detected", false]);
    expect(driverError(postgresError("57014", "canceling statement due to statement timeout"), "PostgreSQL").permanent).toBe(true);
    const refused = driverError(Object.assign(new Error("Access denied for user 'etl'@'10.0.0.1' (using password: YES)"), {
      code: "ER_ACCESS_DENIED_ERROR",
      sqlState: "28000",
      sqlMessage: "Access denied for user 'etl'@'10.0.0.1' (using password: YES)",
    }), "MySQL");
    expect([refused.message, refused.permanent]).toEqual(["MySQL error 28000: Access denied for user 'etl'@'10.0.0.1' (using password: YES)", true]);
  });

  it("reports network failures as transient", () => {
    const error = driverError(Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" }), "PostgreSQL");
    expect([error.message, error.permanent]).toEqual(["Could not reach PostgreSQL: connect ECONNREFUSED 10.0.0.5:5432", false]);
  });

  it("blanks out the connection's secret should a server echo it", () => {
    const error = driverError(postgresError("28P01", 'password "hunter2-x" rejected for user "etl"'), "PostgreSQL", "hunter2-x");
    expect(error.message).toBe('PostgreSQL error 28P01: password "••••" rejected for user "etl"');
  });

  it("passes our own errors through unchanged", () => {
    const own = new EtlError("The connection is gone.", true);
    expect(driverError(own, "MySQL")).toBe(own);
  });
});
