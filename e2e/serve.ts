import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { prepare, workerCommand } from "../scripts/prepare";
import { runTogether } from "../scripts/processes";
import { removeE2eState } from "./cleanup";

/**
 * The e2e stack, started by playwright.config.ts with the environment it chose: migrate and seed
 * the e2e database, build into NEXT_DIST_DIR, then run `next start` and the worker together.
 * E2E_REUSE_BUILD=1 skips the build when one exists (for quick reruns while writing tests).
 */
const port = process.env.E2E_PORT ?? "3100";
const distDir = process.env.NEXT_DIST_DIR ?? ".next";

// Playwright runs the global teardown only if the server came up: a failed start cleans up here.
async function fail(message: string, code = 1): Promise<never> {
  console.error(message);
  await removeE2eState().catch((error) => console.error("Cleanup failed:", error));
  process.exit(code);
}

try {
  await prepare();
} catch (error) {
  await fail((error as Error).message);
}

const haveBuild = existsSync(path.join(distDir, "BUILD_ID"));
if (process.env.E2E_REUSE_BUILD === "1" && haveBuild) {
  console.log(`Reusing the build in ${distDir}.`);
} else {
  console.log(`Building the app into ${distDir}…`);
  const build = spawnSync("node_modules/.bin/next", ["build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (build.status !== 0) await fail("next build failed.", build.status ?? 1);
}

// The global teardown cleans up while the stack still runs; once it has stopped, make sure
// nothing the worker wrote in between (or a run that never got to the teardown) is left behind.
runTogether(
  {
    web: ["node_modules/.bin/next", ["start", "-p", port, "-H", "127.0.0.1"]],
    worker: workerCommand,
  },
  { onStopped: () => removeE2eState() },
);
