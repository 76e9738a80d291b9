// The matcher API (`Listener.filter_chain_matcher`, xds.type.matcher.v3.Matcher) as Envoy
// evaluates it (shared/reference/envoy-matching.md §5): exact and prefix maps with fall-back to
// on_no_match after a nested miss, the IP range and domain matchers, predicate lists,
// keep_matching, and the network inputs' exact string forms.
import { fullMatch } from "../model/regex.js";
import type { ChainModel, ListenerModel } from "../model/listener.js";
import { cidrContains, parseCidr, parseIp } from "./ip.js";
import { isLocalConnection, type ChainLookup, type MatchAttrs } from "./fcm.js";

type Obj = Record<string, unknown>;
type Result = { matched: true; chainName: string } | { matched: false };

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const typeName = (tc: unknown): string => String(obj(tc)["@type"] ?? "").split("/").pop() ?? "";

/** The value a network input produces, or null for "no value" (envoy-matching.md §5.4). */
export function inputValue(input: unknown, a: MatchAttrs): string | null {
  const t = typeName(obj(input).typedConfig);
  switch (t.split(".").pop()) {
    case "DestinationIPInput":
      return a.dstIp ?? null;
    case "DestinationPortInput":
      return a.dstPort !== undefined ? String(a.dstPort) : null;
    case "SourceIPInput":
      return a.srcIp;
    case "SourcePortInput":
      return String(a.srcPort);
    case "DirectSourceIPInput":
      return a.directSrcIp;
    case "SourceTypeInput":
      return isLocalConnection(a) ? "local" : null;
    case "ServerNameInput":
      return a.sni ? a.sni.toLowerCase() : null;
    case "TransportProtocolInput":
      return a.transport || null;
    case "ApplicationProtocolInput":
      return a.alpn.length ? a.alpn.map((p) => `'${p}'`).join(",") : null;
    case "FilterStateInput": {
      // Known only when the user says (--filter-state key=value): a dump does not hold a connection's state.
      const key = String(obj(obj(input).typedConfig).key ?? "");
      return a.filterState && Object.hasOwn(a.filterState, key) ? a.filterState[key]! : null;
    }
    default:
      return null; // network namespace and others: not known from a dump
  }
}

