/** One check of a replay against the chain: ok, a mismatch (with both values), or n/a (with why). */
export type CheckStatus = 'ok' | 'mismatch' | 'n/a';

export interface Check {
  status: CheckStatus;
  expected?: string;
  actual?: string;
  /** Why n/a, or what differs. */
  note?: string;
}
