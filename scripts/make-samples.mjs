#!/usr/bin/env node
// Writes the generated samples in samples/: Envoy /config_dump files shaped the way Istio
// 1.10+ builds them (shared/reference/istio-generation.md §1.D, §1.E, §4), in the raw admin
// output's snake_case. The Istio 1.3 sample and the istioctl listener output are real files
// copied from Istio's test data (see samples/README.md), not generated here.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "samples");
const POD_IP = "10.244.1.7";
// ratings runs in a pod of its own: tls-check pairs a client's clusters with a server by the endpoints' IPs.
const RATINGS_IP = "10.244.1.8";
const T = (t) => `type.googleapis.com/${t}`;

const sds = (name) => ({
  name,
  sds_config: { api_config_source: { api_type: "GRPC", grpc_services: [{ envoy_grpc: { cluster_name: "sds-grpc" } }], transport_api_version: "V3" }, initial_fetch_timeout: "0s", resource_api_version: "V3" },
});
const meshTls = (alpn) => ({
  name: "envoy.transport_sockets.tls",
  typed_config: {
    "@type": T("envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"),
    common_tls_context: {
      tls_params: { tls_minimum_protocol_version: "TLSv1_2", tls_maximum_protocol_version: "TLSv1_3" },
      alpn_protocols: alpn,
      tls_certificate_sds_secret_configs: [sds("default")],
      combined_validation_context: { default_validation_context: { match_subject_alt_names: [{ prefix: "spiffe://cluster.local/" }] }, validation_context_sds_secret_config: sds("ROOTCA") },
    },
    require_client_certificate: true,
  },
});
const hcm = (routeName, statPrefix) => ({
  name: "envoy.filters.network.http_connection_manager",
  typed_config: {
    "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
    stat_prefix: statPrefix,
    route_config: { name: routeName, validate_clusters: false, virtual_hosts: [{ name: `${routeName}`, domains: ["*"], routes: [{ name: "default", match: { prefix: "/" }, route: { cluster: routeName, timeout: "0s", max_stream_duration: { max_stream_duration: "0s", grpc_timeout_header_max: "0s" } }, decorator: { operation: `${routeName}/*` } }] }] },
    http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": T("envoy.extensions.filters.http.router.v3.Router") } }],
    normalize_path: true,
    use_remote_address: false,
  },
});
const tcp = (cluster) => ({ name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": T("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"), stat_prefix: cluster, cluster } });
const MTLS_HTTP = ["istio-http/1.0", "istio-http/1.1", "istio-h2"];
const ALL_ISTIO = ["istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"];
const PLAIN_HTTP = ["http/1.1", "h2c"];
const SRV_HTTP_ALPN = ["h2", "http/1.1"];
const SRV_TCP_ALPN = ["istio-peer-exchange", "h2", "http/1.1"];

/** Chains for one service port, per getFilterChainMatchOptions (filterchain_options.go @ HEAD). */
function serviceChains(port, mode, protocol) {
  const name = `0.0.0.0_${port}`;
  const m = (extra) => ({ destination_port: port, ...extra });
  const cluster = `inbound|${port}||`;
  const http = () => hcm(cluster, `inbound_0.0.0.0_${port}`);
  const chain = (match, filters, tls) => ({ filter_chain_match: match, filters: [filters], ...(tls ? { transport_socket: tls } : {}), name });
  if (protocol === "http") {
    if (mode === "STRICT") return [chain(m({ transport_protocol: "tls" }), http(), meshTls(SRV_HTTP_ALPN))];
    if (mode === "PERMISSIVE") return [chain(m({ transport_protocol: "tls", application_protocols: ALL_ISTIO }), http(), meshTls(SRV_HTTP_ALPN)), chain(m({ transport_protocol: "raw_buffer" }), http())];
    return [chain(m({ transport_protocol: "raw_buffer" }), http())];
  }
  if (mode === "STRICT") return [chain(m({ transport_protocol: "tls" }), tcp(cluster), meshTls(SRV_TCP_ALPN))];
  if (mode === "PERMISSIVE") {
    return [
      chain(m({ transport_protocol: "tls", application_protocols: ALL_ISTIO }), tcp(cluster), meshTls(SRV_TCP_ALPN)),
      chain(m({ transport_protocol: "tls" }), tcp(cluster)),
      chain(m({ transport_protocol: "raw_buffer" }), tcp(cluster)),
    ];
  }
  return [chain(m({ transport_protocol: "raw_buffer" }), tcp(cluster))];
}

/** Passthrough chains (ports no Service declares), from the auto option table of the workload mode. */
function passthroughChains(mode) {
  const p = "InboundPassthroughCluster";
  const http = () => hcm(p, "InboundPassthroughCluster");
  const c = (name, match, filter, tls) => ({ filter_chain_match: match, filters: [filter], ...(tls ? { transport_socket: tls } : {}), name });
  if (mode === "STRICT") {
    return [
      c("virtualInbound-catchall-http", { transport_protocol: "tls", application_protocols: MTLS_HTTP }, http(), meshTls(SRV_HTTP_ALPN)),
      c("virtualInbound", { transport_protocol: "tls" }, tcp(p), meshTls(SRV_TCP_ALPN)),
    ];
  }
  if (mode === "DISABLE") {
    return [c("virtualInbound-catchall-http", { transport_protocol: "raw_buffer", application_protocols: PLAIN_HTTP }, http()), c("virtualInbound", { transport_protocol: "raw_buffer" }, tcp(p))];
  }
  return [
    c("virtualInbound-catchall-http", { transport_protocol: "tls", application_protocols: MTLS_HTTP }, http(), meshTls(SRV_HTTP_ALPN)),
    c("virtualInbound-catchall-http", { transport_protocol: "raw_buffer", application_protocols: PLAIN_HTTP }, http()),
    c("virtualInbound", { transport_protocol: "tls", application_protocols: ["istio-peer-exchange", "istio"] }, tcp(p), meshTls(SRV_TCP_ALPN)),
    c("virtualInbound", { transport_protocol: "raw_buffer" }, tcp(p)),
    c("virtualInbound", { transport_protocol: "tls" }, tcp(p)),
  ];
}

/** filter_disabled for an inspector: skip it on every port whose chains do not need it (populateListenerFilters). */
function disabledExcept(ports) {
  if (!ports.length) return { any_match: true };
  const sorted = [...ports].sort((a, b) => a - b);
  const ranges = [];
  let start = 0;
  for (const p of sorted) {
    if (p > start) ranges.push({ destination_port_range: { start, end: p } });
    start = p + 1;
  }
  ranges.push({ destination_port_range: { start, end: 65536 } });
  return ranges.length === 1 ? ranges[0] : { or_match: { rules: ranges } };
}

function sidecarDump({ workloadMode, ports, istioVersion = "1.20.3", name, podIp = POD_IP }) {
  const POD_IP_ = podIp;
  const chains = [
    { filter_chain_match: { destination_port: 15006 }, filters: [tcp("BlackHoleCluster")], name: "virtualInbound-blackhole" },
    ...passthroughChains(workloadMode),
    ...ports.flatMap((p) => serviceChains(p.port, p.mode ?? workloadMode, p.protocol)),
  ];
  const needTls = [];
  const needHttp = [];
  for (const ch of chains) {
    const port = ch.filter_chain_match.destination_port ?? 0;
    if (ch.filter_chain_match.transport_protocol === "tls") needTls.push(port);
    if ((ch.filter_chain_match.application_protocols ?? []).some((a) => a === "http/1.1" || a === "h2c")) needHttp.push(port);
  }
  // An inspector is added only if some chain needs it; then it is disabled, by half-open port
  // ranges, on the ports that do not need it (port 0 chains need it on every port without chains of its own).
  const servicePorts = ports.map((p) => p.port);
  const inspector = (name, type, need) => {
    if (!need.length) return [];
    const off = need.includes(0) ? servicePorts.filter((p) => !need.includes(p)) : null;
    const disabled = off === null ? disabledExcept(need) : off.length ? { or_match: { rules: off.map((p) => ({ destination_port_range: { start: p, end: p + 1 } })) } } : undefined;
    if (disabled?.or_match?.rules.length === 1) Object.assign(disabled, disabled.or_match.rules[0]), delete disabled.or_match;
    return [{ name, typed_config: { "@type": T(type) }, ...(disabled ? { filter_disabled: disabled } : {}) }];
  };
  const listenerFilters = [
    { name: "envoy.filters.listener.original_dst", typed_config: { "@type": T("envoy.extensions.filters.listener.original_dst.v3.OriginalDst") } },
    ...inspector("envoy.filters.listener.tls_inspector", "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector", needTls),
    ...inspector("envoy.filters.listener.http_inspector", "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector", needHttp),
  ];
  const virtualInbound = {
    "@type": T("envoy.config.listener.v3.Listener"),
    name: "virtualInbound",
    address: { socket_address: { address: "0.0.0.0", port_value: 15006 } },
    filter_chains: chains,
    listener_filters: listenerFilters,
    listener_filters_timeout: "0s",
    continue_on_listener_filters_timeout: true,
    traffic_direction: "INBOUND",
  };
  const virtualOutbound = {
    "@type": T("envoy.config.listener.v3.Listener"),
    name: "virtualOutbound",
    address: { socket_address: { address: "0.0.0.0", port_value: 15001 } },
    filter_chains: [{ filters: [tcp("PassthroughCluster")], name: "virtualOutbound-catchall-tcp" }],
    use_original_dst: true,
    traffic_direction: "OUTBOUND",
  };
  const lu = "2026-11-20T10:00:00.000Z";
  return {
    configs: [
      {
        "@type": T("envoy.admin.v3.BootstrapConfigDump"),
        bootstrap: {
          node: {
            id: `sidecar~${POD_IP_}~${name}-7c9d8f6b5-x2x9z.default~default.svc.cluster.local`,
            cluster: `${name}.default`,
            metadata: { ISTIO_VERSION: istioVersion, INSTANCE_IPS: POD_IP_, NAMESPACE: "default", POD_NAME: `${name}-7c9d8f6b5-x2x9z`, LABELS: { app: name } },
            user_agent_name: "envoy",
            user_agent_build_version: { version: { major_number: 1, minor_number: 28, patch: 1 }, metadata: { "build.type": "RELEASE" } },
          },
        },
        last_updated: lu,
      },
      {
        "@type": T("envoy.admin.v3.ListenersConfigDump"),
        version_info: "2026-11-20T10:00:00Z/42",
        dynamic_listeners: [
          { name: "virtualOutbound", active_state: { version_info: "2026-11-20T10:00:00Z/42", listener: virtualOutbound, last_updated: lu } },
          { name: "virtualInbound", active_state: { version_info: "2026-11-20T10:00:00Z/42", listener: virtualInbound, last_updated: lu } },
        ],
      },
    ],
  };
}

function gatewayDump() {
  const gwTls = (cred, mutual) => ({
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": T("envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"),
      common_tls_context: {
        alpn_protocols: ["h2", "http/1.1"],
        tls_certificate_sds_secret_configs: [{ name: `kubernetes://${cred}`, sds_config: { ads: {}, resource_api_version: "V3" } }],
        ...(mutual ? { combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: `kubernetes://${cred}-cacert`, sds_config: { ads: {}, resource_api_version: "V3" } } } } : {}),
      },
      require_client_certificate: mutual,
    },
  });
  const rds = (name) => ({
    name: "envoy.filters.network.http_connection_manager",
    typed_config: {
      "@type": T("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
      stat_prefix: "outbound_0.0.0.0_8443",
      rds: { config_source: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" }, route_config_name: name },
      http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": T("envoy.extensions.filters.http.router.v3.Router") } }],
    },
  });
  const listener = (name, port, extra) => ({ "@type": T("envoy.config.listener.v3.Listener"), name, address: { socket_address: { address: "0.0.0.0", port_value: port } }, traffic_direction: "OUTBOUND", ...extra });
  const lu = "2026-11-20T10:00:00.000Z";
  const https = listener("0.0.0.0_8443", 8443, {
    filter_chains: [
      { filter_chain_match: { server_names: ["shop.example.com"] }, filters: [rds("https.443.https-shop.shop-gateway.istio-system")], transport_socket: gwTls("shop-cert", false), transport_socket_connect_timeout: "15s" },
      { filter_chain_match: { server_names: ["secure.example.com"] }, filters: [rds("https.443.https-secure.secure-gateway.istio-system")], transport_socket: gwTls("secure-cert", true), transport_socket_connect_timeout: "15s" },
      { filter_chain_match: { server_names: ["db.example.com"] }, filters: [tcp("outbound|443||db.internal.svc.cluster.local")] },
    ],
    listener_filters: [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": T("envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector") } }],
  });
  const http = listener("0.0.0.0_8080", 8080, { filter_chains: [{ filters: [rds("http.8080")] }] });
  return {
    configs: [
      {
        "@type": T("envoy.admin.v3.BootstrapConfigDump"),
        bootstrap: { node: { id: "router~10.244.2.9~istio-ingressgateway-5d9c8f6b5-abcde.istio-system~istio-system.svc.cluster.local", cluster: "istio-ingressgateway.istio-system", metadata: { ISTIO_VERSION: "1.20.3", INSTANCE_IPS: "10.244.2.9" } } },
        last_updated: lu,
      },
      {
        "@type": T("envoy.admin.v3.ClustersConfigDump"),
        version_info: "2026-11-20T10:00:00Z/7",
        dynamic_active_clusters: [
          ...["shop", "secure"].map((svc) => `outbound|8000||${svc}.shop.svc.cluster.local`),
          // The PASSTHROUGH server's destination.
          "outbound|443||db.internal.svc.cluster.local",
        ].map((name) => ({
          version_info: "2026-11-20T10:00:00Z/7",
          cluster: { "@type": T("envoy.config.cluster.v3.Cluster"), name, type: "EDS", eds_cluster_config: { eds_config: { ads: {}, resource_api_version: "V3" }, service_name: name }, connect_timeout: "10s" },
          last_updated: lu,
        })),
      },
      {
        "@type": T("envoy.admin.v3.RoutesConfigDump"),
        dynamic_route_configs: [
          // Gateway server with tls.httpsRedirect: the HTTP virtual host requires TLS (Envoy answers 301).
          { version_info: "7", route_config: { "@type": T("envoy.config.route.v3.RouteConfiguration"), name: "http.8080", virtual_hosts: [{ name: "shop.example.com:80", domains: ["shop.example.com", "shop.example.com:*"], require_tls: "ALL", routes: [{ match: { prefix: "/" }, route: { cluster: "outbound|8000||shop.shop.svc.cluster.local" } }] }], validate_clusters: false }, last_updated: lu },
          { version_info: "7", route_config: { "@type": T("envoy.config.route.v3.RouteConfiguration"), name: "https.443.https-shop.shop-gateway.istio-system", virtual_hosts: [{ name: "shop.example.com:443", domains: ["shop.example.com", "shop.example.com:*"], routes: [{ match: { prefix: "/api", headers: [{ name: "x-canary", string_match: { exact: "1" } }] }, route: { weighted_clusters: { clusters: [{ name: "outbound|8000||shop.shop.svc.cluster.local", weight: 90 }, { name: "outbound|8000||secure.shop.svc.cluster.local", weight: 10 }] } } }, { match: { prefix: "/" }, route: { cluster: "outbound|8000||shop.shop.svc.cluster.local" } }] }] }, last_updated: lu },
          { version_info: "7", route_config: { "@type": T("envoy.config.route.v3.RouteConfiguration"), name: "https.443.https-secure.secure-gateway.istio-system", virtual_hosts: [{ name: "secure.example.com:443", domains: ["secure.example.com", "secure.example.com:*"], routes: [{ match: { prefix: "/" }, route: { cluster: "outbound|8000||secure.shop.svc.cluster.local" } }] }] }, last_updated: lu },
        ],
      },
      {
        "@type": T("envoy.admin.v3.ListenersConfigDump"),
        version_info: "2026-11-20T10:00:00Z/7",
        dynamic_listeners: [
          { name: "0.0.0.0_8080", active_state: { version_info: "2026-11-20T10:00:00Z/7", listener: http, last_updated: lu } },
          { name: "0.0.0.0_8443", active_state: { version_info: "2026-11-20T10:00:00Z/7", listener: https, last_updated: lu } },
        ],
      },
    ],
  };
}

/** A client sidecar's outbound clusters, one subset per DestinationRule TLS mode (istio-generation.md §3). */
function clientDump({ v2 }) {
  const upstream = (tlsCtx) =>
    v2
      ? tlsCtx
      : { name: "envoy.transport_sockets.tls", typed_config: { "@type": T("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"), ...tlsCtx } };
  const istioMutual = (port, subset, host, alpn) => ({
    common_tls_context: {
      alpn_protocols: alpn,
      ...(v2
        ? { tls_certificates: [{ certificate_chain: { filename: "/etc/certs/cert-chain.pem" }, private_key: { filename: "/etc/certs/key.pem" } }], validation_context: { trusted_ca: { filename: "/etc/certs/root-cert.pem" }, verify_subject_alt_name: [`spiffe://cluster.local/ns/default/sa/${host.split(".")[0]}`] } }
        : { tls_certificate_sds_secret_configs: [sds("default")], combined_validation_context: { default_validation_context: { match_subject_alt_names: [{ exact: `spiffe://cluster.local/ns/default/sa/${host.split(".")[0]}` }] }, validation_context_sds_secret_config: sds("ROOTCA") } }),
    },
    sni: `outbound_.${port}_.${subset}_.${host}`,
  });
  const simple = (host) => ({ common_tls_context: { ...(v2 ? { validation_context: { trusted_ca: { filename: "/etc/ssl/certs/ca-certificates.crt" } } } : { combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: "file-root:system", sds_config: { ads: {}, resource_api_version: "V3" } } } }) }, sni: host });
  const mutualFiles = (host) => ({ common_tls_context: { tls_certificates: [{ certificate_chain: { filename: "/etc/app-certs/client.pem" }, private_key: { filename: "/etc/app-certs/client-key.pem" } }], validation_context: { trusted_ca: { filename: "/etc/app-certs/ca.pem" } } }, sni: host });
  const mutualCred = (host) => ({ common_tls_context: { tls_certificate_sds_secret_configs: [{ name: "kubernetes://client-credential", sds_config: { ads: {}, resource_api_version: "V3" } }], combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: "kubernetes://client-credential-cacert", sds_config: { ads: {}, resource_api_version: "V3" } } } }, sni: host });
  const meshAlpn = v2 ? ["istio"] : ["istio-peer-exchange", "istio"];
  const cluster = (port, subset, host, tls, auto) => {
    const name = `outbound|${port}|${subset}|${host}`;
    const c = { name, type: "EDS", eds_cluster_config: { eds_config: { ads: {}, resource_api_version: "V3" }, service_name: name }, connect_timeout: "10s" };
    if (!v2) c["@type"] = T("envoy.config.cluster.v3.Cluster");
    if (auto) {
      c.transport_socket_matches = [
        { name: "tlsMode-istio", match: { tlsMode: "istio" }, transport_socket: v2 ? { name: "tls", typed_config: { "@type": "type.googleapis.com/envoy.api.v2.auth.UpstreamTlsContext", ...istioMutual(port, subset, host, meshAlpn) } } : upstream(istioMutual(port, subset, host, meshAlpn)) },
        { name: "tlsMode-disabled", match: {}, transport_socket: { name: v2 ? "raw_buffer" : "envoy.transport_sockets.raw_buffer", ...(v2 ? {} : { typed_config: { "@type": T("envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer") } }) } },
      ];
    } else if (tls) {
      if (v2) c.tls_context = tls;
      else c.transport_socket = upstream(tls);
    }
    return c;
  };
  const clusters = [];
  for (const [host, ports] of [["reviews.default.svc.cluster.local", [9080]], ["ratings.default.svc.cluster.local", [9080, 8080]], ["productpage.default.svc.cluster.local", [9080]]]) {
    for (const port of ports) {
      clusters.push(cluster(port, "", host, null, true));
      clusters.push(cluster(port, "plain", host, null, false));
      clusters.push(cluster(port, "mesh", host, istioMutual(port, "mesh", host, meshAlpn), false));
      clusters.push(cluster(port, "simple", host, simple(host), false));
      clusters.push(cluster(port, "mutual-files", host, mutualFiles(host), false));
      if (!v2) clusters.push(cluster(port, "mutual-cred", host, mutualCred(host), false));
    }
  }
  clusters.push(cluster(9080, "", "legacy.default.svc.cluster.local", null, true));
  const lu = "2026-11-20T10:00:00.000Z";
  const adm = (k) => T(`envoy.admin.${v2 ? "v2alpha" : "v3"}.${k}`);
  const ep = (host, port, ip, tlsMode) => ({
    cluster_name: `outbound|${port}||${host}`,
    endpoints: [{ locality: {}, lb_endpoints: [{ endpoint: { address: { socket_address: { address: ip, port_value: port } } }, health_status: "HEALTHY", metadata: { filter_metadata: { ...(tlsMode ? { "envoy.transport_socket_match": { tlsMode } } : {}), istio: { workload: `${host.split(".")[0]}-v1;default;${host.split(".")[0]};v1;Kubernetes` } } }, load_balancing_weight: 1 }] }],
  });
  const configs = [
    { "@type": adm("BootstrapConfigDump"), bootstrap: { node: { id: `sidecar~10.244.3.4~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local`, metadata: { ISTIO_VERSION: v2 ? "1.4.3" : "1.20.3", INSTANCE_IPS: "10.244.3.4", LABELS: { app: "productpage" }, NAMESPACE: "default" } } }, last_updated: lu },
    { "@type": adm("ClustersConfigDump"), version_info: "1", dynamic_active_clusters: clusters.map((cluster) => ({ version_info: "1", cluster, last_updated: lu })) },
  ];
  if (!v2) {
    configs.push({
      "@type": adm("EndpointsConfigDump"),
      dynamic_endpoint_configs: [
        { endpoint_config: { "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"), ...ep("reviews.default.svc.cluster.local", 9080, "10.244.1.7", "istio") } },
        { endpoint_config: { "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"), ...ep("ratings.default.svc.cluster.local", 9080, RATINGS_IP, "istio") } },
        { endpoint_config: { "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"), ...ep("ratings.default.svc.cluster.local", 8080, RATINGS_IP, "istio") } },
        { endpoint_config: { "@type": T("envoy.config.endpoint.v3.ClusterLoadAssignment"), ...ep("legacy.default.svc.cluster.local", 9080, "10.244.5.5", null) } },
      ],
    });
  }
  return { configs };
}

