// tls-check over a fleet of dumps, one per proxy: every client cluster paired with the proxy that owns
// its endpoints, and what that proxy does with what the client sends. In three steps, so that no more
// than one dump is held at a time and each step can run on another thread:
//   1. indexProxy: one pass over each dump keeps what pairing needs (its IPs, its inbound ports and
//      their modes, what each outbound cluster sends to which endpoint), small and cloneable;
//   2. pairFleet: the indexes alone pair clients with servers (the client's EDS lists the server's IP;
//      without EDS, the SNI the server's chains ask for, then Istio's cluster names against the server's
//      app, as tls-check pairs two dumps) and list, per server, the distinct connections to replay;
//   3. replayOnServer: each server's dump, read again, replays those connections through the explain
//      engine (the same verdicts as tls-check); fleetReport puts rows together from the answers.
// Rows and reasons are tls-check's: the same verdict() and endpointReason() make them.
import type { LoadedInput, ResourceRecord } from "../load/input.js";
import { parseIstioClusterName, clusterModel } from "../model/cluster.js";
import { clusterEndpoints, endpointRecordFor, endpointsForCluster } from "../model/endpoint.js";
import { portIsHttp } from "../model/listener.js";
import { sendsText, upstreamPlan, type UpstreamPlan, type UpstreamSends } from "../model/upstream.js";
import { captureModel, proxyIps, proxyRole } from "../explain/capture.js";
import { fileStem } from "./proxyname.js";
import {
  capturesNothing,
  chainText,
  clientFromSends,
  clusterSnis,
  endpointReason,
  inboundPorts,
  inboundServerNames,
  portMode,
  portModeText,
  portOf,
  run,
  serviceToTargetPorts,
  usesIstioAlpn,
  verdict,
  whyNoPort,
  withIstioAlpn,
  type PortMode,
  type Status,
} from "./tlscheck.js";

/** A dump of the fleet: its file (or name) and how to read it (each call reads it again). */
export interface FleetMember {
  file: string;
  load(): Promise<LoadedInput> | LoadedInput;
  /** The fleet is through with what load() gave: by default it is closed (a streamed input keeps its file open). */
  release?(input: LoadedInput): void;
}

/** Lets go of a member's input once the fleet has what it needs of it. */
export function releaseInput(m: FleetMember, input: LoadedInput): void {
  if (m.release) m.release(input);
  else input.close();
}

/** What a client cluster sends to one endpoint; `sends` indexes the proxy's interned list. */
export interface IndexedEndpoint {
  endpoint: string;
  tlsMode?: string;
  sends: number;
}

export interface IndexedCluster {
  cluster: string;
  host: string;
  /** Istio's service port, 0 when the name does not say. */
  servicePort: number;
  /** Named by Istio (outbound|PORT|SUBSET|HOST). */
  istioNamed: boolean;
  mode: UpstreamPlan["mode"];
  notes: string[];
  edsInDump: boolean;
  /** Where its connections go (ip:port), from EDS or the cluster's own load assignment. */
  addresses: string[];
  snis: string[];
  /** What it sends, per endpoint as the plan gives it (auto mTLS assumed "istio" when EDS is not in the dump). */
  endpoints: IndexedEndpoint[];
  /** Without EDS: what it sends when the server's port is DISABLE (Istio then drops the tlsMode label). */
  endpointsPlain?: IndexedEndpoint[];
}

/** One proxy's part of the fleet, kept while the others are read: plain data, cloneable to another thread. */
export interface ProxyIndex {
  name: string;
  file: string;
  role: string;
  mesh: string;
  app?: string;
  ips: string[];
  /** The ports other hosts connect to, with their modes. */
  ports: PortMode[];
  /** Why no port was found, when none was. */
  noPort?: string;
  /** Istio's service port → target port, from this proxy's own dump. */
  serviceToTarget: [number, { target: number; how: string }][];
  /** SNI → destination port of its inbound chains. */
  serverNames: [string, number][];
  /** A proxy that captures no inbound traffic (a gateway, plain Envoy). */
  gateway: boolean;
  /** Its HTTP requests offer istio-http/1.1 (Istio's istio.alpn filter). */
  istioAlpn: boolean;
  /** What its clusters' endpoints send (IndexedEndpoint.sends indexes it); after FleetInterner.add, the fleet's one list. */
  sends: UpstreamSends[];
  /** Its outbound clusters: after FleetInterner.add, objects shared with every proxy that holds the same cluster (read only). */
  clusters: IndexedCluster[];
  /** Each cluster's JSON path in its dump (by position in `clusters`). */
  paths: string[];
}

