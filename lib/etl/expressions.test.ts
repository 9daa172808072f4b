import { afterEach, describe, expect, it } from "vitest";
import { analyzeExpression, expressionProblem } from "./expressions";

describe("analyzeExpression: the safe subset", () => {
  it.each<[string, string[], boolean, boolean]>([
    ["d => d.amount > 0", ["amount"], false, false],
    ["(d) => d.total * 1.2", ["total"], false, false],
    ["d.amount > 0", ["amount"], false, false],
    ["row => row.a + row.b", ["a", "b"], false, false],
    ['d => d["customer.name"] + " " + d["last name"]', ["customer.name", "last name"], false, false],
    ["d => op.lower(op.trim(d.email))", ["email"], false, false],
    ["d => d.status === 'paid' && (d.amount >= 10 || !d.refunded)", ["status", "amount", "refunded"], false, false],
    ["d => d.discount ?? 0", ["discount"], false, false],
    ["d => d.qty > 0 ? d.price / d.qty : null", ["qty", "price"], false, false],
    ["d => typeof d.x === 'string'", ["x"], false, false],
    ["d => -d.x + ~d.y", ["x", "y"], false, false],
    ["d => op.includes(['a', 'b'], d.code)", ["code"], false, false],
    ["d => op.recode(d.code, { a: 'Alpha', 'b': 'Beta' }, 'Other')", ["code"], false, false],
    ["d => op.match(d.sku, /^[A-Z]+-(\\d+)$/, 1)", ["sku"], false, false],
    ["d => op.padstart(d.id, 8, '0')", ["id"], false, false],
    ["d => op.year(op.parse_date(d.created_at))", ["created_at"], false, false],
    ["d => Infinity > d.x && d.y !== NaN && d.z !== undefined", ["x", "y", "z"], false, false],
    ["d => 10n", [], false, false],
    ["d => d.amount / op.sum(d.amount)", ["amount"], true, false],
    ["d => op.row_number()", [], false, true],
    ["d => op.lag(d.value, 1)", ["value"], false, true],
  ])("accepts %s", (expression, columns, aggregates, windows) => {
    expect(analyzeExpression(expression)).toEqual({ columns, aggregates, windows });
  });

  it.each<[string, string[]]>([
    ["op.sum(d.amount)", ["amount"]],
    ["d => op.count()", []],
    ["op.mean(d.price) * 2", ["price"]],
    ["op.max(d.a) - op.min(d.b)", ["a", "b"]],
    ["op.distinct(d.customer)", ["customer"]],
    ["op.sum(d.amount) / op.count()", ["amount"]],
  ])("accepts the aggregate metric %s", (expression, columns) => {
    expect(analyzeExpression(expression, "aggregate")).toEqual({ columns, aggregates: true, windows: false });
  });
});

/**
 * Expressions that try to leave arquero's safe subset. None may pass, and none may run while being
 * checked: each would set globalThis.__pwned if it were ever executed.
 */
