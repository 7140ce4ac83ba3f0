export * from './schema.js';
export * from './variables.js';