/** A cluster as the fleet reads it, before its sends are interned in a proxy's list. */
interface DecodedCluster {
  cluster: string;
  named: boolean;
  plan: UpstreamPlan;
  plain: UpstreamPlan | undefined;
  /** Each plan endpoint's sends as JSON, the key it is interned by. */
  planKeys: string[];
  plainKeys: string[];
  addresses: string[];
  snis: string[];
}

/** The most text the memo's keys hold (64 MiB of UTF-16): past that it starts again. */
const MEMO_CHARS = 32 << 20;
/** The largest resource text a memo key is made of (larger ones are decoded every time). */
const MEMO_TEXT = 1 << 20;

/**
 * Decoded clusters by their key's parts, one map per part: each part is a string already read (a
 * resource's element text, kept on its record), so a lookup hashes no new text and copies none.
 */
class ClusterMemo {
  private root = new Map<string, unknown>();
  private chars = 0;
  get(parts: string[]): DecodedCluster | undefined {
    let at: unknown = this.root;
    for (const p of parts) {
      at = (at as Map<string, unknown>).get(p);
      if (at === undefined) return undefined;
    }
    return at as DecodedCluster;
  }
  set(parts: string[], k: DecodedCluster): void {
    const size = parts.reduce((n, p) => n + p.length, 0);
    if (size > MEMO_TEXT) return;
    if (this.chars + size > MEMO_CHARS) {
      this.root = new Map();
      this.chars = 0;
    }
    let at = this.root;
    for (const p of parts.slice(0, -1)) {
      let next = at.get(p) as Map<string, unknown> | undefined;
      if (!next) at.set(p, (next = new Map()));
      at = next;
    }
    at.set(parts[parts.length - 1]!, k);
    this.chars += size;
  }
}
const clusterMemo = new ClusterMemo();

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * The memo key of a cluster: the input's API version, its name, its text and its EDS resource's text, as
 * read. The same key is the same cluster decoded the same way: what a cluster sends is a function of its
 * own JSON and its EDS resource's alone.
 */
function memoKey(input: LoadedInput, rec: ResourceRecord): string[] | undefined {
  // Only a cluster (and EDS resource, below) known to decode without a word (an equal one did, in this
  // thread): one that warns is read in every dump, so that each dump's warnings are its own. A dump read
  // as text (gzip, YAML, a pod's) has no element text to know it by: its clusters are decoded.
  const inFile = rec.elementText();
  if (inFile === undefined || !rec.decodesClean()) return undefined;
  // The EDS resource is found by the cluster's service name, read here without parsing the cluster: the
  // EDS resource of every service name the text holds (one of them is the cluster's), and of its own name.
  const names = new Set<string | undefined>([undefined]);
  const re = /"service_?[nN]ame"\s*:\s*"([^"\\]*)"/g;
  let found = 0;
  for (let m = re.exec(inFile); m; m = re.exec(inFile)) {
    names.add(m[1]);
    found++;
  }
  // A service name with an escape (or spaced otherwise) is not read here: the cluster is decoded after all.
  if (found !== occurrences(inFile, '"service_name"') + occurrences(inFile, '"serviceName"')) return undefined;
  const eds = [...names].map((n) => endpointRecordFor(input, rec.name, n));
  if (eds.some((ep) => ep && !ep.decodesClean())) return undefined;
  return [input.api, rec.name, inFile, ...[...names].flatMap((n, i) => [n ?? "", eds[i] ? (eds[i].elementText() ?? JSON.stringify(eds[i].raw)) : ""])];
}

