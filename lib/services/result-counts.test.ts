import { describe, expect, it, vi } from "vitest";
import { rememberedCount } from "./result-counts";

describe("rememberedCount", () => {
  it("counts a key once, shares a count in flight, and counts again for another key", async () => {
    const count = vi.fn(async () => ({ count: 42, exact: true }));
    const [a, b] = await Promise.all([rememberedCount("t@v1|city=Lisbon", count), rememberedCount("t@v1|city=Lisbon", count)]);
    expect(await rememberedCount("t@v1|city=Lisbon", count)).toEqual({ count: 42, exact: true });
    expect([a, b]).toEqual([{ count: 42, exact: true }, { count: 42, exact: true }]);
    expect(count).toHaveBeenCalledTimes(1);
    await rememberedCount("t@v2|city=Lisbon", count);
    expect(count).toHaveBeenCalledTimes(2);
  });

  it("forgets a count that failed", async () => {
    await expect(rememberedCount("failing", async () => Promise.reject(new Error("connection lost")))).rejects.toThrow("connection lost");
    expect(await rememberedCount("failing", async () => ({ count: 7, exact: false }))).toEqual({ count: 7, exact: false });
  });

  it("keeps the 1000 most recently used keys", async () => {
    const count = vi.fn(async () => ({ count: 1, exact: true }));
    await rememberedCount("first", count);
    for (let i = 0; i < 999; i++) await rememberedCount(`filler ${i}`, count);
    await rememberedCount("first", count); // used again: now the most recent
    await rememberedCount("one more", count); // drops "filler 0", the least recently used
    count.mockClear();
    await rememberedCount("first", count);
    expect(count).toHaveBeenCalledTimes(0);
    await rememberedCount("filler 0", count);
    expect(count).toHaveBeenCalledTimes(1);
  });
});
