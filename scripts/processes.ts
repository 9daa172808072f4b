import { spawn, type ChildProcess } from "node:child_process";

type Options = {
  /** Runs once every child has exited (or after 10 s), before this process exits. */
  onStopped?: () => Promise<void>;
};

/** Runs web and worker side by side, prefixing their output, and stops both when either exits. */
export function runTogether(commands: Record<string, [string, string[]]>, options: Options = {}): void {
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    const exited = Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    const timeout = new Promise((r) => setTimeout(r, 10_000).unref());
    void Promise.race([exited, timeout])
      .then(() => options.onStopped?.())
      .catch((error) => console.error(error))
      .finally(() => process.exit(code));
  };
  for (const [name, [command, args]] of Object.entries(commands)) {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env } });
    const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line) stream.write(`[${name}] ${line}\n`);
    };
    child.stdout?.on("data", prefix(process.stdout));
    child.stderr?.on("data", prefix(process.stderr));
    child.on("exit", (code) => {
      if (!stopping) console.error(`[${name}] exited with code ${code}; stopping.`);
      stopAll(code ?? 1);
    });
    children.push(child);
  }
  process.once("SIGINT", () => stopAll(0));
  process.once("SIGTERM", () => stopAll(0));
}
