import { describe, expect, it } from 'vitest';
import { createViewsSql, registeredName } from '../lake/views.ts';
import type { Manifest } from '../lake/manifest.ts';
import { referencedViews, viewDefs, viewsFor } from './view-deps.ts';

const manifest = { format: 'quantiv-manifest', formatVersion: 1, datasetVersion: 'x', createdAt: '', files: [] } as unknown as Manifest;

describe('view dependencies', () => {
  const defs = viewDefs(createViewsSql(manifest, registeredName, { temp: true }));

  it('a word outside string literals names a view; a path or a longer identifier does not', () => {
    const names = ['options', 'options_daily', 'spot_history'];
    expect(referencedViews("SELECT * FROM options WHERE x = 'lake/ab/options_daily/y.parquet'", names)).toEqual(['options']);
    expect(referencedViews('SELECT * FROM options_daily_extra, my_options', names)).toEqual([]);
    expect(referencedViews('select 1 from "SPOT_HISTORY" s join options_daily d using (date)', names)).toEqual(['options_daily', 'spot_history']);
    expect(referencedViews("SELECT 'it''s options' AS t", names)).toEqual([]);
  });

  it('a view comes after what it reads, and a query gets exactly the views it needs', () => {
    expect(defs.get('iv_skew')!.deps.sort()).toEqual(['options', 'spot_history']);
    const plan = viewsFor('SELECT * FROM iv_skew LIMIT 1', defs).map((d) => d.name);
    expect(plan).toContain('iv_skew');
    expect(plan.indexOf('spot_history')).toBeLessThan(plan.indexOf('iv_skew'));
    expect(plan.indexOf('options')).toBeLessThan(plan.indexOf('iv_skew'));
    expect(new Set(plan).size).toBe(plan.length);
    expect(plan).not.toContain('forecast_accuracy');
    expect(viewsFor('SELECT 42', defs)).toEqual([]);
  });

  it('every view is defined, and no view depends on itself', () => {
    expect(defs.size).toBeGreaterThanOrEqual(20);
    for (const d of defs.values()) expect(d.deps).not.toContain(d.name);
  });
});
