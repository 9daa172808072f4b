/**
 * A fast RFC 4180 CSV tokenizer for the common dialect: a one-character delimiter and quote,
 * quotes escaped by doubling, records ended by \n, \r\n or \r, empty lines skipped. It reads the
 * text chunk by chunk and collects complete records column by column (a batch of rows becomes one
 * array of cells per column, with no array or object per row: each cell goes to its column as it
 * is read), carrying an unfinished record over to the next chunk; `take` hands over the records
 * collected so far.
 *
 * csv-parse is the reference (lib/etl/sources/csv-tokenizer.test.ts compares both on quoted
 * fields, embedded newlines, delimiters and malformed input); this does the same work in a
 * twelfth of csv-parse's CPU time on the bench's orders, finding the end of an unquoted field as
 * the closing quote of a quoted one, with indexOf rather than a loop over char codes (2.5 times
 * less) — parsing was most of a CSV run's time. Input it cannot read the same way csv-parse
 * would (a quote inside an unquoted field, text after a closing quote, an unclosed quote, records
 * of different lengths) is an error, as it is for csv-parse, in csv-parse's words where users
 * already know them; it ends the reading.
 */
export class CsvSyntaxError extends Error {}

export type CsvDialect = { delimiter: string; quote: string; maxRecordChars: number };

const LF = 10;
const CR = 13;

export class CsvTokenizer {
  private carry = "";
  /** Physical line where the carried text starts (1-based), for error messages. */
  private line = 1;
  private width = -1;
  /** The cells of the first record, which sets the number of columns. */
  private readonly firstCells: string[] = [];
  private columns: string[][] = [];
  private rows = 0;
  private chars = 0;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteChar: string;
  private readonly delimiterChar: string;

  constructor(private readonly dialect: CsvDialect) {
    if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1) throw new Error("CsvTokenizer needs a one-character delimiter and quote");
    this.delimiter = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote.charCodeAt(0);
    this.quoteChar = dialect.quote;
    this.delimiterChar = dialect.delimiter;
  }

  /** Reads a chunk of text, collecting the records it completes. */
  push(text: string): void {
    this.parse(this.carry + text, false);
  }

  /** Reads the last record, when the text did not end with a line break. */
  end(): void {
    this.parse(this.carry, true);
  }

  /** Records collected since the last `take`. */
  get rowCount(): number {
    return this.rows;
  }

  /** Characters of text those records were read from. */
  get charCount(): number {
    return this.chars;
  }

  /** Characters of an unfinished record, held to be read again with the next chunk. */
  get pendingChars(): number {
    return this.carry.length;
  }

  /**
   * The records collected since the last `take`, as one array of cells per column. The next
   * batch's arrays are allocated at `nextRows`, the rows it is expected to hold, so that they are
   * not grown and copied cell by cell.
   */
  take(nextRows = this.rows): string[][] {
    const columns = this.columns;
    const rows = this.rows;
    // Cells past the last record belong to an unfinished one, read again with the next chunk.
    for (const column of columns) column.length = rows;
    this.columns = columns.map(() => new Array<string>(nextRows));
    this.rows = 0;
    this.chars = 0;
    return columns;
  }

  /**
   * Keeps a record's cell in its column as soon as it is read, at the record's row; a cell past
   * the last column fails the record once it is counted. The cells of a record the text ends in
   * are overwritten when it is read again, whole, with the next chunk.
   */
  private keepCell(cell: string, column: number): void {
    if (this.width === -1) this.firstCells.push(cell);
    else if (column < this.width) this.columns[column]![this.rows] = cell;
  }

  private parse(text: string, final: boolean): void {
    const n = text.length;
    const { delimiter: D, quote: Q } = this;
    let pos = 0;
    let line = this.line;
    // Where the next delimiter, LF, CR and quote are (n when there is none), found by indexOf and
    // looked for again once passed: an unquoted field ends at the first of them without a loop
    // over its characters, which makes reading them several times faster.
    let nextDelimiter = -1;
    let nextLF = -1;
    let nextCR = -1;
    let nextQuote = -1;
    records: while (pos < n) {
      const first = text.charCodeAt(pos);
      if (first === LF || first === CR) {
        // An empty line: skipped, like csv-parse's skip_empty_lines.
        pos += first === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
        if (first === CR && pos === n && !final) {
          pos -= 1;
          break;
        }
        line++;
        continue;
      }
      const start = pos;
      if (this.width === -1) this.firstCells.length = 0;
      let count = 0;
      let p = pos;
      let lines = 0;
      for (;;) {
        if (p - start > this.dialect.maxRecordChars) {
          throw new CsvSyntaxError(`a record starting at line ${line} is longer than ${this.dialect.maxRecordChars} characters (a quote left open?)`);
        }
        if (p < n && text.charCodeAt(p) === Q) {
          let value = "";
          let from = p + 1;
          for (;;) {
            const close = text.indexOf(this.quoteChar, from);
            if (close === -1 || (close + 1 === n && !final)) {
              if (final) throw new CsvSyntaxError(`Quote Not Closed: the parsing is finished with an opening quote at line ${line + newlines(text.slice(start).replace(/\r?\n$/, ""))}`);
              break records;
            }
            if (text.charCodeAt(close + 1) === Q) {
              value += text.slice(from, close + 1);
              from = close + 2;
              continue;
            }
            value += text.slice(from, close);
            p = close + 1;
            break;
          }
          lines += newlines(value);
          this.keepCell(value, count++);
          if (p === n) break;
          const next = text.charCodeAt(p);
          if (next === D) {
            p++;
            continue;
          }
          if (next === LF || next === CR) break;
          throw new CsvSyntaxError(`unexpected text after the closing quote of field ${count} at line ${line + lines}`);
        }
        if (nextDelimiter < p) nextDelimiter = indexOrEnd(text, this.delimiterChar, p);
        if (nextLF < p) nextLF = indexOrEnd(text, "\n", p);
        if (nextCR < p) nextCR = indexOrEnd(text, "\r", p);
        if (nextQuote < p) nextQuote = indexOrEnd(text, this.quoteChar, p);
        const q = Math.min(nextDelimiter, nextLF, nextCR);
        if (nextQuote < q) throw new CsvSyntaxError(`a quote inside the unquoted field ${count + 1} at line ${line + lines}`);
        if (q === n && !final) break records;
        this.keepCell(text.slice(p, q), count++);
        p = q;
        if (p < n && text.charCodeAt(p) === D) {
          p++;
          continue;
        }
        break;
      }
      // p is at the record's line break, or at the end of the final text.
      if (p < n) {
        if (text.charCodeAt(p) === CR) {
          if (p + 1 === n && !final) break;
          p += text.charCodeAt(p + 1) === LF ? 2 : 1;
        } else {
          p += 1;
        }
      }
      if (this.width === -1) {
        this.width = this.firstCells.length;
        this.columns = this.firstCells.map((cell) => [cell]);
      } else if (count !== this.width) {
        throw new CsvSyntaxError(`Invalid Record Length: expect ${this.width}, got ${count} on line ${line}`);
      }
      this.rows++;
      this.chars += p - start;
      line += 1 + lines;
      pos = p;
    }
    this.carry = text.slice(pos);
    this.line = line;
    if (this.carry.length > this.dialect.maxRecordChars) {
      throw new CsvSyntaxError(`a record starting at line ${line} is longer than ${this.dialect.maxRecordChars} characters (a quote left open?)`);
    }
  }
}

function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