/** Reads what the fleet needs of one dump. */
export function indexProxy(input: LoadedInput, name: string): ProxyIndex {
  const ports = inboundPorts(input);
  const sends: UpstreamSends[] = [];
  const sendsIds = new Map<string, number>();
  const intern = (s: UpstreamSends, key: string) => {
    let id = sendsIds.get(key);
    if (id === undefined) sendsIds.set(key, (id = sends.push(s) - 1));
    return id;
  };
  const endpointsOf = (plan: UpstreamPlan, keys: string[]): IndexedEndpoint[] =>
    plan.endpoints.map((e, i) => ({ endpoint: e.endpoint, ...(typeof e.socketMatch.tlsMode === "string" ? { tlsMode: e.socketMatch.tlsMode } : {}), sends: intern(e.sends, keys[i]!) }));
  const clusters: IndexedCluster[] = [];
  const paths: string[] = [];
  for (const rec of input.clusters) {
    const named = parseIstioClusterName(rec.name);
    if (named && named.direction !== "outbound") continue;
    // What a cluster sends is a function of its JSON and its EDS resource's alone: proxies of one mesh hold
    // the same clusters, decoded once per thread.
    const key = memoKey(input, rec);
    let k = key === undefined ? undefined : clusterMemo.get(key);
    if (!k) {
      const c = clusterModel(rec);
      const plan = upstreamPlan(input, rec.name, "istio");
      if (!plan) continue;
      const eps = named ? endpointsForCluster(input, c.name, c.edsServiceName) : clusterEndpoints(input, c);
      const plain = plan.edsInDump ? undefined : upstreamPlan(input, rec.name, null);
      const keysOf = (p: UpstreamPlan) => p.endpoints.map((e) => JSON.stringify(e.sends));
      k = { cluster: c.name, named: !!named, plan, plain, planKeys: keysOf(plan), plainKeys: plain ? keysOf(plain) : [], addresses: (eps ?? []).map((e) => e.address), snis: clusterSnis(c) };
      if (key !== undefined) clusterMemo.set(key, k);
    }
    paths.push(rec.path);
    clusters.push({
      cluster: k.cluster,
      host: named?.host ?? rec.name,
      servicePort: named?.port ?? 0,
      istioNamed: k.named,
      mode: k.plan.mode,
      notes: k.plan.notes,
      edsInDump: k.plan.edsInDump,
      addresses: k.addresses,
      snis: k.snis,
      endpoints: endpointsOf(k.plan, k.planKeys),
      ...(k.plain ? { endpointsPlain: endpointsOf(k.plain, k.plainKeys) } : {}),
    });
  }
  const app = input.identity?.app;
  return {
    name,
    file: input.file,
    role: proxyRole(input),
    mesh: captureModel(input).mesh,
    ...(app ? { app } : {}),
    ips: proxyIps(input).ips,
    ports: ports.map((p) => portMode(input, p)),
    ...(ports.length ? {} : { noPort: whyNoPort(input) }),
    serviceToTarget: [...serviceToTargetPorts(input)],
    serverNames: [...inboundServerNames(input)],
    gateway: capturesNothing(input),
    istioAlpn: clusters.length > 0 && usesIstioAlpn(input),
    sends,
    clusters,
    paths,
  };
}

/**
 * Keeps a fleet's indexes small as they arrive: proxies of one mesh hold the same clusters (the same
 * name, endpoints and sends), so each distinct cluster is kept once and shared, the sends of every proxy
 * are kept in one list, and repeated paths and names are one string. Exact: a cluster is shared only
 * with one equal to it in every field.
 */
