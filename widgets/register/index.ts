export { GaskitRegister } from './register.component.ts';
