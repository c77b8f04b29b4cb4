/** Entry of dist/gaskit.js: defines every widget and exports their classes and the SDK entry points. */
import './hint/define.ts';
import './register/define.ts';
import './login/define.ts';
import './settings/define.ts';

export * from './hint/index.ts';
export * from './register/index.ts';
export * from './login/index.ts';
export * from './settings/index.ts';
export { createClient, GaskitError, isGaskitError, type GaskitClient } from '../sdk/index.ts';
