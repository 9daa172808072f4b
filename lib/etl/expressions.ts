import { parse as parseJs, type AnyNode, type Expression, type Literal } from "acorn";
import { parse as parseArquero } from "arquero";
import { aggregateFunctions, functions, windowFunctions } from "arquero/src/op/index.js";

/**
 * The safe subset of arquero table expressions that job steps may use: column references
 * (`d.amount`, `d["customer.name"]`), `op.*` calls, literals and operators — nothing else.
 *
 * arquero compiles expressions with `Function`, and its own checks are a blacklist written for
 * trusted authors. So the expression is first parsed exactly as arquero parses it (acorn, the
 * same wrapper and ECMAScript version), and every node of that tree must pass an allowlist before
 * arquero sees it. Shared by the job schema (save-time 422s), preview and the run engine.
 */

export type ExpressionKind = "row" | "aggregate";

export type ExpressionInfo = {
  /** Columns the expression reads, in first-seen order. */
  columns: string[];
  /** Uses aggregate functions (op.sum…): in a row step, its value depends on all rows. */
  aggregates: boolean;
  /** Uses window functions (op.row_number, op.lag…): depends on all rows and their order. */
  windows: boolean;
};

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

export const MAX_EXPRESSION_LENGTH = 2000;
/** The most characters op.repeat / op.padstart / op.padend may produce, and elements op.sequence may. */
const MAX_GENERATED_LENGTH = 10_000;

