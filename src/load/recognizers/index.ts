// The input shapes the loader reads, one recognizer each (how to tell the shape, how to read its
// resources), tried in this order: the first whose `detect` accepts a value reads it. When none reads
// anything, the shapes known not to be Envoy's (NOT_ENVOY) say what the input is instead. A recognizer
// sees the parsed value (JSON or YAML, snake_case or camelCase keys alike); the page around it (Markdown
// fences, a terminal session, several documents) is the text reader's (page.ts).
import type { InputFormat } from "../input.js";
import type { Extractor } from "../extract.js";
import { xdsStream } from "./xds-stream.js";
import { resourceList } from "./resource-list.js";
import { egctlProxies } from "./egctl.js";
import { ciliumEnvoyConfigList } from "./cilium-list.js";
import { ciliumEnvoyConfig } from "./cilium.js";
import { clientStatus } from "./client-status.js";
import { discoveryResponse } from "./discovery-response.js";
import { sectionEntry } from "./section-entry.js";
import { configDump } from "./config-dump.js";
import { configDumpSection } from "./config-dump-section.js";
import { istioctlBootstrap } from "./istioctl-bootstrap.js";
import { bootstrap } from "./bootstrap.js";
import { singleResource } from "./resource.js";
import { ztunnel } from "./ztunnel.js";
import { kubernetesObjects } from "./kubernetes.js";
import { ecdsFilters } from "./ecds.js";
import { xdsSyncStatus } from "./xds-status.js";

export interface Recognizer {
  /** The shape, in a few words (the README's list of inputs). */
  readonly shape: string;
  /** Whether a value has this shape: keys and types only, no resource read. `forced`: the format --format names (undefined: detect). */
  detect(v: unknown, forced: InputFormat | undefined): boolean;
  /** Reads the shape's resources through the extractor, and says which format it was (input.format). */
  read(v: unknown, path: string, x: Extractor): void;
}

/** A shape that is not Envoy's config but is given in its place: what it is, and what to give instead. */
export interface NotEnvoy {
  readonly shape: string;
  /** The message for a value of this shape, or undefined. */
  describe(v: unknown): string | undefined;
}

/** The shapes read, in the order they are tried. */
export const RECOGNIZERS: readonly Recognizer[] = [
  // contour cli lds|cds|rds|eds (and a `---` stream of file-based xDS): several DiscoveryResponses (SotW or delta) and the requests between them. Before any list.
  xdsStream,
  // istioctl proxy-config listener|cluster|route|endpoint -o json, a golden file's list: a list of resources, Resource wrappers, or the admin's /clusters?format=json host statuses. Any list, whatever --format says.
  resourceList,
  // egctl config envoy-proxy ({namespace: {name: dump}}) and egctl x translate ({xds: {"ns/name": dump}}): one proxy of several, by --proxy.
  egctlProxies,
  // kubectl get cec -o yaml: a List of CiliumEnvoyConfigs, one by --proxy.
  ciliumEnvoyConfigList,
  // One CiliumEnvoyConfig or CiliumClusterwideEnvoyConfig: resources under spec.resources, Services under spec.services.
  ciliumEnvoyConfig,
  // CSDS: a ClientStatusResponse (config[].xds_config[] / generic_xds_configs[]) or one ClientConfig; grpcdebug's xds config, proxyless gRPC, Traffic Director. One client of several by --proxy.
  clientStatus,
  // One xDS DiscoveryResponse or DeltaDiscoveryResponse (file-based lds.yaml/cds.yaml, control planes' golden files).
  discoveryResponse,
  // One entry cut out of a dump section (a dynamic_listeners[] or dynamic_active_clusters[] element).
  sectionEntry,
  // The admin's /config_dump ({configs: [...]}), istioctl proxy-config all -o json; or whatever --format config_dump is given.
  configDump,
  // One section of a dump (/config_dump?resource=…, istioctl proxy-config … -o json of one section), with or without its @type.
  configDumpSection,
  // istioctl proxy-config bootstrap -o json|yaml: a BootstrapConfigDump without its @type ({bootstrap, lastUpdated}).
  istioctlBootstrap,
  // A bootstrap file (envoy.yaml, pilot-agent's envoy-rev.json): its static resources, and what it says arrives over xDS.
  bootstrap,
  // One resource alone: a listener, cluster, route configuration, endpoint assignment or secret.
  singleResource,
];

/** Shapes that are not Envoy's config, named when nothing was read, in this order. */
export const NOT_ENVOY: readonly NotEnvoy[] = [
  // Istio ambient's ztunnel /config_dump (workloads, services, policies, certificates).
  ztunnel,
  // Kubernetes objects (an EnvoyFilter, a VirtualService…): the mesh's configuration, not the proxy's.
  kubernetesObjects,
  // istioctl proxy-config ecds: filters sent by ECDS.
  ecdsFilters,
  // istioctl proxy-status -o json, istiod's /debug/syncz: which proxies are in sync, not their config.
  xdsSyncStatus,
];
