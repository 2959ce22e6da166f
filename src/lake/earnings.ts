// Earnings moves, defined once: for each report in the `earnings` calendar, the move the options
// implied the day before (the ATM straddle of the first expiry spanning the report, over spot) and
// the move that happened (close to close across it). Computed over the atm_features view, whose
// rows the Symbol page's expected-move panel already reads, so no table stores a copy that could
// disagree with the prices.
//
// Which closes bracket a report: before the open ('bmo') the report date's own close is the first
// after it; after the close ('amc') the next trading day's is. An expiry spans the report when it
// expires after the report date, or on it for 'bmo'.

/**
 * Rows per report: symbol, earnings_date, session, fiscal_quarter, status, quote_date, exp_date,
 * dte, spot, straddle, implied_move (straddle / spot), after_date, spot_after, realised_move
 * (spot_after / spot - 1, signed).
 *
 * Without `asOf` every report is listed, 'done' once the data has its close after the report.
 * With `asOf` (an ISO date literal, already validated) the view is what a reader knew that day:
 * reports completed by then are 'done', the first one still ahead is 'next', priced off that day's
 * options; later ones are left out. `where` filters earnings rows (symbol), `whereAtm` the matching
 * atm_features rows (underlying), so both scans prune to one symbol.
 */
export function earningsMovesSql(p: { where?: string; whereAtm?: string; asOf?: string } = {}): string {
  const where = p.where ?? 'true';
  const whereAtm = p.whereAtm ?? 'true';
  const spans = `(a.exp_date > m.earnings_date OR (m.session = 'bmo' AND a.exp_date = m.earnings_date))`;
  const asOf = p.asOf;
  const status = asOf
    ? `CASE WHEN after_date <= ${asOf} THEN 'done' ELSE 'next' END`
    : `CASE WHEN after_date IS NOT NULL THEN 'done' ELSE 'next' END`;
  const quoteDate = asOf ? `CASE WHEN status = 'next' THEN ${asOf} ELSE before_date END` : 'before_date';
  const keep = asOf
    ? `WHERE status = 'done' OR (status = 'next' AND earnings_date = (SELECT min(earnings_date) FROM marked x WHERE x.symbol = marked.symbol AND x.status = 'next'))`
    : '';
  return `
WITH ev AS (
  SELECT symbol, earnings_date, session, fiscal_quarter FROM earnings WHERE ${where}
), days AS (
  SELECT underlying AS symbol, quote_date AS date, any_value(spot_price) AS spot
  FROM atm_features WHERE ${whereAtm} GROUP BY underlying, quote_date
), bracketed AS (
  SELECT ev.*,
         (SELECT max(d.date) FROM days d WHERE d.symbol = ev.symbol
            AND (d.date < ev.earnings_date OR (ev.session = 'amc' AND d.date = ev.earnings_date))) AS before_date,
         (SELECT min(d.date) FROM days d WHERE d.symbol = ev.symbol
            AND (d.date > ev.earnings_date OR (ev.session = 'bmo' AND d.date = ev.earnings_date))) AS after_date
  FROM ev
), marked AS (
  SELECT *, ${status} AS status FROM bracketed
), m AS (
  SELECT *, ${quoteDate} AS quote_date FROM marked ${keep}
), priced AS (
  SELECT m.*, a.exp_date, a.dte, a.spot_price AS spot, a.straddle_price AS straddle
  FROM m LEFT JOIN (SELECT * FROM atm_features WHERE ${whereAtm}) a
    ON a.underlying = m.symbol AND a.quote_date = m.quote_date AND ${spans}
  QUALIFY row_number() OVER (PARTITION BY m.symbol, m.earnings_date ORDER BY a.exp_date) = 1
)
SELECT p.symbol, p.earnings_date, p.session, p.fiscal_quarter, p.status, p.quote_date, p.exp_date, p.dte,
       p.spot, p.straddle, p.straddle / p.spot AS implied_move,
       CASE WHEN p.status = 'done' THEN p.after_date END AS after_date,
       CASE WHEN p.status = 'done' THEN s.spot END AS spot_after,
       CASE WHEN p.status = 'done' THEN s.spot / b.spot - 1 END AS realised_move
FROM priced p
LEFT JOIN days s ON s.symbol = p.symbol AND s.date = p.after_date
LEFT JOIN days b ON b.symbol = p.symbol AND b.date = p.before_date
ORDER BY p.symbol, p.earnings_date`.trim();
}
