import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildOpenApiDocument } from "@/lib/openapi/document";

/**
 * Lints the OpenAPI document exactly as GET /api/v1/openapi.json serves it, with Redocly's
 * recommended rules as errors (redocly.yaml): the document is generated here, written where the
 * ignore file (.redocly.lint-ignore.yaml) expects it, and handed to `redocly lint`.
 */
const file = "node_modules/.cache/dataflowhub/openapi.json";
mkdirSync(path.dirname(file), { recursive: true });
// A relative server: the served document names the request's own origin.
writeFileSync(file, JSON.stringify(buildOpenApiDocument("/"), null, 2));

const result = spawnSync("node_modules/.bin/redocly", ["lint", file, "--format=stylish"], {
  stdio: "inherit",
  // No network here or in CI: no telemetry, no update check.
  env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
});
process.exit(result.status ?? 1);
