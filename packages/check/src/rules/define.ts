import type { Rule } from '../model.js';

/** Identity function that gives each rule file a checked shape. */
export function defineRule(rule: Rule): Rule {
  return rule;
}
