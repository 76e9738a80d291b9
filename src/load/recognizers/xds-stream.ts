// Several xDS messages one after another, as `contour cli lds|cds|rds|eds` prints them (a request, the
// response, the ACK, the next response…; --delta for incremental xDS), or a `---` stream of
// DiscoveryResponses. What the client holds is read: for state-of-the-world responses the latest of
// each type (it replaces the earlier ones whole), for delta responses each applied in turn (resources
// added or replaced by name, removed_resources removed). Requests carry no resources: a NACK among them
// (error_detail) is said as a warning.
import { childPath } from "../../diag.js";
import { str } from "../input.js";
import { resourceKind, resourceName } from "../sections.js";
import { getKey, keyOf } from "../v2.js";
import { canonicalKey, isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

const keys = (...k: string[]) => new Set(k.map(canonicalKey));
/** DiscoveryResponse and DeltaDiscoveryResponse fields (and @type, as a message in a list may carry it). */
const RESPONSE = keys("version_info", "resources", "canary", "type_url", "nonce", "control_plane", "resource_errors", "system_version_info", "removed_resources", "removed_resource_names", "@type");
/** DiscoveryRequest and DeltaDiscoveryRequest fields. */
const REQUEST = keys("version_info", "node", "resource_names", "resource_locators", "type_url", "response_nonce", "error_detail", "resource_names_subscribe", "resource_names_unsubscribe", "resource_locators_subscribe", "resource_locators_unsubscribe", "initial_resource_versions", "@type");

const only = (o: Obj, allowed: ReadonlySet<string>) => Object.keys(o).every((k) => allowed.has(canonicalKey(k)));
const isResponse = (o: unknown): o is Obj => isObject(o) && Array.isArray(getKey(o, "resources")) && only(o, RESPONSE) && (keyOf(o, "type_url") !== undefined || keyOf(o, "version_info") !== undefined || keyOf(o, "nonce") !== undefined || keyOf(o, "system_version_info") !== undefined);
const isRequest = (o: unknown): o is Obj => isObject(o) && getKey(o, "resources") === undefined && only(o, REQUEST) && (keyOf(o, "type_url") !== undefined || keyOf(o, "node") !== undefined || keyOf(o, "response_nonce") !== undefined);

/** A response's resource (a Resource wrapper's inner one) and its name, for replacing it by a later one. */
function named(e: unknown): { name: string; wrapper: boolean } | undefined {
  if (!isObject(e)) return undefined;
  const inner = getKey(e, "resource");
  if (isObject(inner) && typeof inner["@type"] === "string") {
    const kind = resourceKind(inner);
    return { name: str(getKey(e, "name")) ?? (kind ? resourceName(kind, inner) : ""), wrapper: true };
  }
  const kind = resourceKind(e);
  return kind ? { name: resourceName(kind, e), wrapper: false } : undefined;
}

/** A response's type: its type_url, else its first resource's @type. */
function typeOf(r: Obj): string {
  const t = str(getKey(r, "type_url"));
  if (t) return t;
  const first = (getKey(r, "resources") as unknown[])[0];
  if (!isObject(first)) return "";
  const inner = getKey(first, "resource");
  const at = isObject(inner) ? inner["@type"] : first["@type"];
  return typeof at === "string" ? at : "";
}

const short = (type: string) => type.slice(type.lastIndexOf(".") + 1) || "(no type)";

export const xdsStream: Recognizer = {
  shape: "several xDS messages one after another (contour cli lds|cds|rds|eds, --delta too; a --- stream of DiscoveryResponses)",
  detect: (v, forced) => forced === undefined && Array.isArray(v) && v.some(isResponse) && v.every((e) => isResponse(e) || isRequest(e)),
  read(v, path, x) {
    x.input.format = "discovery_response";
    const list = v as Obj[];
    // What the client holds, by type: each resource by name, with where it is (element index, resource index).
    const held = new Map<string, Map<string, { element: Obj; list: string; index: number }>>();
    const responses = new Map<string, { count: number; version?: string }>();
    let requests = 0;
    list.forEach((m, i) => {
      const p = childPath(path, i);
      if (!isResponse(m)) {
        requests++;
        const err = getKey(m, "error_detail");
        if (isObject(err)) {
          const what = short(str(getKey(m, "type_url")) ?? "");
          x.input.diags.warn("nack", `the client rejected ${what} version ${str(getKey(m, "version_info")) ?? "?"} (a NACK): ${str(getKey(err, "message")) ?? "no message"}`, { path: p });
        }
        return;
      }
      const type = typeOf(m);
      const seen = responses.get(type) ?? { count: 0 };
      seen.count++;
      seen.version = str(getKey(m, "version_info")) ?? str(getKey(m, "system_version_info")) ?? seen.version;
      responses.set(type, seen);
      const delta = keyOf(m, "system_version_info") !== undefined || keyOf(m, "removed_resources") !== undefined || keyOf(m, "removed_resource_names") !== undefined;
      const rk = keyOf(m, "resources")!;
      const resources = m[rk] as unknown[];
      // State of the world: this response is all the client holds of its type.
      let byName = held.get(type);
      if (!byName || !delta) held.set(type, (byName = new Map()));
      const removed = getKey(m, "removed_resources");
      if (Array.isArray(removed)) for (const n of removed) if (typeof n === "string") byName.delete(n);
      resources.forEach((e, j) => {
        // Unnamed or unknown elements are kept apart, so that listItem says what they are.
        const key = named(e)?.name ?? `\u0000${i}:${j}`;
        byName!.delete(key); // a replaced resource takes its new place in the order
        byName!.set(key, { element: m, list: childPath(p, rk), index: j });
      });
    });
    for (const [type, byName] of held) {
      const r = responses.get(type)!;
      if (r.count > 1) x.input.diags.note("xds-stream", `${r.count} responses for ${short(type)}: what the client holds after the last (version ${r.version ?? "?"}) is read`);
      for (const { element, list: lp, index } of byName.values()) x.listItem((getKey(element, "resources") as unknown[])[index], index, lp);
    }
    if (requests) x.input.diags.note("xds-stream", `${requests} request(s) among the responses (the client's subscriptions and ACKs) hold no resources`);
  },
};
