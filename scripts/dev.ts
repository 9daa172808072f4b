import { prepare, workerCommand } from "./prepare";
import { runTogether } from "./processes";

try {
  await prepare();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
runTogether({ web: ["node_modules/.bin/next", ["dev"]], worker: workerCommand });
