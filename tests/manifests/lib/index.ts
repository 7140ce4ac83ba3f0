export * from './layout.js';
export * from './instance.js';
export * from './render.js';
export { renderAll, SIDE_BY_SIDE_INSTANCES } from './render-all.js';
