// A page pasted into a bug report, in the shape of the Istio 1.7 docs page (istio.io, proxy-cmd): a Hugo
// shortcode, the command line, and a route configuration cut with "...". Shared by the tests that read
// (loader) and locate (locate) what such a page holds.
export const ISTIO_IO_ROUTES_PAGE = [
  "    {{< text bash json >}}",
  "    $ istioctl proxy-config routes productpage-v1-6c886ff494-7vxhs --name 9080 -o json",
  "    [",
  "        {",
  '            "name": "9080",',
  '            "virtualHosts": [',
  "                {",
  '                    "name": "reviews.default.svc.cluster.local:9080",',
  '                    "domains": ["reviews.default.svc.cluster.local", "reviews", "reviews:9080"],',
  '                    "routes": [',
  '                        { "name": "default", "match": { "prefix": "/" }, "route": { "cluster": "outbound|9080||reviews.default.svc.cluster.local", "timeout": "0s", } }',
  "                    ]",
  "    ...",
  "    {{< /text >}}",
].join("\n");
