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
 * Whether MySQL or MariaDB could read the keyword INTO in the query's code (outside its strings,
 * quoted names and comments). A row query never holds one: SELECT … INTO sends its rows
 * elsewhere, and MySQL runs `INTO OUTFILE` and `INTO DUMPFILE` even in a read-only transaction,
 * writing files on the database server. (PostgreSQL refuses SELECT INTO in the read-only
 * transaction a source reads in, so its queries are not scanned.) Where MySQL's reading depends
 * on the server's sql_mode (a backslash escapes in strings unless NO_BACKSLASH_ESCAPES), the
 * query is scanned both ways. MySQL ends a number where its digits end (`1.5INTO` is 1.5 INTO), a
 * `--` opens a comment only before an ASCII space or control character, and the text of an
 * executable comment (`/*!`, `/*M!`, then up to six version digits) is code.
 */
export function holdsInto(query: string): boolean {
  return scanForInto(query, true) || scanForInto(query, false);
}

function scanForInto(query: string, backslashEscapes: boolean): boolean {
  const n = query.length;
  let at = 0;
  while (at < n) {
    const char = query[at]!;
    if (char === "'" || char === '"' || char === "`") {
      at = quotedEnd(query, at, backslashEscapes && char !== "`");
    } else if (query.startsWith("/*", at)) {
      const code = /^\/\*M?!\d{0,6}/.exec(query.slice(at, at + 10));
      const close = query.indexOf("*/", at + 2);
      at = code ? at + code[0].length : close === -1 ? n : close + 2;
    } else if (char === "#" || /^--[\x00-\x20]/.test(query.slice(at, at + 3))) {
      const end = query.indexOf("\n", at);
      at = end === -1 ? n : end + 1;
    } else if (isWordChar(char)) {
      let end = at + 1;
      while (end < n && isWordChar(query[end])) end++;
      if (/(?:^|\d)into$/i.test(query.slice(at, end))) return true;
      at = end;
    } else {
      at++;
    }
  }
  return false;
}

const isWordChar = (char: string | undefined) => char !== undefined && /[\w$]/.test(char);

/** Where a quoted string or name that opens at `start` ends: past its closing quote (a doubled one is a quote inside). */
function quotedEnd(query: string, start: number, backslashEscapes: boolean): number {
  const quote = query[start]!;
  for (let at = start + 1; at < query.length; at++) {
    const char = query[at];
    if (char === "\\" && backslashEscapes) at++;
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
  if (dialect === "mysql" && holdsInto(query)) {
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
