// The loader's entry for Node: everything the core loader exports (core.ts: loadText, loadBytes,
// loadScanned, LoadedInput…), with files read from disk (a path, "-" for stdin, a FIFO, a device) and
// gzip inflated by zlib. The core is plain JavaScript and runs in a browser's worker as it is; this
// module, read.ts, open.ts, pod.ts, scan.ts and scan-worker.ts are the edge that touches Node.
import { progress } from "../progress.js";
import { KEEP_TEXT_CHARS, loadBytes as loadBytesCore, loadText, type LoadedInput, type LoadOptions } from "./core.js";
import { decodeText, gunzip, readInputBytes, statInput } from "./read.js";

export * from "./core.js";

export function loadFile(file: string, opts: LoadOptions = {}): LoadedInput {
  progress(`reading ${file}`);
  const text = decodeText(file, readInputBytes(file, opts.maxBytes), opts.maxBytes);
  // A large regular file is read again when locate() is called, rather than its text kept alive; the
  // same length or nothing (the file changed meanwhile).
  let again: (() => string | undefined) | undefined;
  if (text.length > KEEP_TEXT_CHARS && file !== "-" && statInput(file).isFile()) {
    const length = text.length;
    again = () => {
      const t = decodeText(file, readInputBytes(file, opts.maxBytes), opts.maxBytes);
      return t.length === length ? t : undefined;
    };
  }
  return loadText(text, file === "-" ? "<stdin>" : file, opts, again);
}

/** Bytes already read (a pipe, kubectl's output, a Buffer from a library caller): gzip (by zlib), UTF-16 and limits as for a file. */
export function loadBytes(bytes: Uint8Array, name: string, opts: LoadOptions = {}): LoadedInput {
  return loadBytesCore(bytes, name, { inflate: gunzip, ...opts });
}