const ALLOWED_HINT = "expressions may use only column references (d.amount), op.* functions, literals and operators";
// arquero's parser: `expr=(…)` parsed as ECMAScript 2020, the expression being the assignment's right side.
const WRAP_PREFIX = "expr=(";
const PARSER_OPTIONS = { ecmaVersion: 11 } as const;
const CONSTANTS = new Set(["undefined", "NaN", "Infinity"]);
const UNARY = new Set(["-", "+", "!", "~", "typeof"]);
const FORBIDDEN_BINARY = new Set(["in", "instanceof"]);
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);
/** Ops whose argument decides how much memory they allocate: index of that argument. */
const SIZED_OPS: Record<string, number[]> = { repeat: [1], padstart: [1], padend: [1], sequence: [0, 1, 2] };
/** Ops that build a regular expression from this argument. */
const REGEX_OPS: Record<string, number> = { match: 1 };
// Backreferences and lookarounds keep V8 from falling back to its linear-time engine on runaway backtracking.
const SLOW_REGEX = /\\[1-9]|\\k<|\(\?<?[=!]/;

const NODE_MESSAGES: Partial<Record<AnyNode["type"], string>> = {
  ThisExpression: '"this" is not allowed',
  TemplateLiteral: "template literals are not allowed; join text with +",
  TaggedTemplateExpression: "tagged templates are not allowed",
  NewExpression: '"new" is not allowed',
  FunctionExpression: "function definitions are not allowed",
  ArrowFunctionExpression: "nested function definitions are not allowed",
  ClassExpression: "classes are not allowed",
  AssignmentExpression: "assignments are not allowed",
  UpdateExpression: "assignments (++/--) are not allowed",
  SequenceExpression: "comma sequences are not allowed",
  ImportExpression: '"import" is not allowed',
  MetaProperty: "import.meta and new.target are not allowed",
  ChainExpression: "optional chaining (?.) is not allowed",
  AwaitExpression: '"await" is not allowed',
  YieldExpression: '"yield" is not allowed',
  SpreadElement: "spread (...) is not allowed",
  Super: '"super" is not allowed',
};

type Walk = {
  source: string;
  row: string | null;
  kind: ExpressionKind;
  columns: string[];
  aggregates: boolean;
  windows: boolean;
  /** The aggregate or window call being walked, if any. */
  inOp: string | null;
};

/** Checks an expression and describes what it reads; throws ExpressionError with a user-facing message. */
export function analyzeExpression(source: string, kind: ExpressionKind = "row"): ExpressionInfo {
  const code = source.trim();
  if (code === "") throw new ExpressionError("the expression is empty");
  if (code.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const root = parseLikeArquero(code);
  const walk: Walk = { source: code, row: "d", kind, columns: [], aggregates: false, windows: false, inOp: null };

  let body: AnyNode = root;
  if (root.type === "ArrowFunctionExpression") {
    if (root.async || root.generator) fail(walk, root, "async and generator functions are not allowed");
    if (root.params.length > 1) fail(walk, root.params[1]!, "use one parameter for the row, like d => d.amount");
    const param = root.params[0];
    if (param && param.type !== "Identifier") fail(walk, param, "name the row parameter, like d => d.amount");
    walk.row = param?.type === "Identifier" ? param.name : null;
    if (root.body.type === "BlockStatement") fail(walk, root.body, "use an expression body, like d => d.amount > 0");
    body = root.body;
  } else if (root.type === "FunctionExpression") {
    fail(walk, root, "write an arrow function, like d => d.amount > 0");
  }
  visit(body, walk);

  if (kind === "aggregate" && !walk.aggregates) {
    throw new ExpressionError("an aggregate metric needs an aggregate function, like op.sum(d.amount) or op.count()");
  }
  checkWithArquero(code, kind);
  return { columns: walk.columns, aggregates: walk.aggregates, windows: walk.windows };
}

/** The problem with an expression as a message, or null when it is allowed. */
export function expressionProblem(source: string, kind: ExpressionKind = "row"): string | null {
  try {
    analyzeExpression(source, kind);
    return null;
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
}

function parseLikeArquero(code: string): AnyNode {
  let program;
  try {
    program = parseJs(`${WRAP_PREFIX}${code})`, PARSER_OPTIONS);
  } catch (error) {
    throw new ExpressionError(`syntax error: ${(error as Error).message.replace(/\s*\(\d+:\d+\)$/, "")}`);
  }
  const statement = program.body[0];
  const assignment = statement?.type === "ExpressionStatement" ? statement.expression : undefined;
  // Anything that closes arquero's wrapper early (`1); other(`) is refused rather than trimmed.
  if (
    program.body.length !== 1 ||
    assignment?.type !== "AssignmentExpression" ||
    assignment.right.start !== WRAP_PREFIX.length ||
    assignment.right.end !== WRAP_PREFIX.length + code.length
  ) {
    throw new ExpressionError("write a single expression, like d => d.amount > 0");
  }
  return assignment.right;
}

function visit(node: AnyNode, walk: Walk): void {
  switch (node.type) {
    case "Literal":
      return checkLiteral(node, walk);
    case "Identifier":
      if (CONSTANTS.has(node.name)) return;
      if (node.name === walk.row) fail(walk, node, `use a column of the row, like ${walk.row}.amount`);
      if (node.name === "op") fail(walk, node, "call an op function, like op.abs(d.amount)");
      return fail(walk, node, `"${node.name}" is not allowed: ${ALLOWED_HINT}`);
    case "MemberExpression":
      return columnReference(node, walk);
    case "CallExpression":
      return opCall(node, walk);
    case "BinaryExpression":
      if (FORBIDDEN_BINARY.has(node.operator)) fail(walk, node, `the "${node.operator}" operator is not allowed`);
      if (node.left.type === "PrivateIdentifier") return fail(walk, node.left, "private names are not allowed");
      visit(node.left, walk);
      return visit(node.right, walk);
    case "LogicalExpression":
      visit(node.left, walk);
      return visit(node.right, walk);
    case "UnaryExpression":
      if (!UNARY.has(node.operator)) fail(walk, node, `the "${node.operator}" operator is not allowed`);
      return visit(node.argument, walk);
    case "ConditionalExpression":
      visit(node.test, walk);
      visit(node.consequent, walk);
      return visit(node.alternate, walk);
    case "ArrayExpression":
      for (const element of node.elements) {
        if (element === null) fail(walk, node, "arrays may not have holes");
        visit(element, walk);
      }
      return;
    case "ObjectExpression":
      return objectLiteral(node, walk);
    default:
      return fail(walk, node, `${NODE_MESSAGES[node.type] ?? `${node.type} is not allowed`}: ${ALLOWED_HINT}`);
  }
}

function checkLiteral(node: Literal, walk: Walk): void {
  if (node.regex && SLOW_REGEX.test(node.regex.pattern)) {
    fail(walk, node, "regular expressions may not use backreferences or lookarounds");
  }
}

/** `d.name` and `d["name"]` are the only member expressions: everything else reaches into prototypes. */
function columnReference(node: Extract<AnyNode, { type: "MemberExpression" }>, walk: Walk): void {
  const { object, property } = node;
  if (object.type !== "Identifier" || object.name !== walk.row) {
    if (object.type === "Identifier" && object.name === "op") fail(walk, node, "op functions must be called, like op.abs(d.amount)");
    let head: AnyNode = object;
    while (head.type === "MemberExpression") head = head.object;
    const target = head.type === "Identifier" && head.name !== walk.row ? `"${head.name}"` : "a value";
    return fail(walk, node, `reading properties of ${target} is not allowed: ${ALLOWED_HINT}`);
  }
  let name: string;
  if (!node.computed && property.type === "Identifier") name = property.name;
  else if (node.computed && property.type === "Literal" && typeof property.value === "string") name = property.value;
  else return fail(walk, node, `name the column with a string, like ${walk.row}["customer.name"]`);

  if (FORBIDDEN_NAMES.has(name)) fail(walk, node, `"${name}" cannot be used as a column name in an expression`);
  if (walk.kind === "aggregate" && walk.inOp === null) {
    fail(walk, node, `a metric may use columns only inside aggregate functions, like op.sum(${walk.row}.amount)`);
  }
  if (!walk.columns.includes(name)) walk.columns.push(name);
}

function opCall(node: Extract<AnyNode, { type: "CallExpression" }>, walk: Walk): void {
  const callee = node.callee;
  if (
    node.optional ||
    callee.type !== "MemberExpression" ||
    callee.computed ||
    callee.object.type !== "Identifier" ||
    callee.object.name !== "op" ||
    callee.property.type !== "Identifier"
  ) {
    return fail(walk, node, `only op.* functions may be called: ${ALLOWED_HINT}`);
  }
  const name = callee.property.name;
  const isAggregate = Object.hasOwn(aggregateFunctions, name);
  const isWindow = Object.hasOwn(windowFunctions, name);
  if (!isAggregate && !isWindow && (!Object.hasOwn(functions, name) || name === "row_object")) {
    return fail(walk, callee, `op.${name} is not an arquero function`);
  }
  if (walk.kind === "aggregate" && isWindow) fail(walk, node, `window functions like op.${name} cannot be used in an aggregate metric`);
  if ((isAggregate || isWindow) && walk.inOp !== null) {
    fail(walk, node, `op.${name} cannot be used inside op.${walk.inOp}`);
  }
  checkSizedArguments(node, name, walk);

  const outer = walk.inOp;
  if (isAggregate || isWindow) {
    walk.aggregates ||= isAggregate;
    walk.windows ||= isWindow;
    walk.inOp = name;
  }
  for (const argument of node.arguments) visit(argument as AnyNode, walk);
  walk.inOp = outer;
}

function checkSizedArguments(node: Extract<AnyNode, { type: "CallExpression" }>, name: string, walk: Walk): void {
  const sized = Object.hasOwn(SIZED_OPS, name) ? SIZED_OPS[name]! : [];
  const numbers: number[] = [];
  for (const index of sized) {
    const argument = node.arguments[index];
    if (argument === undefined) continue;
    const value = numericLiteral(argument as Expression);
    if (value === null) fail(walk, argument, `the size arguments of op.${name} must be numbers written out`);
    numbers.push(value);
  }
  const produced = name === "sequence" ? sequenceLength(numbers) : (numbers[0] ?? 0);
  if (produced > MAX_GENERATED_LENGTH) {
    fail(walk, node, `op.${name} may produce at most ${MAX_GENERATED_LENGTH} ${name === "sequence" ? "elements" : "characters"}`);
  }

  const regexAt = Object.hasOwn(REGEX_OPS, name) ? REGEX_OPS[name]! : -1;
  const pattern = node.arguments[regexAt];
  if (pattern && !(pattern.type === "Literal" && (typeof pattern.value === "string" || pattern.regex))) {
    fail(walk, pattern, `the pattern of op.${name} must be written out as a string or /regular expression/`);
  }
  if (pattern?.type === "Literal" && typeof pattern.value === "string" && SLOW_REGEX.test(pattern.value)) {
    fail(walk, pattern, "regular expressions may not use backreferences or lookarounds");
  }
}

function numericLiteral(node: Expression): number | null {
  if (node.type === "Literal" && typeof node.value === "number") return node.value;
  if (node.type === "UnaryExpression" && node.operator === "-" && node.argument.type === "Literal" && typeof node.argument.value === "number") {
    return -node.argument.value;
  }
  return null;
}

/** Elements of op.sequence(start, stop, step), or of op.sequence(stop) from 0. */
function sequenceLength(args: number[]): number {
  const [start, stop, step] = args.length === 1 ? [0, args[0]!, 1] : [args[0] ?? 0, args[1] ?? 0, args[2] ?? 1];
  if (step === 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.ceil((stop - start) / step));
}

function objectLiteral(node: Extract<AnyNode, { type: "ObjectExpression" }>, walk: Walk): void {
  for (const property of node.properties) {
    if (property.type !== "Property" || property.kind !== "init" || property.method || property.shorthand || property.computed) {
      fail(walk, property, "object literals may only map names to values, like { a: 1 }");
    }
    const key = property.key.type === "Identifier" ? property.key.name : property.key.type === "Literal" ? String(property.key.value) : null;
    if (key === null || FORBIDDEN_NAMES.has(key)) fail(walk, property.key, `"${key ?? "?"}" is not allowed as a key`);
    visit(property.value, walk);
  }
}

/** arquero's own parser, in AST mode (it compiles nothing): unknown functions, misplaced aggregates. */
function checkWithArquero(code: string, kind: ExpressionKind): void {
  try {
    parseArquero({ value: code }, { ast: true, aggronly: kind === "aggregate", window: kind !== "aggregate" } as never);
  } catch (error) {
    throw new ExpressionError((error as Error).message);
  }
}

function fail(walk: Walk, node: { start: number; end: number }, message: string): never {
  const offset = WRAP_PREFIX.length;
  const snippet = walk.source.slice(node.start - offset, node.end - offset);
  const shown = snippet.length > 60 ? `${snippet.slice(0, 57)}...` : snippet;
  throw new ExpressionError(`${message} (at "${shown}")`);
}
