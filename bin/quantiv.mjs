#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx is registered before the first .ts import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
