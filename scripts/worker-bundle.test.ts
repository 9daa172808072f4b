import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleWorker } from "./worker-bundle";

const files = new Map(bundleWorker().map((file) => [path.basename(file.path), file.text]));

/** Every module a bundle file loads at start: its static imports, followed through the bundle's own chunks. */
function loadedAtStart(entry: string, seen = new Set<string>()): Set<string> {
  const text = files.get(entry);
  if (text === undefined) throw new Error(`the bundle has no ${entry}; it has ${[...files.keys()].join(", ")}`);
  for (const [, specifier] of text.matchAll(/^import\s(?:[^;"]*?\sfrom\s*)?"([^"]+)";/gm)) {
    if (seen.has(specifier!)) continue;
    seen.add(specifier!);
    if (specifier!.startsWith("./")) loadedAtStart(specifier!.slice(2), seen);
  }
  return seen;
}

describe("worker bundle", () => {
  it("has the process entry and, beside it, the run threads' entry that isolated-run starts", () => {
    expect(files.has("index.mjs")).toBe(true);
    expect(files.has("run-thread.mjs")).toBe(true);
    expect(files.get("index.mjs")).toContain('new URL("./run-thread.mjs", import.meta.url)');
  });

  it("keeps the engine's packages out of the main thread and loads them in run threads", () => {
    const engine = ["arquero", "mysql2", "csv-parse", "acorn"];
    const main = loadedAtStart("index.mjs");
    expect(main).toContain("bullmq");
    expect([...engine, "exceljs"].filter((name) => main.has(name))).toEqual([]);
    expect(engine.filter((name) => !loadedAtStart("run-thread.mjs").has(name))).toEqual([]);
  });

  it("loads exceljs in a run thread only when a run reads a workbook", () => {
    const xlsx = [...files.keys()].find((name) => name.startsWith("file-xlsx-"));
    expect(xlsx).toBeDefined();
    expect(loadedAtStart("run-thread.mjs").has("exceljs")).toBe(false);
    expect(loadedAtStart(xlsx!).has("exceljs")).toBe(true);
    expect([...files.values()].some((text) => text.includes(`import("./${xlsx}")`))).toBe(true);
  });
});
