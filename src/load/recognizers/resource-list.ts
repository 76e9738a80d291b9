// A list of resources: istioctl proxy-config listener|cluster|route|endpoint -o json (camelCase),
// a golden file's list, xDS Resource wrappers ({name, version, resource}), the admin's
// /clusters?format=json host statuses (istioctl proxy-config endpoint -o json). Each element is read
// on its own (Extractor.listItem); what is none of these is skipped with a warning.
import type { Recognizer } from "./index.js";

export const resourceList: Recognizer = {
  shape: "a list of resources (istioctl proxy-config … -o json, /clusters?format=json, Resource wrappers)",
  detect: (v) => Array.isArray(v),
  read(v, path, x) {
    x.input.format = "istioctl_list";
    x.list(v as unknown[], path);
  },
};
