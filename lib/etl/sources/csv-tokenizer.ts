/**
 * A fast RFC 4180 CSV tokenizer for the common dialect: a one-character delimiter and quote,
 * quotes escaped by doubling, records ended by \n, \r\n or \r, empty lines skipped. It reads the
 * text chunk by chunk and collects complete records column by column (a batch of rows becomes one
 * array of cells per column, with no array or object per row), carrying an unfinished record over
 * to the next chunk; `take` hands over the records collected so far.
 *
 * csv-parse is the reference (lib/etl/sources/csv-tokenizer.test.ts compares both on quoted
 * fields, embedded newlines, delimiters and malformed input); this does the same work in a
 * tight loop over char codes with indexOf for quoted fields, which makes parsing over three
 * times faster — parsing was most of a CSV run's time. Input it cannot read the same way
 * csv-parse would (a quote inside an unquoted field, text after a closing quote, an unclosed
 * quote, records of different lengths) is an error, as it is for csv-parse, in csv-parse's words
 * where users already know them.
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
  /** The record being read, reused from record to record. */
  private readonly cells: string[] = [];
  private columns: string[][] = [];
  private rows = 0;
  private chars = 0;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteChar: string;

  constructor(private readonly dialect: CsvDialect) {
    if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1) throw new Error("CsvTokenizer needs a one-character delimiter and quote");
    this.delimiter = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote.charCodeAt(0);
    this.quoteChar = dialect.quote;
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

  /** The records collected since the last `take`, as one array of cells per column. */
  take(): string[][] {
    const columns = this.columns;
    this.columns = columns.map(() => []);
    this.rows = 0;
    this.chars = 0;
    return columns;
  }

  private parse(text: string, final: boolean): void {
    const n = text.length;
    const { delimiter: D, quote: Q } = this;
    let pos = 0;
    let line = this.line;
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
      const row = this.cells;
      row.length = 0;
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
          row.push(value);
          if (p === n) break;
          const next = text.charCodeAt(p);
          if (next === D) {
            p++;
            continue;
          }
          if (next === LF || next === CR) break;
          throw new CsvSyntaxError(`unexpected text after the closing quote of field ${row.length} at line ${line + lines}`);
        }
        let q = p;
        let c = 0;
        while (q < n) {
          c = text.charCodeAt(q);
          if (c === D || c === LF || c === CR) break;
          if (c === Q) throw new CsvSyntaxError(`a quote inside the unquoted field ${row.length + 1} at line ${line + lines}`);
          q++;
        }
        if (q === n && !final) break records;
        row.push(text.slice(p, q));
        p = q;
        if (p < n && c === D) {
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
        this.width = row.length;
        this.columns = row.map(() => []);
      } else if (row.length !== this.width) {
        throw new CsvSyntaxError(`Invalid Record Length: expect ${this.width}, got ${row.length} on line ${line}`);
      }
      for (let c = 0; c < row.length; c++) this.columns[c]!.push(row[c]!);
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

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
