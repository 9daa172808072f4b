/**
 * Database sources read rows, and only a statement that returns rows can be read: a read-only
 * transaction stops PostgreSQL from writing, but MySQL commits DDL implicitly (a DROP TABLE inside
 * `START TRANSACTION READ ONLY` drops the table), and statements without a result (SET, DO, CALL)
 * leave nothing to load. So a query must start like a row query, checked on save and again when it
 * runs (for jobs saved before the check).
 */
const ROW_STATEMENTS = new Set(["select", "with", "values", "table"]);

/**
 * The text's first keyword, past whitespace, comments and opening parentheses; `/*!` or `/*M!` when
 * it starts with a comment MySQL or MariaDB executes as code.
 */
export function leadingKeyword(query: string): string {
  let at = 0;
  while (at < query.length) {
    const rest = query.slice(at);
    const space = /^[\s(]+/.exec(rest);
    if (space) {
      at += space[0].length;
    } else if (/^\/\*M?!/.test(rest)) {
      // MySQL runs /*! … */ as code, and MariaDB /*M! … */ too.
      return rest.slice(0, rest.indexOf("!") + 1);
    } else if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/", 2);
      at = end === -1 ? query.length : at + end + 2;
    } else if (rest.startsWith("--") || rest.startsWith("#")) {
      const end = rest.indexOf("\n");
      at = end === -1 ? query.length : at + end + 1;
    } else {
      return /^[A-Za-z_]*/.exec(rest)![0] || rest.charAt(0);
    }
  }
  return "";
}

export type SqlDialect = "postgres" | "mysql";

/**
 * Whether the query's code (outside strings, quoted names and comments, as the dialect reads
 * them) holds the keyword INTO. A row query never does: SELECT … INTO sends its rows elsewhere,
 * and MySQL runs `INTO OUTFILE` and `INTO DUMPFILE` even in a read-only transaction, writing files
 * on the database server. Where the dialects differ, MySQL's reading is the stricter: a backslash
 * escapes in its strings, `--` opens a comment only before a space, the text of its executable
 * comments (opened by `/*!` and `/*M!`) is code, and `$$` quotes nothing (it can be a name). A
 * doubt can only refuse a PostgreSQL query that says "into" in a string or comment.
 */
export function holdsInto(query: string, dialect: SqlDialect): boolean {
  const n = query.length;
  let at = 0;
  while (at < n) {
    const char = query[at]!;
    if (char === "'" || char === '"' || char === "`") {
      at = quotedEnd(query, at);
    } else if (query.startsWith("/*", at)) {
      const code = /^\/\*M?!/.exec(query.slice(at, at + 4));
      const close = query.indexOf("*/", at + 2);
      at = code ? at + code[0].length : close === -1 ? n : close + 2;
    } else if (char === "#" ? dialect === "mysql" : query.startsWith("--", at) && (dialect === "postgres" || /^--\s/.test(query.slice(at, at + 3)))) {
      const end = query.indexOf("\n", at);
      at = end === -1 ? n : end + 1;
    } else if (char === "$" && dialect === "postgres" && !isWordChar(query[at - 1])) {
      const tag = /^\$[A-Za-z_]*\$/.exec(query.slice(at, at + 64));
      const close = tag ? query.indexOf(tag[0], at + tag[0].length) : -1;
      at = !tag ? at + 1 : close === -1 ? n : close + tag[0].length;
    } else if (isWordChar(char)) {
      let end = at + 1;
      while (end < n && isWordChar(query[end])) end++;
      if (end - at === 4 && query.slice(at, end).toLowerCase() === "into") return true;
      at = end;
    } else {
      at++;
    }
  }
  return false;
}

const isWordChar = (char: string | undefined) => char !== undefined && /[\w$]/.test(char);

/** Where a quoted string or name that opens at `start` ends: past its closing quote, a doubled quote or a backslash escaping the next character. */
function quotedEnd(query: string, start: number): number {
  const quote = query[start]!;
  for (let at = start + 1; at < query.length; at++) {
    const char = query[at];
    if (char === "\\" && quote !== "`") at++;
    else if (char === quote) {
      if (query[at + 1] !== quote) return at + 1;
      at++;
    }
  }
  return query.length;
}

/** Why the query cannot be a source's query, or null when it reads like one that returns rows. */
export function selectStatementProblem(query: string, dialect: SqlDialect): string | null {
  const keyword = leadingKeyword(query);
  if (!ROW_STATEMENTS.has(keyword.toLowerCase())) {
    const start = keyword ? `it starts with ${keyword.toUpperCase()}` : "it holds only comments";
    return `The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); ${start}.`;
  }
  if (holdsInto(query, dialect)) {
    return "The query must return its rows: with INTO, a SELECT sends them elsewhere (a file on the database server, variables or a table).";
  }
  return null;
}

/** The first column name the result repeats: a record keeps one value per name, so the others would be lost without a word. */
export function repeatedColumn(names: string[]): string | undefined {
  const seen = new Set<string>();
  return names.find((name) => seen.size === seen.add(name).size);
}

export function repeatedColumnMessage(name: string): string {
  return `The query returns more than one column named "${name}"; give them distinct names with AS.`;
}
