export * from './history.ts';
export * from './snapshot.ts';
export * from './forecasts.ts';
export * from './screener.ts';
export * from './params.ts';
export * from './earnings.ts';
