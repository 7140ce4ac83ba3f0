/**
 * Casting one vote, the same for the JSON API and the no-JavaScript form: the option must be
 * the poll's, the voter comes from the request's cookie (or is new), the vote is appended
 * within its limits (votes.ts), and only then does a new voter get its cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError } from '@bernstein/common';
import type { PollMetrics } from './metrics.js';
import { requireOption, type PollView } from './poll-views.js';
import type { VoteLog } from './votes.js';
import type { VoterCookies } from './voter-cookie.js';

export interface CastDeps {
  votes: VoteLog;
  voters: VoterCookies;
  metrics: PollMetrics;
}

/** Records `option` for this request's voter and resolves with the receipt (the stream id). */
export async function castVote(
  { votes, voters, metrics }: CastDeps,
  view: PollView,
  option: string,
  code: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<string> {
  requireOption(view, option);
  const voter = voters.voterOf(request);
  let receipt: string;
  try {
    receipt = await votes.append(view.poll, voter.id, option, voter.isNew ? 'new' : 'returning', request.ip, code);
  } catch (err) {
    // Outcome unknown (503: Redis went away, the vote may have been written before the reply
    // was lost): the new voter still gets its cookie, so the retry the 503 asks for is the
    // same voter and can only repeat that vote, never count a second voter. Any other refusal
    // wrote nothing and hands out no identity.
    if (err instanceof BernsteinError && err.status === 503) voters.issue(reply, voter);
    throw err;
  }
  voters.issue(reply, voter);
  metrics.acceptedFor(view.poll.id).inc();
  return receipt;
}
