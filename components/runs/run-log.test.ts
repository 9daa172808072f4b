import { describe, expect, it } from "vitest";
import { logAsText } from "./run-log";

describe("logAsText", () => {
  it("writes one line per entry: time, padded level, message and data", () => {
    const text = logAsText([
      { id: 1, ts: "2026-01-02T03:04:05.000Z", level: "info", message: "Attempt 1 of 3 started.", data: { attempt: 1 } },
      { id: 2, ts: "2026-01-02T03:04:06.000Z", level: "error", message: "extract failed: HTTP 404", data: null },
    ]);
    expect(text).toBe(
      '2026-01-02T03:04:05.000Z INFO  Attempt 1 of 3 started. {"attempt":1}\n2026-01-02T03:04:06.000Z ERROR extract failed: HTTP 404\n',
    );
    expect(logAsText([])).toBe("");
  });
});
