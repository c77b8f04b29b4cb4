/** Entry of dist/gaskit.js: defines every widget and exports their classes and the SDK entry points. */
import './hint/define.ts';
import './link-account/define.ts';
import './account/define.ts';
import './charges/define.ts';
import './readings/define.ts';
import './pay/define.ts';
import './payment-history/define.ts';
import './feedback/define.ts';
import './register/define.ts';
import './login/define.ts';
import './settings/define.ts';
import './portal/define.ts';

export * from './hint/index.ts';
export * from './link-account/index.ts';
export * from './account/index.ts';
export * from './charges/index.ts';
export * from './readings/index.ts';
export * from './pay/index.ts';
export * from './payment-history/index.ts';
export * from './feedback/index.ts';
export * from './register/index.ts';
export * from './login/index.ts';
export * from './settings/index.ts';
export * from './portal/index.ts';
// Parts several widgets render, defined by them; their classes are exported here alone, so a widget's
// own module does not import a part it loads lazily.
export { GaskitAccountPin } from './shared/account-pin.component.ts';
export { GaskitAccountUnlink } from './shared/account-unlink.component.ts';
export { createClient, GaskitError, isGaskitError, type GaskitClient } from '../sdk/index.ts';
