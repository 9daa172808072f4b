/**
 * Worker processes for the benchmark: the production entry (worker/index.ts), one process each,
 * and their memory. Peak RSS is the kernel's high-water mark (VmHWM), reset before each measured
 * run by writing 5 to /proc/<pid>/clear_refs, so no spike between samples is missed and each run
 * gets its own figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";

export function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "worker/index.ts"], {
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
