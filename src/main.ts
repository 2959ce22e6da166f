import { mount } from 'svelte';
import App from './app/App.svelte';
import './app/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
target.textContent = '';
mount(App, { target });
