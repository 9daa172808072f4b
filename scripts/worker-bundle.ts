import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildSync, type OutputFile } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");

/** Where the production worker is built: its process entry and, beside it, its run threads' entry. */
export const WORKER_BUNDLE_DIR = path.join(root, "dist", "worker");

/**
 * Bundles the worker (worker/index.ts) and its run thread (lib/etl/run-thread.ts) into plain
 * JavaScript, packages left to node_modules. Started with plain `node`, the worker skips tsx: no
 * module-hooks thread (a V8 isolate of its own in Node 20) and no TypeScript compiled in each
 * isolate at start: an idle worker went from 270 to 160 MB. Takes well under a second. Code
 * split: what only one of them imports, or imports lazily, stays out of the other's memory.
 */
export function bundleWorker(): OutputFile[] {
  return buildSync({
    absWorkingDir: root,
    entryPoints: { index: "worker/index.ts", "run-thread": "lib/etl/run-thread.ts" },
    outdir: WORKER_BUNDLE_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    splitting: true,
    logLevel: "warning",
    write: false,
  }).outputFiles;
}

/**
 * Writes the bundle into WORKER_BUNDLE_DIR. Each file is written beside its target and renamed
 * over it, so a worker starting meanwhile (a test, a second benchmark) reads either the old
 * bundle or the new one, never half a file; then the chunks of earlier builds are removed.
 */
export function buildWorkerBundle(): void {
  const outputFiles = bundleWorker();
  mkdirSync(WORKER_BUNDLE_DIR, { recursive: true });
  for (const file of outputFiles) {
    const staged = `${file.path}.${process.pid}.tmp`;
    writeFileSync(staged, file.contents);
    renameSync(staged, file.path);
  }
  const current = new Set(outputFiles.map((file) => path.basename(file.path)));
  for (const name of readdirSync(WORKER_BUNDLE_DIR)) {
    if (name.endsWith(".mjs") && !current.has(name)) rmSync(path.join(WORKER_BUNDLE_DIR, name), { force: true });
  }
}

/**
 * Node options of the production worker process. `server-only` resolves to its server build
 * under react-server. The main thread only coordinates (queues, timers, messages from run
 * threads) and allocates little: V8's default young generation (two semi-spaces growing to
 * 16 MB each) only held garbage there, about 30 MB of resident memory. Run threads get a young
 * generation of their own (lib/etl/isolated-run.ts).
 */
export const WORKER_NODE_OPTIONS = ["--conditions=react-server", "--max-semi-space-size=2"];

/** The production worker's command: the bundle, built by buildWorkerBundle (npm run build:worker). */
export const builtWorkerCommand: [string, string[]] = [process.execPath, [...WORKER_NODE_OPTIONS, path.join(WORKER_BUNDLE_DIR, "index.mjs")]];
