import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { prepare, workerCommand } from "./prepare";
import { runTogether } from "./processes";

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
runTogether({ web: ["node_modules/.bin/next", ["start"]], worker: workerCommand });