const MALICIOUS: [string, string][] = [
  ["d => process.exit(1)", "only op.* functions may be called"],
  ["d => process.env.DATABASE_URL", 'reading properties of "process" is not allowed'],
  ["process", '"process" is not allowed'],
  ["d => globalThis.__pwned = 1", "assignments are not allowed"],
  ["d => globalThis", '"globalThis" is not allowed'],
  ["d => global.process", 'reading properties of "global" is not allowed'],
  ["d => this", '"this" is not allowed'],
  ["d => this.constructor.constructor('globalThis.__pwned = 1')()", "only op.* functions may be called"],
  ["d => d.constructor", '"constructor" cannot be used as a column name'],
  ["d => d['constructor']['constructor']('globalThis.__pwned = 1')()", "only op.* functions may be called"],
  ["d => d.__proto__", '"__proto__" cannot be used as a column name'],
  ["d => d.x.constructor", "reading properties of a value is not allowed"],
  ["d => d.x.__proto__.polluted", "reading properties of a value is not allowed"],
  ["d => op.constructor", "op functions must be called"],
  ["d => op.abs.constructor('globalThis.__pwned = 1')()", "only op.* functions may be called"],
  ["d => op['abs'](d.x)", "only op.* functions may be called"],
  ["d => op.constructor('return process')()", "only op.* functions may be called"],
  ["d => op.toString()", "op.toString is not an arquero function"],
  ["d => op.row_object()", "op.row_object is not an arquero function"],
  ["d => require('fs')", "only op.* functions may be called"],
  ["d => import('fs')", '"import" is not allowed'],
  ["d => import.meta", "syntax error"],
  ["d => Function('globalThis.__pwned = 1')()", "only op.* functions may be called"],
  ["d => new Function('globalThis.__pwned = 1')", '"new" is not allowed'],
  ["d => eval('globalThis.__pwned = 1')", "only op.* functions may be called"],
  ["d => `${globalThis.__pwned = 1}`", "template literals are not allowed"],
  ["d => String.raw`x`", "tagged templates are not allowed"],
  ["d => op.lower`x`", "tagged templates are not allowed"],
  ["d => (() => 1)()", "only op.* functions may be called"],
  ["d => { globalThis.__pwned = 1; return 1 }", "use an expression body"],
  ["function () { return 1 }", "write an arrow function"],
  ["async d => 1", "async and generator functions are not allowed"],
  ["(d, $) => $.secret", "use one parameter for the row"],
  ["({ amount }) => amount", "name the row parameter"],
  ["d => (d.x, globalThis.__pwned = 1)", "comma sequences are not allowed"],
  ["d => d.x++", "assignments (++/--) are not allowed"],
  ["d => delete d.x", 'the "delete" operator is not allowed'],
  ["d => void 0", 'the "void" operator is not allowed'],
  ["d => 'constructor' in d", 'the "in" operator is not allowed'],
  ["d => d.x instanceof Object", 'the "instanceof" operator is not allowed'],
  ["d => d?.x", "optional chaining (?.) is not allowed"],
  ["d => [...d.list]", "spread (...) is not allowed"],
  ["d => op.abs(...d.list)", "spread (...) is not allowed"],
  ["d => ({ __proto__: null })", '"__proto__" is not allowed as a key'],
  ["d => ({ ['a' + 'b']: 1 })", "object literals may only map names to values"],
  ["d => ({ get x() { return 1 } })", "object literals may only map names to values"],
  ["d => ({ d })", "object literals may only map names to values"],
  ["d => d[op.lower('X')]", 'name the column with a string, like d["customer.name"]'],
  ["d => d[0]", 'name the column with a string, like d["customer.name"]'],
  ["d => Math.max(d.a, d.b)", "only op.* functions may be called"],
  ["d => 1); globalThis.__pwned = 1; (1", "write a single expression"],
  ["1), (globalThis.__pwned = 1", "write a single expression"],
  ["d => d.x // )", "syntax error"],
  ["d => class {}", "classes are not allowed"],
  ["d => op.repeat('x', 1e9)", "op.repeat may produce at most 10000 characters"],
  ["d => op.padstart(d.x, d.width)", "the size arguments of op.padstart must be numbers written out"],
  ["d => op.sequence(0, 1e8)", "op.sequence may produce at most 10000 elements"],
  ["d => op.sequence(0, 10, 0)", "op.sequence may produce at most 10000 elements"],
  ["d => op.match(d.x, d.pattern)", "the pattern of op.match must be written out"],
  ["d => op.match(d.x, /^(a+)+\\1$/)", "may not use backreferences or lookarounds"],
  ["d => op.match(d.x, '(?=a)b')", "may not use backreferences or lookarounds"],
  ["d => op.sum(op.mean(d.x))", "op.mean cannot be used inside op.sum"],
  ["", "the expression is empty"],
  ["d => " + "1+".repeat(1000) + "1", "longer than 2000 characters"],
];

describe("analyzeExpression: refusals", () => {
  afterEach(() => {
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });

  it.each(MALICIOUS)("refuses %s", (expression, reason) => {
    const problem = expressionProblem(expression);
    expect(problem).not.toBeNull();
    expect(problem).toContain(reason);
  });

  it("names the offending part", () => {
    expect(expressionProblem("d => d.amount > 0 && process.exit(1)")).toBe(
      'only op.* functions may be called: expressions may use only column references (d.amount), op.* functions, literals and operators (at "process.exit(1)")',
    );
  });

  it.each<[string, string]>([
    ["d => d.amount", "a metric may use columns only inside aggregate functions, like op.sum(d.amount)"],
    ["op.sum(d.amount) / d.count", "a metric may use columns only inside aggregate functions"],
    ["d => 1", "an aggregate metric needs an aggregate function"],
    ["op.row_number()", "window functions like op.row_number cannot be used in an aggregate metric"],
  ])("refuses the aggregate metric %s", (expression, reason) => {
    expect(expressionProblem(expression, "aggregate")).toContain(reason);
  });
});
