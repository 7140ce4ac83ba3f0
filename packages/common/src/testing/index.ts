// `@bernstein/common/testing`: helpers the tests of several packages share. Tests only: it loads
// fast-check (a development dependency), so no production module imports this entry.
export * from './hostile-http.js';
export * from './entry-process.js';
export * from './openapi.js';
