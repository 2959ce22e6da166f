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
