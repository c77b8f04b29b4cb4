export { GaskitHint } from './hint.component.ts';
