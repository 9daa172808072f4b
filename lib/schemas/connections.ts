import { z } from "zod";

/**
 * Saved connections (SPEC "Connections"): credentials for databases and HTTP APIs that jobs refer
 * to by id. Each type has one secret (a password, token or API key); it is write-only: answers
 * carry SECRET_MASK in its place, and sending SECRET_MASK back keeps the stored secret.
 */

export const SECRET_MASK = "••••";

export const connectionTypes = ["postgres", "mysql", "http"] as const;
export const connectionTypeSchema = z.enum(connectionTypes);
export type ConnectionType = z.infer<typeof connectionTypeSchema>;
export type DatabaseConnectionType = Exclude<ConnectionType, "http">;

export const sslModes = ["disable", "require", "verify-full"] as const;
const sslModeSchema = z
  .enum(sslModes)
  .describe("disable: plain TCP; require: TLS without certificate checks; verify-full: TLS with certificate and host name verified");
export type SslMode = z.infer<typeof sslModeSchema>;

const connectionName = z.string().trim().min(1, "name is required").max(120, "at most 120 characters");
const workspaceId = z.uuid().optional().describe("Defaults to the caller's default workspace");
const secret = (what: string) =>
  z.string().min(1).max(4000).describe(`${what}. Write-only: answered as "${SECRET_MASK}"; sending "${SECRET_MASK}" keeps the stored one`);

const defaultPorts: Record<DatabaseConnectionType, number> = { postgres: 5432, mysql: 3306 };
const urlSchemes: Record<DatabaseConnectionType, string[]> = { postgres: ["postgres:", "postgresql:"], mysql: ["mysql:", "mariadb:"] };

const databaseFields = {
  host: z
    .string()
    .trim()
    .min(1)
    .max(255)
    // A path would make the drivers use a Unix socket on the worker's own machine.
    .regex(/^[^/\\\s]+$/, "must be a host name or IP address")
    .describe("Host name or IP address"),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1).max(255),
  user: z.string().min(1).max(255),
};

// Driver options that name files on the machine running the driver (certificates, keys, password
// and service files, sockets): refused by name so the reason is clear.
const FILE_OPTIONS = new Set([
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslcrl",
  "sslcrldir",
  "passfile",
  "service",
  "servicefile",
  "host",
  "hostaddr",
  "socketpath",
  "socket",
  "ssl-ca",
  "ssl-cert",
  "ssl-key",
  "local_infile",
  "localinfile",
]);

/** The address parts of a database URL such as postgres://user:password@host:5432/db?sslmode=require. */
export function parseDatabaseUrl(text: string, type: DatabaseConnectionType) {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("is not a valid URL");
  }
  if (!urlSchemes[type].includes(url.protocol)) throw new Error(`must start with ${urlSchemes[type].map((s) => `${s}//`).join(" or ")}`);
  for (const key of new Set(url.searchParams.keys())) {
    if (key === "sslmode") continue;
    throw new Error(
      FILE_OPTIONS.has(key.toLowerCase())
        ? `${key} would make the driver read a file on DataFlowHub's servers and is refused`
        : `${key} is not supported; sslmode is the only URL option`,
    );
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !(sslModes as readonly string[]).includes(sslmode)) {
    throw new Error(`sslmode must be one of ${sslModes.join(", ")}`);
  }
  const decode = (part: string) => (part ? decodeURIComponent(part) : undefined);
  return {
    host: decode(url.hostname.replace(/^\[(.*)\]$/, "$1")),
    port: url.port ? Number(url.port) : undefined,
    database: decode(url.pathname.replace(/^\//, "")),
    user: decode(url.username),
    password: decode(url.password),
    ssl: (sslmode ?? undefined) as SslMode | undefined,
  };
}

function databaseConnectionSchema<T extends DatabaseConnectionType>(type: T) {
  const label = type === "postgres" ? "PostgreSQL" : "MySQL or MariaDB";
  return z
    .object({
      type: z.literal(type),
      name: connectionName,
      workspaceId,
      url: z
        .string()
        .max(2000)
        .optional()
        .describe(`${urlSchemes[type][0]}//user:password@host:port/database?sslmode=require, instead of the fields; fields sent as well win`),
      host: databaseFields.host.optional().describe("Host name or IP address; required unless url gives it"),
      port: databaseFields.port.optional().describe(`Default ${defaultPorts[type]}`),
      database: databaseFields.database.optional().describe("Required unless url gives it"),
      user: databaseFields.user.optional().describe("Required unless url gives it"),
      password: secret("The password").optional(),
      ssl: sslModeSchema.optional().describe("Default disable"),
    })
    .strict()
    .superRefine((value, ctx) => {
      let fromUrl: Partial<ReturnType<typeof parseDatabaseUrl>> = {};
      if (value.url !== undefined) {
        try {
          fromUrl = parseDatabaseUrl(value.url, type);
        } catch (error) {
          ctx.addIssue({ code: "custom", path: ["url"], message: (error as Error).message });
          return;
        }
      }
      for (const field of ["host", "database", "user"] as const) {
        if (value[field] === undefined && fromUrl[field] === undefined) {
          ctx.addIssue({ code: "custom", path: [field], message: `${field} is required (or give a url)` });
        }
      }
    })
    .describe(`A ${label} server`);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;
const HEADER_NAME_MESSAGE = "must be an HTTP header name";

const headerName = z.string().regex(HEADER_NAME, HEADER_NAME_MESSAGE);

/**
 * Request headers by name, refused as fetch would refuse them (a line break in a value would start
 * another header), each problem at its header's path: a record's own key check only says "Invalid key".
 */
export const headersSchema = z
  .record(z.string(), z.string().max(4000).regex(/^[^\r\n\0]*$/, "must not contain line breaks or NUL characters"))
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: HEADER_NAME_MESSAGE });
    }
  });

