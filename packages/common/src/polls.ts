/**
 * The polls people can vote in, from configuration. poll and result must load the same
 * definition: poll validates votes against it, result labels the tallies with it.
 */
import { readFileSync } from 'node:fs';
import { BernsteinError, ErrorCode } from './errors.js';

export interface PollOption {
  readonly id: string;
  readonly label: string;
}

export interface Poll {
  readonly id: string;
  readonly question: string;
  readonly options: readonly PollOption[];
}

export interface PollCatalog {
  readonly polls: readonly Poll[];
  /** The poll of the voting page `/` and of the form `POST /`. */
  readonly defaultPoll: Poll;
  get(id: string): Poll | undefined;
  hasOption(poll: Poll, optionId: string): boolean;
}

export interface PollsSource {
  polls?: string | undefined;
  pollsFile?: string | undefined;
  optionA?: string | undefined;
  optionB?: string | undefined;
  optionC?: string | undefined;
  optionD?: string | undefined;
}

export const DEFAULT_POLL_ID = 'default';
const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DEFAULT_LABELS = { a: 'Cats', b: 'Dogs', c: 'Birds', d: 'Fish' } as const;

function invalid(variable: string, problem: string): BernsteinError {
  return new BernsteinError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n  ${variable} is invalid: ${problem}`, 500, {
    problems: [{ variable, problem }],
  });
}

/** Course-compatible default: options a–d labelled by OPTION_A…OPTION_D (only those set, if any is). */
function courseDefaultPoll(src: PollsSource): Poll {
  const given = { a: src.optionA, b: src.optionB, c: src.optionC, d: src.optionD };
  const anySet = Object.values(given).some((v) => v !== undefined);
  const options = (Object.keys(DEFAULT_LABELS) as (keyof typeof DEFAULT_LABELS)[])
    .filter((id) => !anySet || given[id] !== undefined)
    .map((id) => ({ id, label: (given[id] ?? DEFAULT_LABELS[id]).trim() }));
  if (options.length < 2) throw invalid('OPTION_A', 'set at least two of OPTION_A…OPTION_D, or none for the defaults');
  return { id: DEFAULT_POLL_ID, question: 'Which do you prefer?', options };
}

function parsePolls(text: string, variable: string): Poll[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw invalid(variable, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data) || data.length === 0) throw invalid(variable, 'expected a non-empty JSON array of polls');
  const seen = new Set<string>();
  return data.map((p: unknown, i): Poll => {
    const where = `poll #${i + 1}`;
    if (typeof p !== 'object' || p === null) throw invalid(variable, `${where} is not an object`);
    const { id, question, options } = p as Record<string, unknown>;
    if (typeof id !== 'string' || !ID.test(id)) throw invalid(variable, `${where}: "id" must match ${ID.source}`);
    if (seen.has(id)) throw invalid(variable, `${where}: duplicate poll id "${id}"`);
    seen.add(id);
    if (typeof question !== 'string' || question.trim() === '' || question.length > 300)
      throw invalid(variable, `poll "${id}": "question" must be a non-empty string of at most 300 characters`);
    if (!Array.isArray(options) || options.length < 2 || options.length > 50)
      throw invalid(variable, `poll "${id}": "options" must be an array of 2 to 50 options`);
    const optionIds = new Set<string>();
    const parsed = options.map((o: unknown, j): PollOption => {
      const { id: oid, label } = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
      if (typeof oid !== 'string' || !ID.test(oid))
        throw invalid(variable, `poll "${id}" option #${j + 1}: "id" must match ${ID.source}`);
      if (optionIds.has(oid)) throw invalid(variable, `poll "${id}": duplicate option id "${oid}"`);
      optionIds.add(oid);
      if (typeof label !== 'string' || label.trim() === '' || label.length > 200)
        throw invalid(variable, `poll "${id}" option "${oid}": "label" must be a non-empty string of at most 200 characters`);
      return { id: oid, label: label.trim() };
    });
    return { id, question: question.trim(), options: parsed };
  });
}

export function loadPolls(src: PollsSource): PollCatalog {
  if (src.polls !== undefined && src.pollsFile !== undefined)
    throw invalid('POLLS_FILE', 'set either POLLS or POLLS_FILE, not both');
  let polls: Poll[];
  // POLLS and POLLS_FILE add polls next to the default one (which they may redefine by
  // using the id "default"), so votes of the default poll stay reachable.
  if (src.polls !== undefined) polls = withDefault(parsePolls(src.polls, 'POLLS'), src);
  else if (src.pollsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.pollsFile, 'utf8');
    } catch (err) {
      throw invalid('POLLS_FILE', `cannot read ${src.pollsFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    polls = withDefault(parsePolls(text, 'POLLS_FILE'), src);
  } else polls = [courseDefaultPoll(src)];
  return catalog(polls);
}

function withDefault(polls: Poll[], src: PollsSource): Poll[] {
  return polls.some((p) => p.id === DEFAULT_POLL_ID) ? polls : [courseDefaultPoll(src), ...polls];
}

export function catalog(polls: Poll[]): PollCatalog {
  const byId = new Map(polls.map((p) => [p.id, p]));
  const optionSets = new Map(polls.map((p) => [p.id, new Set(p.options.map((o) => o.id))]));
  const first = polls[0];
  if (first === undefined) throw invalid('POLLS', 'expected at least one poll');
  return {
    polls,
    defaultPoll: byId.get(DEFAULT_POLL_ID) ?? first,
    get: (id) => byId.get(id),
    hasOption: (poll, optionId) => optionSets.get(poll.id)?.has(optionId) ?? false,
  };
}
