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
    ? `QUALIFY status = 'done' OR row_number() OVER (PARTITION BY symbol, status ORDER BY earnings_date) = 1`
    : '';
  const before = `(d.date < ev.earnings_date OR (ev.session = 'amc' AND d.date = ev.earnings_date))`;
  const after = `(d.date > ev.earnings_date OR (ev.session = 'bmo' AND d.date = ev.earnings_date))`;
  // Joins and filtered aggregates, no correlated subqueries: binding stays cheap, and every engine
  // creates this view (and lists its columns) at start.
  return `
WITH ev AS (
  SELECT symbol, earnings_date, session, fiscal_quarter FROM earnings WHERE ${where}
), a AS (
  SELECT underlying, quote_date, exp_date, dte, spot_price, straddle_price FROM atm_features WHERE ${whereAtm}
), days AS (
  SELECT underlying AS symbol, quote_date AS date, any_value(spot_price) AS spot FROM a GROUP BY underlying, quote_date
), bracketed AS (
  SELECT ev.symbol, ev.earnings_date, ev.session, ev.fiscal_quarter,
         max(d.date) FILTER (WHERE ${before}) AS before_date,
         arg_max(d.spot, d.date) FILTER (WHERE ${before}) AS spot_before,
         min(d.date) FILTER (WHERE ${after}) AS after_date,
         arg_min(d.spot, d.date) FILTER (WHERE ${after}) AS spot_after
  FROM ev LEFT JOIN days d ON d.symbol = ev.symbol
  GROUP BY ev.symbol, ev.earnings_date, ev.session, ev.fiscal_quarter
), marked AS (
  SELECT *, ${status} AS status FROM bracketed
), m AS (
  SELECT *, ${quoteDate} AS quote_date FROM marked ${keep}
), priced AS (
  SELECT m.*, a.exp_date, a.dte, a.spot_price AS spot, a.straddle_price AS straddle
  FROM m LEFT JOIN a ON a.underlying = m.symbol AND a.quote_date = m.quote_date AND ${spans}
  QUALIFY row_number() OVER (PARTITION BY m.symbol, m.earnings_date ORDER BY a.exp_date) = 1
)
SELECT symbol, earnings_date, session, fiscal_quarter, status, quote_date, exp_date, dte,
       spot, straddle, straddle / spot AS implied_move,
       CASE WHEN status = 'done' THEN after_date END AS after_date,
       CASE WHEN status = 'done' THEN spot_after END AS spot_after,
       CASE WHEN status = 'done' THEN spot_after / spot_before - 1 END AS realised_move
FROM priced
ORDER BY symbol, earnings_date`.trim();
}
