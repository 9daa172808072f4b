import { describe, expect, it } from "vitest";
import { transformStepSchema } from "@/lib/schemas/jobs";
import { stepDefaults, stepOps } from "./step-ops";
import { formatFillValue, parseFillValue } from "./transform-step-fields";

describe("parseFillValue / formatFillValue", () => {
  it("types numbers and booleans, keeps other text, and quoted text as text", () => {
    expect(parseFillValue("0")).toBe(0);
    expect(parseFillValue(" 2.5 ")).toBe(2.5);
    expect(parseFillValue("true")).toBe(true);
    expect(parseFillValue("false")).toBe(false);
    expect(parseFillValue("unknown")).toBe("unknown");
    expect(parseFillValue('"0"')).toBe("0");
    expect(parseFillValue("")).toBe("");
  });

  it("writes back text that would read as a number or boolean in quotes", () => {
    expect(formatFillValue("0")).toBe('"0"');
    expect(formatFillValue("true")).toBe('"true"');
    expect(formatFillValue("n/a")).toBe("n/a");
    expect(formatFillValue(0)).toBe("0");
    for (const value of ["0", "true", "n/a", 3, false]) expect(parseFillValue(formatFillValue(value))).toBe(value);
  });
});

describe("stepDefaults", () => {
  it("offers every op of the schema, once", () => {
    const schemaOps = transformStepSchema.options.map((option) => option.shape.op.value).sort();
    expect(stepOps.map((o) => o.value).sort()).toEqual(schemaOps);
  });

  it("starts each op with its own shape: complete where nothing is to choose, else waiting for the user", () => {
    const complete = stepOps.filter((o) => transformStepSchema.safeParse(stepDefaults(o.value)).success).map((o) => o.value);
    expect(complete.sort()).toEqual(["dedupe", "limit", "normalize"]);
    for (const { value } of stepOps) expect(stepDefaults(value).op).toBe(value);
  });
});
