/**
 * Worker processes for the benchmarks: the production worker (the bundle of worker/index.ts that
 * `npm start` and the Docker image run, built here on first use), one process each, and their
 * memory. Peak RSS is the kernel's high-water mark (VmHWM), reset before each measured run by
 * writing 5 to /proc/<pid>/clear_refs, so no spike between samples is missed and each run gets
 * its own figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { buildWorkerBundle, builtWorkerCommand } from "../scripts/worker-bundle";

let built = false;

export function startWorker(env: Record<string, string>): ChildProcess {
  // Built from the checkout as it is: a bundle left over from an older build would measure older code.
  if (!built) buildWorkerBundle();
  built = true;
  const [command, args] = builtWorkerCommand;
  return spawn(command, args, {
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, "5");
}

export const peakRssMb = (pid: number) => statusMb(pid, "VmHWM");
export const currentRssMb = (pid: number) => statusMb(pid, "VmRSS");

async function statusMb(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) / 1024;
}
