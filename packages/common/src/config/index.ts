export * from './schema.js';
export * from './variables.js';
export * from './env-example.js';
export * from './exit.js';
export * from './data-layer.js';
export * from './ballot.js';
export * from './cookie-keys.js';
export * from './trusted-proxies.js';
