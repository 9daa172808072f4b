import { buildWorkerBundle, WORKER_BUNDLE_DIR } from "./worker-bundle";

buildWorkerBundle();
console.log(`Worker built into ${WORKER_BUNDLE_DIR}.`);