export class FleetInterner {
  readonly sends: UpstreamSends[] = [];
  private readonly sendsIds = new Map<string, number>();
  /** Kept clusters by name and addresses, each with its JSON (what "equal in every field" compares). */
  private readonly clusters = new Map<string, { cluster: IndexedCluster; json: string }[]>();
  private readonly strings = new Map<string, string>();
  private str(s: string): string {
    const had = this.strings.get(s);
    if (had !== undefined) return had;
    if (this.strings.size < 1_000_000) this.strings.set(s, s);
    return s;
  }
  /** Rewrites `index` in place to share what the fleet already holds; returns it. */
  add(index: ProxyIndex): ProxyIndex {
    const ids = index.sends.map((x) => {
      const key = JSON.stringify(x);
      let id = this.sendsIds.get(key);
      if (id === undefined) this.sendsIds.set(key, (id = this.sends.push(x) - 1));
      return id;
    });
    const remap = (eps: IndexedEndpoint[] | undefined) => eps?.map((e) => ({ ...e, endpoint: this.str(e.endpoint), sends: ids[e.sends]! }));
    index.clusters = index.clusters.map((k) => {
      const own: IndexedCluster = { ...k, endpoints: remap(k.endpoints)!, ...(k.endpointsPlain ? { endpointsPlain: remap(k.endpointsPlain)! } : {}) };
      const bucketKey = `${k.cluster}\u0000${k.addresses.join(",")}`;
      const bucket = this.clusters.get(bucketKey);
      const json = JSON.stringify(own);
      const same = bucket?.find((c) => c.json === json);
      if (same) return same.cluster;
      own.cluster = this.str(own.cluster);
      own.host = this.str(own.host);
      own.addresses = own.addresses.map((a) => this.str(a));
      if (bucket) bucket.push({ cluster: own, json });
      else this.clusters.set(bucketKey, [{ cluster: own, json }]);
      return own;
    });
    index.paths = index.paths.map((p) => this.str(p));
    index.sends = this.sends;
    return index;
  }
}

/** One connection to replay on a server: its target port and what the client sends. */
export interface ReplayRequest {
  key: string;
  port: number;
  sends: UpstreamSends;
  /** The client's HTTP requests offer istio-http/1.1 (applied where the server's port is HTTP). */
  istioAlpn: boolean;
}

/** The server's answer to one request: tls-check's verdict, before the client's part of the reason. */
export interface ReplayAnswer {
  status: Status;
  reason: string;
  chain: string;
  outcome: string;
  sends: string;
  mode: string;
}

/** What a replay needs to know of its server's index. */
export type ServerPorts = Pick<ProxyIndex, "mesh" | "ports">;

/** Replays each request through the server's listeners (each distinct connection once). */
export function replayOnServer(server: LoadedInput, index: ServerPorts, requests: ReplayRequest[]): Map<string, ReplayAnswer> {
  const out = new Map<string, ReplayAnswer>();
  for (const q of requests) {
    if (out.has(q.key)) continue;
    const sends = q.istioAlpn && portIsHttp(server, q.port) ? withIstioAlpn(q.sends) : q.sends;
    const pm = index.ports.find((p) => p.port === q.port);
    const modeText = portModeText(pm, index.mesh);
    const r = sends.quic ? undefined : run(server, q.port, clientFromSends(sends, server, q.port));
    const v = r
      ? verdict(sends, r, q.port, modeText)
      : { status: "UNKNOWN" as Status, reason: `client sends ${sendsText(sends)}; tls-check replays TCP connections, and this one goes over UDP to a QUIC listener on port ${q.port}: not checked` };
    out.set(q.key, { ...v, chain: r ? chainText(r) : "not replayed (UDP)", outcome: r ? r.outcome.code : "NOT_REPLAYED", sends: sendsText(sends), mode: sends.mode });
  }
  return out;
}

/** A client cluster's endpoints at one server, and the port they arrive on there. */
interface Meeting {
  client: number;
  cluster: number;
  server: number;
  target: number;
  /** How the client's cluster was found to reach this server. */
  by: PairedBy;
  mappedBy?: string;
  /** The endpoints replayed (the plan's entries; often the cluster's own list, shared). */
  eps: IndexedEndpoint[];
  /** For each of eps, its request's place in the server's list of requests. */
  reqs: number[];
}

/** How a client cluster was paired with a server: its EDS lists the server's IP, a DNS endpoint names the server's dump, the server's chain asks for the SNI it sends, or Istio's names (the service is the server's app). */
export type PairedBy = "eds" | "host" | "sni" | "name";

