import { describe, expect, it } from 'vitest';
import { loadTheme, nextTheme, resolveTheme } from './theme.ts';

describe('theme', () => {
  it('cycles auto -> light -> dark -> auto', () => {
    expect([nextTheme('auto'), nextTheme('light'), nextTheme('dark')]).toEqual(['light', 'dark', 'auto']);
  });
  it('resolves auto from the system setting and keeps explicit choices', () => {
    expect(resolveTheme('auto', true)).toBe('dark');
    expect(resolveTheme('auto', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
  });
  it('ignores unknown stored values', () => {
    expect(loadTheme({ getItem: () => 'neon' })).toBe('auto');
    expect(loadTheme({ getItem: () => 'dark' })).toBe('dark');
  });
});

describe('chart theme from CSS variables', () => {
  const dark: Record<string, string> = { '--text': '#e6e9ee', '--grid': '#252b34', '--axis': '#3b4350', '--panel': '#171b22', '--chart-1': '#5aa2ff' };
  it('gridlines, axes, 3D scenes and hover labels take the theme, never a default white', async () => {
    const { chartLayout } = await import('./theme.ts');
    const l = chartLayout((n) => dark[n] ?? '') as Record<string, Record<string, unknown>>;
    expect(l.xaxis!.gridcolor).toBe('#252b34');
    expect(l.yaxis!.zerolinecolor).toBe('#3b4350');
    expect((l.scene!.zaxis as Record<string, unknown>).gridcolor).toBe('#252b34');
    expect((l.font as Record<string, unknown>).color).toBe('#e6e9ee');
    expect((l.hoverlabel as Record<string, unknown>).bgcolor).toBe('#171b22');
    expect((l.colorway as unknown as string[])[0]).toBe('#5aa2ff');
    // Plotly writes each axis's autotype into it: no two axes may share one object.
    expect(l.xaxis).not.toBe(l.yaxis);
    expect((l.xaxis!.title as object)).not.toBe(l.yaxis!.title);
  });
  it('on a phone axes grow their margins for ticks', async () => {
    const { chartLayout } = await import('./theme.ts');
    const l = chartLayout(() => '', true) as Record<string, Record<string, unknown>>;
    expect(l.xaxis!.automargin).toBe(true);
    expect((l.margin as Record<string, number>).l).toBeLessThan(56);
  });
});
