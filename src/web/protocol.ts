// The messages between the page (page.ts) and its worker (worker.ts): plain data only.
import type { ExplainDocument, OverviewDocument, TlsCheckDocument, DiffDocument } from "../documents.js";

/** What the person asks: everything but the dump (this is what the URL fragment holds). */
export interface Question {
  port?: string;
  client?: string;
  sni?: string;
  alpn?: string;
  address?: string;
  host?: string;
  path?: string;
  /** With two dumps: which view. */
  view?: "explain" | "tls-check" | "diff";
}

export type ToWorker =
  | { type: "load"; slot: 0 | 1; name: string; text?: string; bytes?: ArrayBuffer; id: number }
  | { type: "clear"; slot: 0 | 1; id: number }
  | { type: "ask"; question: Question; id: number };

export interface Loaded {
  file: string;
  /** Ports the dump listens on or whose chains match, for the port field's suggestions. */
  ports: number[];
  /** One line: what the loader read (mesh, counts). */
  summary: string;
}

export type Answer =
  | { view: "overview"; doc: OverviewDocument; table: string; markdown: string }
  | { view: "explain"; doc: ExplainDocument; table: string; markdown: string }
  | { view: "tls-check"; doc: TlsCheckDocument; table: string; markdown: string }
  | { view: "diff"; doc: DiffDocument; table: string; markdown: string };

export type FromWorker =
  | { type: "progress"; text: string; id: number }
  | { type: "loaded"; slot: 0 | 1; loaded: Loaded; id: number; ms: number }
  | { type: "answer"; answer: Answer; id: number; ms: number }
  | { type: "error"; message: string; bad: boolean; id: number };
