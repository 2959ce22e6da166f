import { startBoot } from './app/boot.ts';
import './app/theme.css';

// Before the app's chunk loads: the engine, the manifest and Plotly start now, in parallel.
startBoot();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const [{ mount }, { default: App }] = await Promise.all([import('svelte'), import('./app/App.svelte')]);
target.textContent = '';
mount(App, { target });
