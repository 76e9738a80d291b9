// Diagnostics: every problem found in the input, with the file and the place.

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. "unknown-type", "truncated". */
  code: string;
  message: string;
  file: string;
  /** JSON path ($.configs[2].dynamicListeners[0]...) where known. */
  path?: string;
  /** 1-based line and column in the file where known. */
  line?: number;
  column?: number;
  /** How many times the same code+message occurred (aggregated), the first place being `path`. */
  count?: number;
}

/** A failure that stops a command: bad input the tool cannot use at all. Exit code 2. */
export class InputError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, line?: number, column?: number) {
    super(message);
    this.name = "InputError";
    this.file = file;
    this.line = line;
    this.column = column;
  }
  format(): string {
    const where = this.line ? `:${this.line}${this.column ? `:${this.column}` : ""}` : "";
    return `${this.file}${where}: ${this.message}`;
  }
}

/** Collects diagnostics for one file, folding repeats of the same code and message. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private readonly byKey = new Map<string, Diagnostic>();
  readonly file: string;
  /** How many times add() was called (a repeat counts too): whether a step said anything. */
  added = 0;
  constructor(file: string) {
    this.file = file;
  }

  add(severity: Severity, code: string, message: string, where: { path?: string; line?: number; column?: number } = {}): void {
    this.added++;
    const key = `${severity}\u0000${code}\u0000${message}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      return;
    }
    const d: Diagnostic = { severity, code, message, file: this.file, ...where };
    this.byKey.set(key, d);
    this.list.push(d);
  }
  warn(code: string, message: string, where?: { path?: string; line?: number; column?: number }): void {
    this.add("warning", code, message, where);
  }
  note(code: string, message: string, where?: { path?: string; line?: number; column?: number }): void {
    this.add("note", code, message, where);
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const pos = d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : "";
  const at = d.path ? ` (at ${d.path})` : "";
  const more = d.count && d.count > 1 ? ` [${d.count} times; first shown]` : "";
  return `${d.severity}: ${d.file}${pos}: ${d.message}${at}${more}`;
}

/** Appends a property name or index to a JSON path. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
