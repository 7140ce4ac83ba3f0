export { run, USAGE, type Io } from './cli.js';
export { checkUnits, DEFAULT_KUBERNETES_VERSION, selectRules, type CheckConfig, type CheckOptions } from './engine.js';
export { loadUnits, InputError } from './load/inputs.js';
export { allRules } from './rules/index.js';
export { renderText } from './render/text.js';
export { renderJson } from './render/json.js';
export { renderSarif } from './render/sarif.js';
export { renderJunit } from './render/junit.js';
export { renderRulesDoc } from './docs.js';
export {
  analyzeCluster,
  rollingParameters,
  type ClusterReport,
  type DaemonSetCoverage,
  type DrainResult,
  type HpaResult,
  type PendingPod,
  type Placement,
  type RolloutResult,
  type WorkloadOutcome,
} from './cluster/analyze.js';
export { ClusterFileError, parseClusterFile, resolveCluster } from './cluster/file.js';
export { minimumCluster, works, type MinimumCluster, type MinimumOptions } from './cluster/minimum.js';
export { CLUSTER_PRESETS, DEFAULT_CLUSTER, K3D_CLUSTER, KIND_CLUSTER, PRODUCTION_CLUSTER, type ClusterModel, type ClusterNode } from './cluster/model.js';
export * from './model.js';
export * from './kinds.js';
