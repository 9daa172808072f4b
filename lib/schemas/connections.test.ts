import { describe, expect, it } from "vitest";
import { connectionCreateSchema, parseDatabaseUrl, SECRET_MASK, splitConnection } from "./connections";

function issues(input: unknown) {
  const result = connectionCreateSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("connectionCreateSchema and splitConnection", () => {
  it("keeps the password apart from what is stored in the clear, with defaults filled in", () => {
    const input = connectionCreateSchema.parse({
      type: "postgres",
      name: " Warehouse ",
      host: "db.internal",
      database: "shop",
      user: "etl",
      password: "s3cret",
    });
    expect(splitConnection(input)).toEqual({
      config: { type: "postgres", host: "db.internal", port: 5432, database: "shop", user: "etl", ssl: "disable" },
      secret: "s3cret",
    });
    expect(input.name).toBe("Warehouse");
  });

  it("takes the address from a URL, fields sent as well winning", () => {
    const input = connectionCreateSchema.parse({
      type: "mysql",
      name: "Shop",
      url: "mysql://shop%40ro:p%3Ass@10.0.0.5:3307/orders?sslmode=require",
      database: "orders_v2",
    });
    expect(splitConnection(input)).toEqual({
      config: { type: "mysql", host: "10.0.0.5", port: 3307, database: "orders_v2", user: "shop@ro", ssl: "require" },
      secret: "p:ss",
    });
  });

  it("requires host, database and user unless the URL gives them", () => {
    expect(issues({ type: "postgres", name: "x" })).toEqual([
      { path: "host", message: "host is required (or give a url)" },
      { path: "database", message: "database is required (or give a url)" },
      { path: "user", message: "user is required (or give a url)" },
    ]);
    expect(issues({ type: "postgres", name: "x", url: "postgres://db.internal" })).toEqual([
      { path: "database", message: "database is required (or give a url)" },
      { path: "user", message: "user is required (or give a url)" },
    ]);
  });

  it("rejects a URL of another database, a bad sslmode and unknown fields", () => {
    expect(issues({ type: "postgres", name: "x", url: "mysql://u@h/db" })).toEqual([
      { path: "url", message: "must start with postgres:// or postgresql://" },
    ]);
    expect(issues({ type: "postgres", name: "x", url: "postgres://u@h/db?sslmode=prefer" })).toEqual([
      { path: "url", message: "sslmode must be one of disable, require, verify-full" },
    ]);
    expect(issues({ type: "mysql", name: "x", host: "h", database: "d", user: "u", auth: { type: "bearer", token: "t" } })).toEqual([
      { path: "", message: 'Unrecognized key: "auth"' },
    ]);
  });

  it("splits each HTTP auth type into its stored part and its secret", () => {
    const split = (auth: unknown) => splitConnection(connectionCreateSchema.parse({ type: "http", name: "API", auth }));
    expect(split({ type: "bearer", token: "tok" })).toEqual({ config: { type: "http", auth: { type: "bearer" } }, secret: "tok" });
    expect(split({ type: "basic", username: "ada", password: "pw" })).toEqual({
      config: { type: "http", auth: { type: "basic", username: "ada" } },
      secret: "pw",
    });
    expect(split({ type: "api_key", value: "k-1" })).toEqual({
      config: { type: "http", auth: { type: "api_key", header: "X-API-Key" } },
      secret: "k-1",
    });
  });

  it("validates HTTP auth fields", () => {
    expect(issues({ type: "http", name: "API", auth: { type: "basic", username: "a:b", password: "pw" } })).toEqual([
      { path: "auth.username", message: "must not contain ':'" },
    ]);
    expect(issues({ type: "http", name: "API", auth: { type: "api_key", header: "X Key", value: "k" } })).toEqual([
      { path: "auth.header", message: "must be an HTTP header name" },
    ]);
    expect(issues({ type: "http", name: "API", auth: { type: "bearer", token: "" } })[0]?.path).toBe("auth.token");
  });

  it("passes the mask through so the service can keep the stored secret", () => {
    const input = connectionCreateSchema.parse({ type: "http", name: "API", auth: { type: "bearer", token: SECRET_MASK } });
    expect(splitConnection(input).secret).toBe(SECRET_MASK);
  });
});

describe("parseDatabaseUrl", () => {
  it("reads every part, IPv6 hosts included, and leaves missing ones undefined", () => {
    expect(parseDatabaseUrl("postgresql://[::1]:6543/analytics", "postgres")).toEqual({
      host: "::1",
      port: 6543,
      database: "analytics",
      user: undefined,
      password: undefined,
      ssl: undefined,
    });
    expect(() => parseDatabaseUrl("not a url", "mysql")).toThrow("is not a valid URL");
  });
});