export interface FleetPairing {
  meetings: Meeting[];
  /** Per server (index into the fleet), the distinct connections to replay there. */
  requests: Map<number, ReplayRequest[]>;
  /** Client clusters whose endpoints are all at addresses no dump of the fleet owns. */
  outside: number;
  /** IPs that more than one dump claims (the first dump keeps it). */
  sharedIps: { ip: string; proxies: string[] }[];
}

const STATUS_RANK: Record<Status, number> = { OK: 0, PLAINTEXT: 1, UNKNOWN: 2, CONFLICT: 3 };

/** Pairs every client cluster with the fleet's proxies it reaches, from the indexes alone. */
export function pairFleet(fleet: ProxyIndex[]): FleetPairing {
  const owner = new Map<string, number>();
  const claims = new Map<string, number[]>();
  fleet.forEach((p, i) => {
    for (const ip of p.ips) {
      if (!owner.has(ip)) owner.set(ip, i);
      else claims.set(ip, [...(claims.get(ip) ?? [owner.get(ip)!]), i]);
    }
  });
  const bySni = new Map<string, { server: number; port: number }[]>();
  const byApp = new Map<string, number[]>();
  fleet.forEach((p, i) => {
    for (const [sni, port] of p.serverNames) {
      const list = bySni.get(sni);
      if (list) list.push({ server: i, port });
      else bySni.set(sni, [{ server: i, port }]);
    }
    if (p.app) byApp.set(p.app, [...(byApp.get(p.app) ?? []), i]);
  });
  // A DNS cluster's endpoint names a host: the proxy whose dump is saved under exactly that name (its
  // file's stem or its own name, as Docker Compose names services). Not a part of the name: api.example.com
  // is not the dump saved as api.json.
  const byHost = new Map<string, number>();
  fleet.forEach((p, i) => {
    for (const n of [fileStem(p.file), p.name]) if (n && !byHost.has(n.toLowerCase())) byHost.set(n.toLowerCase(), i);
  });
  const hostOwner = (host: string): number | undefined => {
    if (!/[a-z]/i.test(host) || host.includes(":")) return undefined;
    return byHost.get(host.toLowerCase().replace(/\.$/, ""));
  };
  const requests = new Map<number, Map<string, number>>();
  const meetings: Meeting[] = [];
  let outside = 0;
  // A request is known by its port, the client's ALPN and what it sends (the sends object: proxies share
  // one list once interned, so equal sends are one object; else equal ones are only replayed twice).
  const sendsIds = new Map<UpstreamSends, number>();
  const requestLists = new Map<number, ReplayRequest[]>();
  const request = (client: ProxyIndex, server: number, port: number, e: IndexedEndpoint): number => {
    const sends = client.sends[e.sends]!;
    let sid = sendsIds.get(sends);
    if (sid === undefined) sendsIds.set(sends, (sid = sendsIds.size));
    const key = `${port}:${client.istioAlpn ? 1 : 0}:${sid}`;
    let forServer = requests.get(server);
    if (!forServer) requests.set(server, (forServer = new Map()));
    let at = forServer.get(key);
    if (at === undefined) {
      let list = requestLists.get(server);
      if (!list) requestLists.set(server, (list = []));
      forServer.set(key, (at = list.push({ key, port, sends, istioAlpn: client.istioAlpn }) - 1));
    }
    return at;
  };
  const meet = (ci: number, ki: number, si: number, target: number, by: PairedBy, eps: IndexedEndpoint[], mappedBy?: string) => {
    const client = fleet[ci]!;
    meetings.push({ client: ci, cluster: ki, server: si, target, by, ...(mappedBy ? { mappedBy } : {}), eps, reqs: eps.map((e) => request(client, si, target, e)) });
  };
  fleet.forEach((client, ci) => {
    client.clusters.forEach((k, ki) => {
      if (k.addresses.length) {
        // The client's EDS (or the cluster's own endpoints) names the servers by IP.
        const at = new Map<number, string[]>();
        let byName = false;
        for (const a of k.addresses) {
          const host = a.replace(/^\[|\]?:\d+$/g, "");
          let s = owner.get(host);
          if (s === undefined && (s = hostOwner(host)) !== undefined) byName = true;
          if (s !== undefined) at.set(s, [...(at.get(s) ?? []), a]);
        }
        if (!at.size) {
          outside++;
          return;
        }
        for (const [si, reaching] of at) {
          const mine = k.endpoints.filter((e) => reaching.includes(e.endpoint));
          meet(ci, ki, si, portOf(reaching[0]!), byName ? "host" : "eds", mine.length === k.endpoints.length ? k.endpoints : mine.length ? mine : k.endpoints);
        }
        return;
      }
      // No endpoints in the dump: the SNI a server's inbound chains ask for, then Istio's names.
      for (const sni of k.snis) {
        for (const { server, port } of bySni.get(sni) ?? []) {
          meet(ci, ki, server, port, "sni", plainOr(k, fleet[server]!, port));
        }
        if (bySni.has(sni)) return;
      }
      if (!k.istioNamed) return;
      for (const si of byApp.get(k.host.split(".")[0]!) ?? []) {
        const server = fleet[si]!;
        const mapped = server.serviceToTarget.find(([sp]) => sp === k.servicePort)?.[1];
        const target = mapped?.target ?? (server.ports.some((p) => p.port === k.servicePort) ? k.servicePort : undefined);
        if (target === undefined) continue;
        meet(ci, ki, si, target, "name", plainOr(k, server, target), mapped?.how);
      }
    });
  });
  const sharedIps = [...claims].map(([ip, list]) => ({ ip, proxies: list.map((i) => fleet[i]!.name) }));
  return { meetings, requests: requestLists, outside, sharedIps };
}

