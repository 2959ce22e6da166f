// What every page and panel needs from the shell, passed through Svelte context.
import { getContext, setContext } from 'svelte';
import type { EngineClient } from '../engine/client.ts';
import type { InitInfo } from '../engine/api.ts';
import type { Route } from './stores/route.svelte.ts';

export interface AppContext {
  engine: EngineClient;
  route: Route;
  /** Current dataset; replaced when a newer manifest is picked up. */
  info: () => InitInfo;
  symbols: () => string[];
  bounds: () => { min: string; max: string };
}

const KEY = Symbol('quantiv');

export function provideApp(ctx: AppContext): void {
  setContext(KEY, ctx);
}

export function useApp(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('useApp() outside the app shell');
  return ctx;
}
