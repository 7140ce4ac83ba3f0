/**
 * Appends votes to the Redis stream. A vote counts as accepted only once XADD has answered
 * with the entry's id, which becomes the voter's receipt. The client is fail-fast (no offline
 * queue), so while Redis is away every append fails at once and the voter gets a 503 instead
 * of a vote held in this process's memory. After a timeout (hung Redis) the outcome is unknown:
 * Redis may still append the entry later. That is safe to retry, because a voter's last vote
 * wins and a repeated identical vote changes nothing.
 */
import { performance } from 'node:perf_hooks';
import { BernsteinError, encodeVote, ErrorCode, type Histogram, type Redis } from '@bernstein/common';

export class RedisUnavailableError extends BernsteinError {
  constructor(cause: unknown) {
    super(ErrorCode.REDIS_UNAVAILABLE, 'votes cannot be recorded right now because Redis is unavailable; retry shortly', 503);
    this.cause = cause;
  }
}

export class VoteLog {
  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly appendSeconds: Histogram,
  ) {}

  /** Appends one vote and resolves with its stream id (the receipt). */
  async append(poll: string, voter: string, option: string): Promise<string> {
    const fields = encodeVote({ poll, voter, option, at: Date.now() });
    const started = performance.now();
    let id: string | null;
    try {
      id = await this.redis.xadd(this.stream, '*', ...fields);
    } catch (err) {
      throw new RedisUnavailableError(err);
    }
    this.appendSeconds.observe((performance.now() - started) / 1000);
    // XADD without NOMKSTREAM always returns an id; null would mean the contract changed.
    if (id === null) throw new RedisUnavailableError(new Error('XADD returned no id'));
    return id;
  }
}
