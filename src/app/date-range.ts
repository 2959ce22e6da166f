// Date choices as the user types them: a draft is only committed once it is a whole, valid date
// inside the data's bounds, so typing a year digit by digit (0002, 0020, 0202, 2025) never runs a
// query for or links to the intermediate years. Presets are relative to the newest data.
import { isIsoDate } from './url-state.ts';

export interface Bounds {
  min: string;
  max: string;
}

/** Why a draft date cannot be used yet, or null when it can. */
export function draftProblem(value: string, bounds: Bounds): string | null {
  if (!value) return 'Enter a date';
  if (!isIsoDate(value)) return `${value} is not a date`;
  if (bounds.min && value < bounds.min) return `The data starts on ${bounds.min}`;
  if (bounds.max && value > bounds.max) return `The data ends on ${bounds.max}`;
  return null;
}

export type DatePart = 'year' | 'month' | 'day';

/**
 * The segment a date input shows last in this locale (year in en-US mm/dd/yyyy and de dd.mm.yyyy,
 * day in ja yyyy/mm/dd): typing a date in order finishes there.
 */
export function lastDatePart(locale?: string): DatePart {
  const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(Date.UTC(2001, 1, 3)))
    .map((p) => p.type)
    .filter((t): t is DatePart => t === 'year' || t === 'month' || t === 'day');
  return parts[parts.length - 1] ?? 'year';
}

const partOf = (iso: string, part: DatePart): string => iso.slice(...({ year: [0, 4], month: [5, 7], day: [8, 10] } as const)[part]);

/**
 * Whether a pause after this keystroke may commit the draft. A date input keeps the old values in
 * the segments not yet typed, so typing month and day first (en-US) makes a valid date before the
 * year is typed: only a keystroke that changes the last segment finishes a date. `lastWhole` is
 * the last whole date the field held before this keystroke (a half-typed segment makes the value
 * '' in between, so that is no baseline); '' when the field was blank, and then the first whole
 * date is the finished one. Other edits commit on Enter or blur.
 */
export function pauseMayCommit(lastWhole: string, after: string, last: DatePart): boolean {
  if (!isIsoDate(after)) return false;
  if (!isIsoDate(lastWhole)) return true;
  return partOf(lastWhole, last) !== partOf(after, last);
}

/** The baseline for the next keystroke: the value if it is a whole date, else the one before. */
export const nextWhole = (lastWhole: string, value: string): string => (isIsoDate(value) ? value : lastWhole);

/** The message for a range whose ends are each valid but inverted. */
export function rangeProblem(from: string, to: string): string | null {
  return from && to && from > to ? `To (${to}) is before From (${from}): choose a later To or an earlier From` : null;
}

export const PRESETS = ['1M', '3M', 'YTD', '1Y', 'All'] as const;
export type Preset = (typeof PRESETS)[number];

function minusMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  // Clamp the day: a month back from 03-31 is the last day of February.
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  const dayAfter = new Date(Date.UTC(year, month - 1, day + 1));
  return dayAfter.toISOString().slice(0, 10);
}

/** The range a preset names, ending at the newest data and never starting before the oldest. */
export function presetRange(preset: Preset, bounds: Bounds): { from: string; to: string } {
  const to = bounds.max;
  const clamp = (d: string) => (d < bounds.min ? bounds.min : d);
  switch (preset) {
    case '1M':
      return { from: clamp(minusMonths(to, 1)), to };
    case '3M':
      return { from: clamp(minusMonths(to, 3)), to };
    case 'YTD':
      return { from: clamp(`${to.slice(0, 4)}-01-01`), to };
    case '1Y':
      return { from: clamp(minusMonths(to, 12)), to };
    case 'All':
      return { from: bounds.min, to };
  }
}

/** The preset the current range equals, to mark its button. */
export function activePreset(from: string, to: string, bounds: Bounds): Preset | null {
  if (!bounds.max) return null;
  return PRESETS.find((p) => {
    const r = presetRange(p, bounds);
    return r.from === from && r.to === to;
  }) ?? null;
}

/** The trading date to show for a chosen day: itself, else the nearest earlier one (else the first). */
export function snapToTradingDate(value: string, dates: readonly string[]): string {
  if (!dates.length) return '';
  let best = dates[0]!;
  for (const d of dates) {
    if (d <= value) best = d;
    else break;
  }
  return best;
}