const samples = {
  "modern-permissive.json": sidecarDump({ name: "reviews", workloadMode: "PERMISSIVE", ports: [{ port: 9080, protocol: "http" }, { port: 3306, protocol: "tcp" }] }),
  "modern-strict.json": sidecarDump({ name: "reviews", workloadMode: "STRICT", ports: [{ port: 9080, protocol: "http" }, { port: 3306, protocol: "tcp" }] }),
  "modern-disable.json": sidecarDump({ name: "reviews", workloadMode: "DISABLE", ports: [{ port: 9080, protocol: "http" }, { port: 3306, protocol: "tcp" }] }),
  "modern-portlevel.json": sidecarDump({ name: "ratings", podIp: RATINGS_IP, workloadMode: "STRICT", ports: [{ port: 9080, protocol: "http" }, { port: 8080, protocol: "http", mode: "PERMISSIVE" }] }),
  "gateway-mutual.json": gatewayDump(),
  "client-productpage.json": clientDump({ v2: false }),
  // Before/after pairs for diff: ratings STRICT before portLevelMtls was added; productpage as a current
  // Istio PERMISSIVE sidecar, the upgrade of samples/istio-1.3-permissive.json (same pod IP and port).
  "diff/ratings-strict.json": sidecarDump({ name: "ratings", podIp: RATINGS_IP, workloadMode: "STRICT", ports: [{ port: 9080, protocol: "http" }, { port: 8080, protocol: "http" }] }),
  "diff/productpage-1.20-permissive.json": sidecarDump({ name: "productpage", workloadMode: "PERMISSIVE", podIp: "172.30.150.216", ports: [{ port: 9080, protocol: "http" }] }),
  "client-productpage-1.4-v2.json": clientDump({ v2: true }),
};
fs.mkdirSync(path.join(out, "diff"), { recursive: true });
for (const [file, dump] of Object.entries(samples)) fs.writeFileSync(path.join(out, file), JSON.stringify(dump, null, 1) + "\n");
console.log(`samples/: wrote ${Object.keys(samples).join(", ")}`);
