import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";

type JsonSchema = {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};
type Operation = { requestBody?: { content: Record<string, { schema?: JsonSchema }> } };

const document = buildOpenApiDocument("/") as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
};

/** The JSON request bodies the document describes, by operation. */
const bodies = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).flatMap(([method, operation]) => {
    const schema = operation.requestBody?.content["application/json"]?.schema;
    return schema ? [{ operation: `${method.toUpperCase()} ${path}`, schema }] : [];
  }),
);

/** Where an object lets unknown keys through: the operation, then the path into its body (|n: a union's nth option, []: items, {}: values). */
function openObjects(schema: JsonSchema, at: string, seen = new Set<JsonSchema>()): string[] {
  const node = schema.$ref ? document.components.schemas[schema.$ref.replace("#/components/schemas/", "")]! : schema;
  if (seen.has(node)) return [];
  seen.add(node);
  const open = node.properties && node.additionalProperties !== false ? [at] : [];
  const children = [
    ...Object.entries(node.properties ?? {}).map(([key, child]) => [`${at}.${key}`, child] as const),
    ...[...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])].map((child, i) => [`${at}|${i}`, child] as const),
    ...(node.items ? [[`${at}.[]`, node.items] as const] : []),
    ...(typeof node.additionalProperties === "object" ? [[`${at}.{}`, node.additionalProperties] as const] : []),
  ];
  return [...open, ...children.flatMap(([path, child]) => openObjects(child, path, seen))];
}

describe("request bodies", () => {
  it("are described for every route that reads JSON", () => {
    expect(bodies.map((b) => b.operation)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/jobs",
        "PATCH /api/v1/jobs/{id}",
        "POST /api/v1/preview",
        "POST /api/v1/connections",
        "PATCH /api/v1/connections/{id}",
        "POST /api/v1/users",
        "PATCH /api/v1/users/{id}",
        "POST /api/v1/workspaces",
        "POST /api/v1/tokens",
        "POST /api/v1/auth/token",
      ]),
    );
  });

  it("refuse unknown keys in every object, nested ones included", () => {
    expect(bodies.flatMap(({ operation, schema }) => openObjects(schema, operation))).toEqual([]);
  });
});
