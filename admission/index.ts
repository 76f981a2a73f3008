export { admissionPolicies, MIN_KUBERNETES_VERSION, BOUNDS_CONFIGMAP, type AdmissionSettings, type AdmissionObject } from "./generate";
export { ADMITTED_KINDS } from "./workloads.cel";
