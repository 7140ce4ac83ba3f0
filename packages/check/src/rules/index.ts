// The registry of rules: one file per rule (kept in alphabetical order).
import antiAffinitySelector from './anti-affinity-selector.js';
import apiVersionDeprecated from './api-version-deprecated.js';
import apiVersionRemoved from './api-version-removed.js';
import bernsteinAntiAffinity from './bernstein-anti-affinity.js';
import bernsteinCadvisor from './bernstein-cadvisor.js';
import bernsteinConfigmaps from './bernstein-configmaps.js';
import bernsteinContainerPorts from './bernstein-container-ports.js';
import bernsteinFiles from './bernstein-files.js';
import bernsteinMemoryLimit from './bernstein-memory-limit.js';
import bernsteinNamespace from './bernstein-namespace.js';
import bernsteinReplicas from './bernstein-replicas.js';
import bernsteinRestart from './bernstein-restart.js';
import bernsteinRouting from './bernstein-routing.js';
import bernsteinSecret from './bernstein-secret.js';
import bernsteinServices from './bernstein-services.js';
import bernsteinVolume from './bernstein-volume.js';
import bernsteinWorkloads from './bernstein-workloads.js';
import clusterDaemonsetCoverage from './cluster-daemonset-coverage.js';
import clusterDrain from './cluster-drain.js';
import clusterRollout from './cluster-rollout.js';
import clusterSchedulable from './cluster-schedulable.js';
import composeDependsOn from './compose-depends-on.js';
import composeEnv from './compose-env.js';
import configRef from './config-ref.js';
import crdSameApply from './crd-same-apply.js';
import dockerfileBasePinned from './dockerfile-base-pinned.js';
import dockerfileCmd from './dockerfile-cmd.js';
import dockerfileUser from './dockerfile-user.js';
import documentSeparator from './document-separator.js';
import dropCapabilities from './drop-capabilities.js';
import emptyManifest from './empty-manifest.js';
import envHostResolves from './env-host-resolves.js';
import imageRegistry from './image-registry.js';
import imageTag from './image-tag.js';
import ingressBackend from './ingress-backend.js';
import networkPolicy from './network-policy.js';
import noPlainSecrets from './no-plain-secrets.js';
import noPrivilegeEscalation from './no-privilege-escalation.js';
import pdb from './pdb.js';
import pvHostPath from './pv-host-path.js';
import pvReclaimRebind from './pv-reclaim-rebind.js';
import probes from './probes.js';
import pvcBinding from './pvc-binding.js';
import pvcRef from './pvc-ref.js';
import readOnlyRootFs from './read-only-root-fs.js';
import redisNoAuth from './redis-no-auth.js';
import resources from './resources.js';
import runAsNonRoot from './run-as-non-root.js';
import rwoRollingUpdate from './rwo-rolling-update.js';
import schemaInvalid from './schema-invalid.js';
import schemaUnknownField from './schema-unknown-field.js';
import schemaUnknownKind from './schema-unknown-kind.js';
import seccomp from './seccomp.js';
import secretDataBase64 from './secret-data-base64.js';
import secretReadClusterWide from './secret-read-cluster-wide.js';
import selectorTemplateMatch from './selector-template-match.js';
import serviceAccountRef from './service-account-ref.js';
import serviceAccount from './service-account.js';
import serviceEnv from './service-env.js';
import serviceSelectorMatch from './service-selector-match.js';
import sharedDbCredentials from './shared-db-credentials.js';
import supportedVersions from './supported-versions.js';
import serviceTargetPort from './service-target-port.js';
import traefikApiInsecure from './traefik-api-insecure.js';
import traefikCrds from './traefik-crds.js';
import traefikEmptyBackends from './traefik-empty-backends.js';
import traefikIngressClassName from './traefik-ingress-class-name.js';
import traefikIngressClass from './traefik-ingress-class.js';
import traefikProvider from './traefik-provider.js';
import traefikRbac from './traefik-rbac.js';
import traefikStreamTimeout from './traefik-stream-timeout.js';
import yamlSyntax from './yaml-syntax.js';
import zoneSpread from './zone-spread.js';
import type { Rule } from '../model.js';

export const allRules: readonly Rule[] = [
  antiAffinitySelector,
  apiVersionDeprecated,
  apiVersionRemoved,
  bernsteinAntiAffinity,
  bernsteinCadvisor,
  bernsteinConfigmaps,
  bernsteinContainerPorts,
  bernsteinFiles,
  bernsteinMemoryLimit,
  bernsteinNamespace,
  bernsteinReplicas,
  bernsteinRestart,
  bernsteinRouting,
  bernsteinSecret,
  bernsteinServices,
  bernsteinVolume,
  bernsteinWorkloads,
  clusterDaemonsetCoverage,
  clusterDrain,
  clusterRollout,
  clusterSchedulable,
  composeDependsOn,
  composeEnv,
  configRef,
  crdSameApply,
  dockerfileBasePinned,
  dockerfileCmd,
  dockerfileUser,
  documentSeparator,
  dropCapabilities,
  emptyManifest,
  envHostResolves,
  imageRegistry,
  imageTag,
  ingressBackend,
  networkPolicy,
  noPlainSecrets,
  noPrivilegeEscalation,
  pdb,
  pvHostPath,
  pvReclaimRebind,
  probes,
  pvcBinding,
  pvcRef,
  readOnlyRootFs,
  redisNoAuth,
  resources,
  runAsNonRoot,
  rwoRollingUpdate,
  schemaInvalid,
  schemaUnknownField,
  schemaUnknownKind,
  seccomp,
  secretDataBase64,
  secretReadClusterWide,
  selectorTemplateMatch,
  serviceAccountRef,
  serviceAccount,
  serviceEnv,
  serviceSelectorMatch,
  sharedDbCredentials,
  supportedVersions,
  serviceTargetPort,
  traefikApiInsecure,
  traefikCrds,
  traefikEmptyBackends,
  traefikIngressClass,
  traefikIngressClassName,
  traefikProvider,
  traefikRbac,
  traefikStreamTimeout,
  yamlSyntax,
  zoneSpread,
];
