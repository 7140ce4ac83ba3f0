export * from './binaries.js';
export * from './ports.js';
export * from './postgres-server.js';
export * from './process.js';
export * from './redis-server.js';
export * from './log-lines.js';
export * from './service-process.js';
export * from './stack.js';
export { up } from './up.js';
