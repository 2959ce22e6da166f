// Validation of the values the app interpolates into SQL. Every builder checks its inputs here,
// so a crafted link can never change a query's shape.
import { quoteString } from '../schema.ts';

const SYMBOL = /^[A-Z0-9.\-]{1,10}$/;
const ISO = /^\d{4}-\d{2}-\d{2}$/;
const WORD = /^[A-Za-z0-9_.\-]{1,40}$/;

export function symbolLit(symbol: string): string {
  if (!SYMBOL.test(symbol)) throw new Error(`Invalid symbol "${symbol}"`);
  return quoteString(symbol);
}

export function dateLit(date: string): string {
  if (!ISO.test(date)) throw new Error(`Invalid date "${date}": expected YYYY-MM-DD`);
  return `DATE ${quoteString(date)}`;
}

export function wordLit(value: string, what: string): string {
  if (!WORD.test(value)) throw new Error(`Invalid ${what} "${value}"`);
  return quoteString(value);
}

export function rangeCheck(from: string, to: string): void {
  dateLit(from);
  dateLit(to);
  if (from > to) throw new Error('The start date is after the end date');
}
