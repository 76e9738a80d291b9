// Which dumps a fleet command reads: a directory (its dump files, in name order, sub-directories
// included), a glob in the file name (quoted, so the shell leaves it: 'dumps/*.json'), or files. Bounded:
// at most MAX_FILES files, MAX_DEPTH directories deep; hidden files and directories are left out.
import fs from "node:fs";
import path from "node:path";
import { InputError } from "./diag.js";

const DUMP_FILE = /\.(json|ya?ml)(\.gz)?$|\.gz$/i;
const MAX_FILES = 100_000;
const MAX_DEPTH = 8;

/** Whether an argument names several dumps: a directory, or a glob no file is named. */
export function isFleetArg(arg: string): boolean {
  if (arg === "-" || /^(pod|pods|po)\//.test(arg)) return false;
  try {
    return fs.statSync(arg).isDirectory();
  } catch {
    return hasGlob(arg);
  }
}

const hasGlob = (s: string) => /[*?[]/.test(path.basename(s));

/** A file-name glob (*, ?, [abc]) as a RegExp over one name. */
function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function dumpsIn(dir: string, out: string[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputError(dir, `cannot read the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) dumpsIn(p, out, depth + 1);
    else if ((e.isFile() || e.isSymbolicLink()) && DUMP_FILE.test(e.name)) {
      if (out.length >= MAX_FILES) throw new InputError(dir, `holds more than ${MAX_FILES} dumps: give a smaller directory`);
      out.push(p);
    }
  }
}

/** The files a fleet command's arguments name, in order, each once. */
export function fleetFiles(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      const found: string[] = [];
      dumpsIn(arg, found);
      if (!found.length) throw new InputError(arg, "holds no dumps (files named *.json, *.yaml, *.yml or *.gz)");
      out.push(...found);
    } else if (!st && hasGlob(arg)) {
      const dir = path.dirname(arg);
      if (hasGlob(dir)) throw new InputError(arg, "only the file name may hold a wildcard, not the directory");
      const re = globRegExp(path.basename(arg));
      let names: string[];
      try {
        names = fs.readdirSync(dir).filter((n) => !n.startsWith(".") && re.test(n)).sort();
      } catch {
        throw new InputError(arg, `no such directory: ${dir}`);
      }
      const files = names.map((n) => path.join(dir, n)).filter((f) => fs.statSync(f).isFile());
      if (!files.length) throw new InputError(arg, "matches no file");
      out.push(...files);
    } else out.push(arg);
  }
  return [...new Set(out)];
}