/** Without EDS, what a cluster sends to a server's port: Istio drops the tlsMode label where the port is DISABLE. */
function plainOr(k: IndexedCluster, server: ProxyIndex, port: number): IndexedEndpoint[] {
  const mode = server.ports.find((p) => p.port === port)?.mode;
  return mode === "DISABLE" && k.endpointsPlain ? k.endpointsPlain : k.endpoints;
}

/** One client cluster (a client proxy × a service port) and what the fleet's servers make of it. */
export interface FleetRow {
  client: string;
  cluster: string;
  host: string;
  port: number;
  clientMode: string;
  sends: string;
  /** The server whose answer is the row's (the worst), its port and mode, the chain taken. */
  server: string;
  serverPort: number;
  serverMode: string;
  chain: string;
  outcome: string;
  status: Status;
  reason: string;
  /** Every server this cluster reaches, each with its status. */
  servers: { name: string; status: Status; by: PairedBy; endpoints: string[] }[];
}

export interface FleetReport {
  proxies: { name: string; file: string; role: string; mesh: string; ips: string[]; ports: { port: number; mode: string }[]; clusters: number; noPort?: string }[];
  summary: {
    proxies: number;
    /** Client proxy → server proxy pairs that meet. */
    pairs: number;
    rows: number;
    byStatus: Record<Status, number>;
    /** Client clusters whose endpoints are all outside the fleet. */
    outside: number;
    /** Connections replayed (each distinct one once per server). */
    replays: number;
  };
  rows: FleetRow[];
  notes: string[];
}

