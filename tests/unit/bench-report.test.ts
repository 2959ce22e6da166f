import { describe, expect, it } from 'vitest';
import { medianPhases, phaseTable } from '../../bench/report.ts';

describe('cold-start phases in the bench report', () => {
  it('medians each phase over the loads that reached it', () => {
    const m = medianPhases([{ boot: 10, 'first-chart': 900 }, { boot: 30, 'first-chart': 1100 }, { boot: 20 }]);
    expect(m).toEqual({ boot: 20, 'first-chart': 1000 });
  });

  it('lists phases in time order with the step from the row above', () => {
    const lines = phaseTable({ phases: { 'first-chart': 1500, boot: 20, 'engine-ready': 1200 }, longestTaskMs: 250 }, { phases: { boot: 5 } });
    const rows = lines.filter((l) => /^\| [a-z]/.test(l)).slice(1);
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| boot', '| engine-ready', '| first-chart']);
    expect(rows[1]).toBe('| engine-ready | 1.20 s | 1.18 s | - |');
    expect(lines.join('\n')).toContain('cold 250 ms');
  });

  it('prints nothing for results recorded before the marks existed', () => {
    expect(phaseTable({}, {})).toEqual([]);
  });
});
