// Reading an input into text: files, "-" for stdin, gzip by magic bytes; clear errors for
// empty, binary and too-large inputs.
import fs from "node:fs";
import zlib from "node:zlib";
import { InputError } from "../diag.js";

/** V8's longest string (Node 20): a larger file cannot be held as one string. */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;

export function readInputBytes(file: string): Buffer {
  try {
    if (file === "-") return fs.readFileSync(0);
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new InputError(file, "is a directory, not a dump file");
    if (st.size > MAX_TEXT_BYTES) throw tooLarge(file, st.size);
    return fs.readFileSync(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new InputError(file, "no such file");
    if (err.code === "EACCES") throw new InputError(file, "permission denied");
    throw new InputError(file, `cannot read: ${err.message}`);
  }
}

function tooLarge(file: string, size: number): InputError {
  return new InputError(
    file,
    `too large to read as text (${(size / 2 ** 20).toFixed(0)} MiB; Node holds at most 512 MiB in one string). ` +
      `Ask Envoy for one section, e.g. /config_dump?resource=dynamic_listeners, or split the file.`,
  );
}

export function decodeText(file: string, bytes: Buffer): string {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf, { maxOutputLength: MAX_TEXT_BYTES });
    } catch (e) {
      const msg = (e as Error).message;
      if (/Cannot create a Buffer larger|maxOutputLength|buffer.*large/i.test(msg)) throw tooLarge(file, MAX_TEXT_BYTES + 1);
      if (/unexpected end of file/i.test(msg)) throw new InputError(file, "gzip data is cut off (unexpected end of file)");
      throw new InputError(file, `not valid gzip data: ${msg}`);
    }
  }
  if (buf.length === 0 || buf.toString("utf8", 0, Math.min(buf.length, 4096)).trim() === "" && buf.toString("utf8").trim() === "") {
    throw new InputError(file, "is empty: expected an Envoy config dump, istioctl proxy-config output or a bootstrap");
  }
  const head = buf.subarray(0, Math.min(buf.length, 8192));
  if (head.includes(0)) {
    throw new InputError(file, "is binary data, not a text dump (a protobuf-encoded dump? ask Envoy's admin /config_dump for JSON)");
  }
  let text = buf.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  return text;
}