/** The fleet's rows from the pairing and the servers' answers (server index → request key → answer). */
export function fleetReport(fleet: ProxyIndex[], pairing: FleetPairing, answers: Map<number, Map<string, ReplayAnswer>>): FleetReport {
  const rows = new Map<string, FleetRow>();
  const pairs = new Set<string>();
  for (const m of pairing.meetings) {
    const client = fleet[m.client]!;
    const server = fleet[m.server]!;
    const k = client.clusters[m.cluster]!;
    pairs.add(`${m.client}>${m.server}`);
    const got = answers.get(m.server);
    const servicePort = k.servicePort || m.target;
    const pm = server.ports.find((p) => p.port === m.target);
    let worst: { a: ReplayAnswer; reason: string; e: IndexedEndpoint } | undefined;
    const list = pairing.requests.get(m.server)!;
    for (let i = 0; i < m.eps.length; i++) {
      const e = m.eps[i]!;
      const a = got?.get(list[m.reqs[i]!]!.key);
      if (!a) continue;
      const reason = endpointReason(a.reason, { planMode: k.mode, edsInDump: k.edsInDump, endpoint: e.endpoint, tlsMode: e.tlsMode, serverMode: portModeText(pm, server.mesh), target: m.target, servicePort, ...(m.mappedBy ? { mappedBy: m.mappedBy } : {}) });
      if (!worst || STATUS_RANK[a.status] > STATUS_RANK[worst.a.status]) worst = { a, reason, e };
    }
    if (!worst) continue;
    const id = `${m.client}\u0000${k.cluster}`;
    const endpoints = m.eps.map((e) => e.endpoint);
    const row = rows.get(id);
    if (row) {
      row.servers.push({ name: server.name, status: worst.a.status, by: m.by, endpoints });
      if (STATUS_RANK[worst.a.status] <= STATUS_RANK[row.status]) continue;
    }
    const mode = k.mode === "AUTO" ? `AUTO → ${worst.a.mode}` : k.mode;
    const fields = { clientMode: mode, sends: worst.a.sends, server: server.name, serverPort: m.target, serverMode: pm?.mode ?? "unknown", chain: worst.a.chain, outcome: worst.a.outcome, status: worst.a.status, reason: worst.reason };
    if (row) Object.assign(row, fields);
    else rows.set(id, { client: client.name, cluster: k.cluster, host: k.host, port: servicePort, ...fields, servers: [{ name: server.name, status: worst.a.status, by: m.by, endpoints }] });
  }
  const list = [...rows.values()].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || cmp(a.client, b.client) || cmp(a.host, b.host) || a.port - b.port || cmp(a.cluster, b.cluster));
  const byStatus: Record<Status, number> = { CONFLICT: 0, UNKNOWN: 0, PLAINTEXT: 0, OK: 0 };
  for (const r of list) byStatus[r.status]++;
  const notes: string[] = [];
  for (const s of pairing.sharedIps) notes.push(`${s.ip} is the IP of more than one dump (${s.proxies.join(", ")}): clusters reaching it were paired with ${s.proxies[0]}`);
  const noPort = fleet.filter((p) => !p.ports.length);
  if (noPort.length) notes.push(`${noPort.length} of ${fleet.length} proxies take no inbound connections (${noPort.slice(0, 5).map((p) => p.name).join(", ")}${noPort.length > 5 ? ", …" : ""}): they are only clients here`);
  if (!list.length && fleet.length) notes.push(`no client cluster reaches another proxy of these ${fleet.length} dumps: pairing needs the clients' EDS (config_dump?include_eds) listing the servers' IPs, the SNI the servers' chains ask for, or Istio cluster names matching a server's app`);
  let replays = 0;
  for (const a of answers.values()) replays += a.size;
  return {
    proxies: fleet.map((p) => ({ name: p.name, file: p.file, role: p.role, mesh: p.mesh, ips: p.ips, ports: p.ports.map((x) => ({ port: x.port, mode: x.mode })), clusters: p.clusters.length, ...(p.noPort ? { noPort: p.noPort } : {}) })),
    summary: { proxies: fleet.length, pairs: pairs.size, rows: list.length, byStatus, outside: pairing.outside, replays },
    rows: list,
    notes,
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Names each proxy once: a name two dumps share gets its file's stem (or, when stems repeat, its path) after it. */
export function uniqueNames(names: { name: string; file: string }[]): string[] {
  const count = new Map<string, number>();
  const stems = new Map<string, number>();
  for (const n of names) {
    count.set(n.name, (count.get(n.name) ?? 0) + 1);
    stems.set(fileStem(n.file), (stems.get(fileStem(n.file)) ?? 0) + 1);
  }
  // The file's stem tells them apart (p1, p2), else its whole path.
  return names.map((n) => (count.get(n.name)! > 1 ? `${n.name} (${stems.get(fileStem(n.file))! > 1 ? n.file : fileStem(n.file)})` : n.name));
}
