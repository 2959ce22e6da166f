import { describe, expect, it } from 'vitest';
import { bundleFor } from './plotly.ts';

describe('bundleFor', () => {
  it('draws 2D traces with the basic bundle, a trace with no type being scatter', () => {
    expect(bundleFor([{ type: 'scatter' }, { type: 'bar' }, {}])).toBe('basic');
  });
  it('needs the full bundle as soon as one trace is 3D (or any type the basic bundle lacks)', () => {
    expect(bundleFor([{ type: 'scatter' }, { type: 'mesh3d' }])).toBe('full');
    expect(bundleFor([{ type: 'heatmap' }])).toBe('full');
  });
});
