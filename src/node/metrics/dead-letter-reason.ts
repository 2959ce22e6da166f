// Dead-letter reasons carry the offending value ("bad strike: 'x' is not a number"); a metric label
// must not, or every bad message would make a new series. The class keeps what is bounded: the
// kind of problem and the column.
export function deadLetterClass(reason: string): string {
  // Earnings records (realtime/earnings-record.ts) say "earnings: bad session: ...".
  const m = /^(earnings: )?(missing field|bad) ([a-z_]+)/.exec(reason);
  if (m) return `${m[1] ? 'earnings_' : ''}${m[2] === 'bad' ? 'bad' : 'missing'}_${m[3]}`;
  if (reason.startsWith('unknown record kind')) return 'unknown_kind';
  // Ingest rules (realtime/rules.ts): "rule date: ...", "rule symbol: ...".
  const rule = /^rule ([a-z_]+):/.exec(reason);
  if (rule) return `rule_${rule[1]}`;
  return 'other';
}
