// Which views a statement needs, so the worker creates a view only when a query first names it.
// Creating all ~20 up front cost the cold start 0.3-0.7 s (binding each one; the legacy and
// analytic views over the options files the most), most of them for views the first page never reads.

export interface ViewDef {
  name: string;
  /** The CREATE statement. */
  sql: string;
  /** Other views its query names, created before it. */
  deps: string[];
}

/** SQL with its string literals blanked: file paths inside them name no view. */
function withoutStrings(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}

/** The views among `names` that sql mentions as a word outside string literals. */
export function referencedViews(sql: string, names: Iterable<string>): string[] {
  const text = withoutStrings(sql).toLowerCase();
  return [...names].filter((n) => new RegExp(`(^|[^\\w$])${n.toLowerCase()}($|[^\\w$])`).test(text));
}

/** CREATE VIEW statements (createViewsSql) as definitions with their dependencies. */
export function viewDefs(statements: string[]): Map<string, ViewDef> {
  const defs = new Map<string, ViewDef>();
  const named = statements.map((sql) => ({ sql, name: /\bVIEW\s+(\w+)/i.exec(sql)?.[1] ?? '' }));
  const names = named.map((s) => s.name).filter((n) => n !== '');
  for (const { sql, name } of named) {
    if (!name) continue;
    const body = sql.slice(sql.search(/\bAS\b/i) + 2);
    defs.set(name, { name, sql, deps: referencedViews(body, names).filter((n) => n !== name) });
  }
  return defs;
}

/** The views a statement needs, dependencies first, each once. */
export function viewsFor(sql: string, defs: Map<string, ViewDef>): ViewDef[] {
  const out: ViewDef[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const def = defs.get(name);
    if (!def) return;
    def.deps.forEach(visit);
    out.push(def);
  };
  referencedViews(sql, defs.keys()).forEach(visit);
  return out;
}
