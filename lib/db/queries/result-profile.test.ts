import { describe, expect, it } from "vitest";
import { bucketLayout } from "./result-profile";

describe("bucketLayout", () => {
  it("gives small integer ranges one bucket per value", () => {
    const layout = bucketLayout(3, 6, "integer");
    expect(layout.edges).toEqual({ lo: 3, hi: 7, buckets: 4 });
    expect(layout.bounds).toEqual([
      { from: 3, to: 3 },
      { from: 4, to: 4 },
      { from: 5, to: 5 },
      { from: 6, to: 6 },
    ]);
  });

  it("splits wider integer ranges into ten buckets of whole numbers that do not overlap", () => {
    const layout = bucketLayout(0, 59, "integer");
    expect(layout.edges).toEqual({ lo: 0, hi: 59, buckets: 10 });
    expect(layout.bounds[0]).toEqual({ from: 0, to: 5 });
    expect(layout.bounds[1]).toEqual({ from: 6, to: 11 });
    expect(layout.bounds[9]).toEqual({ from: 54, to: 59 });
    for (let i = 1; i < 10; i++) expect(layout.bounds[i]!.from).toBe(layout.bounds[i - 1]!.to + 1);
  });

  it("splits numbers into ten equal widths ending at max", () => {
    const layout = bucketLayout(-1.25, 13.75, "number");
    expect(layout.edges).toEqual({ lo: -1.25, hi: 13.75, buckets: 10 });
    expect(layout.bounds[0]).toEqual({ from: -1.25, to: 0.25 });
    expect(layout.bounds[9]!.to).toBe(13.75);
  });
});
