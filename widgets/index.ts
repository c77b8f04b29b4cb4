/** Entry of dist/gaskit.js: defines every widget and exports their classes and the SDK entry points. */
import './hint/define.ts';

export * from './hint/index.ts';
export { createClient, GaskitError, isGaskitError, type GaskitClient } from '../sdk/index.ts';
