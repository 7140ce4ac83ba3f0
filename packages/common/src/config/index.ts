export * from './schema.js';
export * from './variables.js';
export * from './env-example.js';
export * from './exit.js';
