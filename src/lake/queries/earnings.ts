// The Symbol page's earnings panel: the reports known on the snapshot date, with the implied and
// realised moves (src/lake/earnings.ts), and the next report priced off that day's options.
import { earningsMovesSql } from '../earnings.ts';
import type { Snapshot } from './snapshot.ts';
import { dateLit, symbolLit } from './params.ts';

export function earningsSql(s: Snapshot): string {
  const sym = symbolLit(s.symbol);
  return earningsMovesSql({ where: `symbol = ${sym}`, whereAtm: `underlying = ${sym}`, asOf: dateLit(s.date) });
}
