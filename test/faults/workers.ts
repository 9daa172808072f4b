import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { buildWorkerBundle, builtWorkerCommand } from "../../scripts/worker-bundle";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Timings for worker processes under test: locks expire and stalled runs are taken over within a
 * few seconds, heartbeats and upkeep run every second. Each test adds its own on top.
 */
export const FAST_TIMINGS = {
  WORKER_LOCK_DURATION_MS: "3000",
  WORKER_STALLED_INTERVAL_MS: "1000",
  WORKER_MAX_STALLED_COUNT: "1",
  WORKER_SHUTDOWN_GRACE_MS: "15000",
  WORKER_CONCURRENCY: "1",
  RUN_HEARTBEAT_MS: "500",
  RUN_STALE_AFTER_MS: "4000",
  MAINTENANCE_INTERVAL_MS: "1000",
  RUN_OVERLAP_POLL_MS: "300",
};

type LogLine = { msg?: string; runId?: string; level?: string; [key: string]: unknown };

export type WorkerProcess = Awaited<ReturnType<typeof startWorker>>;

let built = false;

/**
 * A real worker process, started the way production starts it (the worker bundle, built from the
 * checkout by the first call of each test file; one node process, no npx chain, so signals reach
 * it), with this test run's database and Redis. Its JSON log lines are kept for waiting on and for
 * the failure report.
 */
export async function startWorker(name: string, overrides: Record<string, string> = {}) {
  if (!built) buildWorkerBundle();
  built = true;
  const env: NodeJS.ProcessEnv = { NODE_ENV: "test" };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("VITEST") && key !== "NODE_OPTIONS") env[key] = value;
  }
  Object.assign(env, FAST_TIMINGS, { LOG_LEVEL: "info" }, overrides);
  const [command, args] = builtWorkerCommand;
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      raw.push(line);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ msg: line });
      }
    }
    for (const wake of waiters) wake();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve({ code, signal, at: Date.now() });
      for (const wake of waiters) wake();
    }),
  );
  let exitedAt: number | null = null;
  void exited.then(({ at }) => (exitedAt = at));

  const worker = {
    name,
    pid: child.pid!,
    lines,
    exited,
    get alive() {
      return exitedAt === null;
    },
    /** Resolves with the first log line matching, waiting up to `timeoutMs`. */
    async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (exitedAt !== null) throw new Error(`worker ${name} exited before logging what was awaited:\n${raw.slice(-30).join("\n")}`);
        if (Date.now() > deadline) throw new Error(`worker ${name} did not log what was awaited in ${timeoutMs} ms:\n${raw.slice(-30).join("\n")}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 200);
          waiters.add(wake);
        });
      }
    },
    claimed(runId: string): boolean {
      return lines.some((l) => l.runId === runId && l.msg === "run attempt claimed");
    },
    signal(signal: NodeJS.Signals) {
      if (exitedAt === null) process.kill(child.pid!, signal);
    },
    /** kill -9, and wait until the process is gone. */
    async crash() {
      worker.signal("SIGKILL");
      await exited;
    },
    async stop() {
      if (exitedAt !== null) return;
      worker.signal("SIGCONT");
      worker.signal("SIGKILL");
      await exited;
    },
    log(): string {
      return raw.join("\n");
    },
  };
  await worker.waitForLog((l) => l.msg === "consuming runs", 60_000);
  return worker;
}
