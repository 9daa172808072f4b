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

/** Why the query cannot be a source's query, or null when it starts like one that returns rows. */
export function selectStatementProblem(query: string): string | null {
  const keyword = leadingKeyword(query);
  if (ROW_STATEMENTS.has(keyword.toLowerCase())) return null;
  const start = keyword ? `it starts with ${keyword.toUpperCase()}` : "it holds only comments";
  return `The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); ${start}.`;
}

/** The first column name the result repeats: a record keeps one value per name, so the others would be lost without a word. */
export function repeatedColumn(names: string[]): string | undefined {
  const seen = new Set<string>();
  return names.find((name) => seen.size === seen.add(name).size);
}

export function repeatedColumnMessage(name: string): string {
  return `The query returns more than one column named "${name}"; give them distinct names with AS.`;
}
