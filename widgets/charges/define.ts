import { GaskitCharges } from './charges.component.ts';

GaskitCharges.define('gaskit-charges');

export * from './index.ts';