function inputLabel(input: unknown): string {
  const n = typeName(obj(input).typedConfig).split(".").pop() ?? "input";
  return n.replace(/Input$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export function lookupMatcher(l: ListenerModel, a: MatchAttrs): ChainLookup {
  const trace: string[] = [];
  const r = evalMatcher(l.matcher, a, trace, 0);
  const res: ChainLookup = { mode: "filter_chain_matcher", usedDefault: false, steps: [], verdicts: [], matcherTrace: trace };
  if (r.matched) {
    const chain = l.chains.find((c) => c.name === r.chainName);
    if (chain) res.chain = chain;
    else {
      res.missingChainName = r.chainName;
      trace.push(`action names chain "${r.chainName}", which does not exist: Envoy closes the connection (the default chain is not used)`);
    }
  } else if (l.defaultChain) {
    res.chain = l.defaultChain;
    res.usedDefault = true;
    trace.push("no match: the default filter chain takes the connection");
  } else trace.push("no match and no default filter chain");
  res.verdicts = l.chains.map((c: ChainModel) => ({
    chain: c,
    verdict: c === res.chain ? "selected" : "eliminated",
    reason: c === res.chain ? "named by the matcher's action" : r.matched ? `the matcher's action named "${r.chainName}"` : "the matcher reached no action",
  }));
  return res;
}

function evalMatcher(m: unknown, a: MatchAttrs, trace: string[], depth: number): Result {
  const mm = obj(m);
  const pad = "  ".repeat(depth);
  if (mm.matcherTree) {
    const r = evalTree(obj(mm.matcherTree), a, trace, depth);
    if (r.matched) return r;
  } else if (mm.matcherList) {
    const matchers = (obj(mm.matcherList).matchers as unknown[]) ?? [];
    for (const [i, fm] of matchers.entries()) {
      const ok = evalPredicate(obj(fm).predicate, a);
      trace.push(`${pad}list entry ${i}: predicate ${ok ? "true" : "false"}`);
      if (!ok) continue;
      const r = evalOnMatch(obj(fm).onMatch, a, trace, depth + 1);
      if (r.matched) return r;
    }
  }
  if (mm.onNoMatch) {
    trace.push(`${pad}on_no_match`);
    return evalOnMatch(mm.onNoMatch, a, trace, depth + 1);
  }
  return { matched: false };
}

function evalOnMatch(om: unknown, a: MatchAttrs, trace: string[], depth: number): Result {
  const o = obj(om);
  const pad = "  ".repeat(depth);
  let r: Result = { matched: false };
  if (o.matcher) r = evalMatcher(o.matcher, a, trace, depth);
  else if (o.action) {
    const action = obj(o.action);
    const tc = obj(action.typedConfig);
    const name = typeName(tc) === "google.protobuf.StringValue" ? String(tc.value ?? "") : "";
    trace.push(`${pad}action → filter chain "${name}"`);
    r = { matched: true, chainName: name };
  }
  if (r.matched && o.keepMatching === true) {
    trace.push(`${pad}keep_matching: treated as no match`);
    return { matched: false };
  }
  return r;
}

function evalTree(tree: Obj, a: MatchAttrs, trace: string[], depth: number): Result {
  const pad = "  ".repeat(depth);
  const v = inputValue(tree.input, a);
  const label = inputLabel(tree.input);
  if (tree.exactMatchMap) {
    const map = obj(obj(tree.exactMatchMap).map);
    trace.push(`${pad}${label} = ${v === null ? "(no value)" : JSON.stringify(v)}: exact map`);
    if (v === null) return { matched: false };
    if (Object.prototype.hasOwnProperty.call(map, v)) return evalOnMatch(map[v], a, trace, depth + 1);
    trace.push(`${pad}  no key ${JSON.stringify(v)}`);
    return { matched: false };
  }
  if (tree.prefixMatchMap) {
    const map = obj(obj(tree.prefixMatchMap).map);
    trace.push(`${pad}${label} = ${v === null ? "(no value)" : JSON.stringify(v)}: prefix map`);
    if (v === null) return { matched: false };
    const keys = Object.keys(map).filter((k) => v.startsWith(k)).sort((x, y) => y.length - x.length);
    for (const k of keys) {
      trace.push(`${pad}  prefix ${JSON.stringify(k)}`);
      const r = evalOnMatch(map[k], a, trace, depth + 2);
      if (r.matched) return r;
    }
    return { matched: false };
  }
  if (tree.customMatch) {
    const cm = obj(tree.customMatch);
    const tc = obj(cm.typedConfig);
    const t = typeName(tc);
    trace.push(`${pad}${label} = ${v === null ? "(no value)" : JSON.stringify(v)}: ${t.split(".").pop()}`);
    if (v === null) return { matched: false };
    if (t === "xds.type.matcher.v3.IPMatcher") {
      const ip = parseIp(v);
      if (!ip) return { matched: false };
      const cands: { len: number; order: number; om: unknown; exclusive: boolean; key: string }[] = [];
      ((tc.rangeMatchers as unknown[]) ?? []).forEach((rm, order) => {
        for (const r of (obj(rm).ranges as unknown[]) ?? []) {
          const c = parseCidr(String(obj(r).addressPrefix ?? ""), Number(obj(r).prefixLen ?? 0));
          if (c && cidrContains(c, ip)) cands.push({ len: c.len, order, om: obj(rm).onMatch, exclusive: obj(rm).exclusive === true, key: c.key });
        }
      });
      cands.sort((x, y) => y.len - x.len || x.order - y.order);
      for (const [i, c] of cands.entries()) {
        if (c.exclusive && i > 0) continue;
        trace.push(`${pad}  range ${c.key}`);
        const r = evalOnMatch(c.om, a, trace, depth + 2);
        if (r.matched) return r;
      }
      return { matched: false };
    }
    if (t === "xds.type.matcher.v3.ServerNameMatcher") {
      const entries: { key: string; om: unknown }[] = [];
      for (const dm of (tc.domainMatchers as unknown[]) ?? []) for (const d of (obj(dm).domains as string[]) ?? []) entries.push({ key: d.toLowerCase(), om: obj(dm).onMatch });
      const order: string[] = [v];
      for (let i = v.indexOf("."); i >= 0; i = v.indexOf(".", i + 1)) order.push(`*${v.slice(i)}`);
      order.push("*");
      for (const k of order) {
        for (const e of entries.filter((x) => x.key === k)) {
          trace.push(`${pad}  domain ${k}`);
          const r = evalOnMatch(e.om, a, trace, depth + 2);
          if (r.matched) return r;
        }
      }
      return { matched: false };
    }
    trace.push(`${pad}  unsupported custom matcher ${t}: treated as no match`);
  }
  return { matched: false };
}

function evalPredicate(p: unknown, a: MatchAttrs): boolean {
  const pr = obj(p);
  if (pr.singlePredicate) {
    const sp = obj(pr.singlePredicate);
    const v = inputValue(sp.input, a);
    if (sp.valueMatch) return v !== null && stringMatch(obj(sp.valueMatch), v);
    if (sp.customMatch) {
      const tc = obj(obj(sp.customMatch).typedConfig);
      if (typeName(tc) === "envoy.extensions.matching.input_matchers.ip.v3.Ip") {
        const ip = v === null ? undefined : parseIp(v);
        if (!ip) return false;
        return ((tc.cidrRanges as unknown[]) ?? []).some((r) => {
          const c = parseCidr(String(obj(r).addressPrefix ?? ""), Number(obj(r).prefixLen ?? 0));
          return !!c && cidrContains(c, ip);
        });
      }
    }
    return false;
  }
  if (pr.orMatcher) return ((obj(pr.orMatcher).predicate as unknown[]) ?? []).some((q) => evalPredicate(q, a));
  if (pr.andMatcher) return ((obj(pr.andMatcher).predicate as unknown[]) ?? []).every((q) => evalPredicate(q, a));
  if (pr.notMatcher) return !evalPredicate(pr.notMatcher, a);
  return false;
}

function stringMatch(m: Obj, v: string): boolean {
  const ic = m.ignoreCase === true;
  const val = ic ? v.toLowerCase() : v;
  const norm = (s: unknown) => (ic ? String(s).toLowerCase() : String(s));
  if (m.exact !== undefined) return val === norm(m.exact);
  if (m.prefix !== undefined) return val.startsWith(norm(m.prefix));
  if (m.suffix !== undefined) return val.endsWith(norm(m.suffix));
  if (m.contains !== undefined) return val.includes(norm(m.contains));
  if (m.safeRegex) return fullMatch(String(obj(m.safeRegex).regex ?? ""), v);
  return false;
}

/** For each chain name, the matcher conditions that lead to it ("destination port = 443 & server name *.example.com"). */
export function matcherPaths(m: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, conds: string[]) => {
    const list = out.get(name) ?? [];
    list.push(conds.length ? conds.join(" & ") : "always");
    out.set(name, list);
  };
  const onMatch = (om: unknown, conds: string[]) => {
    const o = obj(om);
    if (o.matcher) walk(o.matcher, conds);
    else if (o.action) {
      const tc = obj(obj(o.action).typedConfig);
      add(String(tc.value ?? ""), o.keepMatching === true ? [...conds, "(keep_matching)"] : conds);
    }
  };
  const walk = (mm: unknown, conds: string[]) => {
    const x = obj(mm);
    if (x.matcherTree) {
      const t = obj(x.matcherTree);
      const label = inputLabel(t.input);
      for (const [k, v] of Object.entries(obj(obj(t.exactMatchMap).map))) onMatch(v, [...conds, `${label} = ${k}`]);
      for (const [k, v] of Object.entries(obj(obj(t.prefixMatchMap).map))) onMatch(v, [...conds, `${label} starts with ${k}`]);
      const tc = obj(obj(t.customMatch).typedConfig);
      for (const rm of (tc.rangeMatchers as unknown[]) ?? []) {
        const ranges = ((obj(rm).ranges as unknown[]) ?? []).map((r) => `${String(obj(r).addressPrefix ?? "")}/${String(obj(r).prefixLen ?? 0)}`);
        onMatch(obj(rm).onMatch, [...conds, `${label} in ${ranges.join(",")}`]);
      }
      for (const dm of (tc.domainMatchers as unknown[]) ?? []) onMatch(obj(dm).onMatch, [...conds, `${label} ${((obj(dm).domains as string[]) ?? []).join(",")}`]);
    } else if (x.matcherList) {
      for (const fm of (obj(x.matcherList).matchers as unknown[]) ?? []) onMatch(obj(fm).onMatch, [...conds, predicateText(obj(fm).predicate)]);
    }
    if (x.onNoMatch) onMatch(x.onNoMatch, [...conds, "otherwise"]);
  };
  walk(m, []);
  return out;
}

function predicateText(p: unknown): string {
  const pr = obj(p);
  if (pr.singlePredicate) {
    const sp = obj(pr.singlePredicate);
    const vm = obj(sp.valueMatch);
    const how = Object.entries(vm).find(([k]) => k !== "ignoreCase");
    if (how) return `${inputLabel(sp.input)} ${how[0]} ${typeof how[1] === "object" ? String(obj(how[1]).regex ?? JSON.stringify(how[1])) : String(how[1])}`;
    return `${inputLabel(sp.input)} matches ${typeName(obj(obj(sp.customMatch).typedConfig)).split(".").pop()}`;
  }
  if (pr.orMatcher) return `(${((obj(pr.orMatcher).predicate as unknown[]) ?? []).map(predicateText).join(" or ")})`;
  if (pr.andMatcher) return `(${((obj(pr.andMatcher).predicate as unknown[]) ?? []).map(predicateText).join(" and ")})`;
  if (pr.notMatcher) return `not ${predicateText(pr.notMatcher)}`;
  return "?";
}
