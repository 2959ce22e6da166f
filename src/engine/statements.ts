// What a piece of SQL is, decided by DuckDB itself: its tokenizer splits statements (strings,
// quoted names and comments included, which no regex gets right) and its parser decides whether
// the one statement is a query. Shared by the browser worker and the node engine's tests.
import type { SqlVerdict } from './api.ts';

/** DuckDB-WASM's tokenizer output (bindings.tokenize). */
export interface Tokens {
  offsets: number[];
  types: number[];
}

const OPERATOR = 3;
const KEYWORD = 4;

/** The statements' source ranges, split at `;` operator tokens; empty statements are dropped. */
export function splitStatements(sql: string, tokens: Tokens): { start: number; end: number; keyword: string }[] {
  const out: { start: number; end: number; keyword: string }[] = [];
  let start = -1;
  let keyword = '';
  for (let i = 0; i < tokens.offsets.length; i++) {
    const at = tokens.offsets[i]!;
    if (tokens.types[i] === OPERATOR && sql[at] === ';') {
      if (start >= 0) out.push({ start, end: at, keyword });
      start = -1;
      continue;
    }
    if (start < 0) {
      start = at;
      keyword = tokens.types[i] === KEYWORD ? /^[A-Za-z_]+/.exec(sql.slice(at))?.[0]?.toUpperCase() ?? '' : '';
    }
  }
  if (start >= 0) out.push({ start, end: sql.length, keyword });
  return out;
}

/**
 * A table macro's body must be a query, so DuckDB's parser accepts the statement there only if it
 * is a SELECT (FROM-first, VALUES, WITH and set operations included). The macro is prepared, never
 * created. The newline keeps a trailing `--` comment from swallowing anything after it.
 */
export function probeSql(statement: string): string {
  return `CREATE TEMP MACRO quantiv_read_only_probe() AS TABLE\n${statement}\n`;
}

/**
 * The verdict from the statement count and the probe's outcome (null: it prepared). A parser error
 * means "not a query"; a binder or permission error means it is one, and running it will say what
 * is wrong with it.
 */
export function verdict(sql: string, tokens: Tokens, probeError: string | null): SqlVerdict {
  const statements = splitStatements(sql, tokens);
  if (statements.length === 0) return { readOnly: false, statements: 0, reason: 'There is no SQL statement to run.' };
  if (statements.length > 1) {
    return {
      readOnly: false,
      statements: statements.length,
      reason: `This SQL holds ${statements.length} statements; the console runs one statement at a time. Run each on its own.`,
    };
  }
  if (probeError === null || !/^Parser Error|multiple statements/i.test(probeError)) return { readOnly: true, statements: 1, reason: '' };
  const kind = statements[0]!.keyword;
  return {
    readOnly: false,
    statements: 1,
    reason: `${kind ? `This is a ${kind} statement, not a read-only SELECT` : 'DuckDB does not read this as a single SELECT'}: only a SELECT runs by itself from a link.`,
  };
}
