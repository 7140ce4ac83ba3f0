export * from './errors.js';
export * from './headers.js';
export * from './html.js';
export * from './hygiene.js';
export * from './openapi.js';
export * from './ops-app.js';
export * from './qr.js';
export * from './schemas.js';
