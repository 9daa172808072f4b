import { describe, expect, it } from "vitest";
import { conflictMessage, describeDrift, describeReplacement, fit, planSchema } from "./dataset-schema";

describe("fit (a run's type into a dataset column's type)", () => {
  it.each([
    ["integer", "integer", "store"],
    ["number", "integer", "store"],
    ["timestamp", "date", "store"],
    ["string", "integer", "store"],
    ["string", "json", "store"],
    ["integer", "number", "widen"],
    ["date", "timestamp", "widen"],
    ["integer", "string", "conflict"],
    ["boolean", "integer", "conflict"],
    ["json", "string", "conflict"],
    ["date", "integer", "conflict"],
  ] as const)("dataset %s, run %s → %s", (dataset, run, expected) => {
    expect(fit(dataset, run)).toBe(expected);
  });
});

describe("planSchema", () => {
  const existing = [
    { name: "id", type: "integer" as const },
    { name: "amount", type: "integer" as const },
    { name: "note", type: "string" as const },
  ];

  it("adds new columns after the existing ones, widens where needed and lists absent ones", () => {
    const plan = planSchema(existing, [
      { name: "id", type: "integer", empty: false },
      { name: "amount", type: "number", empty: false },
      { name: "email", type: "string", empty: false },
    ]);
    expect(plan).toEqual({
      columns: [
        { name: "id", type: "integer" },
        { name: "amount", type: "number" },
        { name: "note", type: "string" },
        { name: "email", type: "string" },
      ],
      added: [{ name: "email", type: "string" }],
      widened: [{ name: "amount", from: "integer", to: "number" }],
      missing: ["note"],
      conflicts: [],
    });
    expect(existing[1]).toEqual({ name: "amount", type: "integer" });
  });

  it("reports conflicts, and lets a column of only nulls fit any type", () => {
    const plan = planSchema(existing, [
      { name: "id", type: "string", empty: false },
      { name: "amount", type: "string", empty: true },
      { name: "note", type: "boolean", empty: false },
    ]);
    expect(plan.conflicts).toEqual([{ name: "id", dataset: "integer", run: "string" }]);
    expect(plan.widened).toEqual([]);
  });
});

describe("messages", () => {
  it("names every conflicting column with both types", () => {
    expect(conflictMessage([{ name: "id", dataset: "integer", run: "string" }, { name: "at", dataset: "date", run: "boolean" }])).toBe(
      'Type conflict with the existing dataset: column "id" is integer in the dataset but string in this run; ' +
        'column "at" is date in the dataset but boolean in this run. Nothing was loaded. ' +
        "Add a cast step to convert the values, or run once in replace mode to redefine the dataset.",
    );
  });

  it("describes drift in one line, or nothing when there is none", () => {
    expect(describeDrift({ added: [], widened: [], missing: [] })).toBeNull();
    expect(
      describeDrift({
        added: [{ name: "a", type: "string" }, { name: "b", type: "json" }],
        widened: [{ name: "n", from: "integer", to: "number" }],
        missing: ["old"],
      }),
    ).toBe('Schema drift: new columns "a" (string), "b" (json) added; column "n" widened from integer to number; column "old" absent from this run (null in its rows).');
    expect(describeReplacement([{ name: "a", type: "integer" }], [{ name: "a", type: "integer" }])).toBeNull();
    expect(
      describeReplacement(
        [{ name: "a", type: "integer" }, { name: "gone", type: "string" }],
        [{ name: "a", type: "string" }, { name: "new", type: "date" }],
      ),
    ).toBe('Schema drift: the replaced dataset\'s columns changed: added "new" (date); removed "gone"; retyped "a" from integer to string.');
  });
});
