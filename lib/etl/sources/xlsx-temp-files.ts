import { AsyncLocalStorage } from "node:async_hooks";
import tmp from "tmp";

/**
 * exceljs's streaming reader keeps each sheet that comes before the shared strings (as Excel and
 * exceljs write them) in a temporary file made by the tmp package, and removes the file, closing
 * the descriptor tmp keeps open on it, only when its iteration passes that sheet. A read that ends
 * early (a failure, a tripped zip-bomb guard, a consumer that stops) left both until the process
 * ended: in a run thread or the web process, a file of up to XLSX_MAX_UNCOMPRESSED_BYTES each
 * time. So tmp.file is wrapped, once, to record the removal of each file made on behalf of a read
 * (AsyncLocalStorage tells apart the reads one process runs at once), and the read removes what
 * is left when it ends. tmp's removal runs once however often it is called.
 */
type Removals = Set<() => void>;
const reading = new AsyncLocalStorage<Removals>();
const makeFile = tmp.file.bind(tmp);

tmp.file = ((options: tmp.FileOptions | tmp.FileCallback, callback?: tmp.FileCallback) => {
  const removals = reading.getStore();
  const [opts, done] = typeof options === "function" ? [{}, options] : [options, callback!];
  makeFile(opts, (error, path, fd, remove) => {
    if (error || !removals) return done(error, path, fd, remove);
    removals.add(remove);
    done(error, path, fd, () => {
      removals.delete(remove);
      remove();
    });
  });
}) as typeof tmp.file;

/** The temporary files of one read: `run` calls into exceljs on its behalf, `removeLeft` ends it. */
export function temporaryFilesOfRead() {
  const removals: Removals = new Set();
  return {
    run: <T>(work: () => T): T => reading.run(removals, work),
    removeLeft: () => {
      for (const remove of removals) remove();
      removals.clear();
    },
  };
}
