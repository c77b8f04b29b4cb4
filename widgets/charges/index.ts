export { GaskitCharges } from './charges.component.ts';
