/** Exit codes of every `monge` command (documented in README and --help). */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  /** `monge batch`: some pairs failed. */
  somePairsFailed: 4,
} as const;