export const httpAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("bearer"), token: secret("The token, sent as Authorization: Bearer <token>") }).strict(),
  z
    .object({
      type: z.literal("basic"),
      username: z.string().min(1).max(255).regex(/^[^:]*$/, "must not contain ':'"),
      password: secret("The password, sent with the username as Authorization: Basic"),
    })
    .strict(),
  z
    .object({
      type: z.literal("api_key"),
      header: headerName.default("X-API-Key").describe("The header that carries the key"),
      value: secret("The API key"),
    })
    .strict(),
]);

const httpConnectionSchema = z
  .object({ type: z.literal("http"), name: connectionName, workspaceId, auth: httpAuthSchema })
  .strict()
  .describe("Credentials for HTTP sources: bearer token, basic auth or an API-key header");

export const connectionCreateSchema = z.discriminatedUnion("type", [
  databaseConnectionSchema("postgres"),
  databaseConnectionSchema("mysql"),
  httpConnectionSchema,
]);
export type ConnectionCreate = z.infer<typeof connectionCreateSchema>;

/**
 * PATCH: the fields to change. A `url` replaces the whole address (as on create); a secret equal to
 * SECRET_MASK, or left out, keeps the stored one; `password: null` removes a database password.
 */
export const connectionUpdateSchema = z
  .object({
    name: connectionName.optional(),
    url: z.string().max(2000).optional(),
    host: databaseFields.host.optional(),
    port: databaseFields.port.optional(),
    database: databaseFields.database.optional(),
    user: databaseFields.user.optional(),
    password: secret("The password").nullable().optional(),
    ssl: sslModeSchema.optional(),
    auth: httpAuthSchema.optional(),
  })
  .strict();
export type ConnectionUpdate = z.infer<typeof connectionUpdateSchema>;

/** What is stored in the clear: everything but the secret. */
export type DatabaseConnectionConfig = {
  type: DatabaseConnectionType;
  host: string;
  port: number;
  database: string;
  user: string;
  ssl: SslMode;
};
export type HttpAuthConfig = { type: "bearer" } | { type: "basic"; username: string } | { type: "api_key"; header: string };
export type HttpConnectionConfig = { type: "http"; auth: HttpAuthConfig };
export type ConnectionConfig = DatabaseConnectionConfig | HttpConnectionConfig;

/** A validated create body split into its stored config and its secret (SECRET_MASK: keep the stored one). */
export function splitConnection(input: ConnectionCreate): { config: ConnectionConfig; secret: string | undefined } {
  if (input.type === "http") {
    const { auth } = input;
    switch (auth.type) {
      case "bearer":
        return { config: { type: "http", auth: { type: "bearer" } }, secret: auth.token };
      case "basic":
        return { config: { type: "http", auth: { type: "basic", username: auth.username } }, secret: auth.password };
      case "api_key":
        return { config: { type: "http", auth: { type: "api_key", header: auth.header } }, secret: auth.value };
    }
  }
  const fromUrl: Partial<ReturnType<typeof parseDatabaseUrl>> = input.url === undefined ? {} : parseDatabaseUrl(input.url, input.type);
  return {
    config: {
      type: input.type,
      host: (input.host ?? fromUrl.host)!,
      port: input.port ?? fromUrl.port ?? defaultPorts[input.type],
      database: (input.database ?? fromUrl.database)!,
      user: (input.user ?? fromUrl.user)!,
      ssl: input.ssl ?? fromUrl.ssl ?? "disable",
    },
    secret: input.password ?? fromUrl.password,
  };
}

const mask = z.literal(SECRET_MASK);
const storedFields = {
  id: z.uuid(),
  workspaceId: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};
const databaseConnectionOut = <T extends DatabaseConnectionType>(type: T) =>
  z.object({
    ...storedFields,
    type: z.literal(type),
    ...databaseFields,
    ssl: sslModeSchema,
    password: mask.nullable().describe("Masked; null when no password is stored"),
  });

export const connectionSchema = z.discriminatedUnion("type", [
  databaseConnectionOut("postgres"),
  databaseConnectionOut("mysql"),
  z.object({
    ...storedFields,
    type: z.literal("http"),
    auth: z.discriminatedUnion("type", [
      z.object({ type: z.literal("bearer"), token: mask }),
      z.object({ type: z.literal("basic"), username: z.string(), password: mask }),
      z.object({ type: z.literal("api_key"), header: z.string(), value: mask }),
    ]),
  }),
]);
export type Connection = z.infer<typeof connectionSchema>;

export const connectionListQuerySchema = z.object({
  q: z.string().max(200).optional().describe("Search in names"),
  type: connectionTypeSchema.optional(),
});

export const connectionTestSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http or https URL" })
      .max(4000)
      .optional()
      .describe("http connections: the URL to call with the credentials"),
  })
  .strict();

export const connectionTestResultSchema = z.object({
  ok: z.boolean(),
  message: z.string().describe("The server's version on success; the driver's or server's error otherwise"),
  durationMs: z.number().int(),
});
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;
