export { run, USAGE, type Io } from './cli.js';
export { checkUnits, selectRules, type CheckConfig, type CheckOptions } from './engine.js';
export { loadUnits, InputError } from './load/inputs.js';
export { allRules } from './rules/index.js';
export { renderText } from './render/text.js';
export { renderJson } from './render/json.js';
export { renderSarif } from './render/sarif.js';
export { renderRulesDoc } from './docs.js';
export * from './model.js';
