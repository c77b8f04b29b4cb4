import { GaskitHint } from './hint.component.ts';

GaskitHint.define('gaskit-hint');

export * from './index.ts';
