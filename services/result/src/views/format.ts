/**
 * How figures look on result's pages, the same on the server (the page without JavaScript)
 * and in the page script (live updates): shares of the total that add up to exactly 100, and
 * one clock format, "19:41:07 UTC", whoever renders it.
 */

/**
 * Whole-number percentages of `votes` that sum to 100 (0 each when there are no votes), by
 * the largest remainder method: every option gets the floor of its exact share, and the
 * points left over go to the largest remainders. Ties go to the option with more votes, then
 * to the earlier one, so the result is the same on every page. Integer arithmetic only: the
 * remainder of `votes·100 / total` is compared exactly.
 */
export function percentages(votes: readonly number[]): number[] {
  const total = votes.reduce((sum, v) => sum + v, 0);
  if (total <= 0) return votes.map(() => 0);
  const floors = votes.map((v) => Math.floor((v * 100) / total));
  let left = 100 - floors.reduce((sum, p) => sum + p, 0);
  const order = votes
    .map((v, i) => ({ i, v, rem: (v * 100) % total }))
    .sort((x, y) => y.rem - x.rem || y.v - x.v || x.i - y.i);
  for (const { i, rem } of order) {
    if (left <= 0 || rem === 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left--;
  }
  return floors;
}

/** The same algorithm for the page script (ES2017, no dependencies); tested against `percentages`. */
export const PERCENTAGES_JS =
  'function pcts(v){var t=0,i,f=[],o=[],left;for(i=0;i<v.length;i++)t+=v[i];' +
  'if(t<=0)return v.map(function(){return 0});left=100;' +
  'for(i=0;i<v.length;i++){f.push(Math.floor(v[i]*100/t));left-=f[i];o.push({i:i,v:v[i],r:(v[i]*100)%t})}' +
  'o.sort(function(x,y){return y.r-x.r||y.v-x.v||x.i-y.i});' +
  'for(i=0;i<o.length&&left>0&&o[i].r>0;i++){f[o[i].i]++;left--}return f}';

/** "19:41:07 UTC": the time of an ISO timestamp, in UTC, on every page and in every browser. */
export function clockTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(11, 19)} UTC`;
}

/** The same for the page script. */
export const CLOCK_JS = "function clock(iso){return new Date(iso).toISOString().slice(11,19)+' UTC'}";

const numbers = new Intl.NumberFormat('en-US');

/** "1,234": vote counts, with the page script's `Intl.NumberFormat('en-US')`. */
export function count(n: number): string {
  return numbers.format(n);
}

/** "1 vote", "2 votes". */
export function votesUnit(n: number): string {
  return n === 1 ? ' vote' : ' votes';
}
