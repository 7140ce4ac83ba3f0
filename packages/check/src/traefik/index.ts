/** Traefik, version-aware: what a cluster would really do with the Traefiks of an input. */
export * from './classes.js';
export * from './crds.js';
export * from './entrypoints.js';
export * from './instances.js';
export * from './providers.js';
export * from './rbac.js';
export * from './routes.js';
export * from './static-config.js';
export * from './version.js';
export * from './pods.js';
export * from './streams.js';
