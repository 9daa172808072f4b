import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { prepare } from "./prepare";
import { runTogether } from "./processes";
import { buildWorkerBundle, builtWorkerCommand } from "./worker-bundle";

try {
  await prepare();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
if (!existsSync(".next/BUILD_ID")) {
  console.log("No production build yet: running next build…");
  const build = spawnSync("node_modules/.bin/next", ["build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
// Rebuilt at every start (well under a second), so the worker never runs older code than the checkout.
buildWorkerBundle();
runTogether({ web: ["node_modules/.bin/next", ["start"]], worker: builtWorkerCommand });
