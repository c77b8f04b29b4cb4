import { GaskitRegister } from './register.component.ts';

GaskitRegister.define('gaskit-register');

export * from './index.ts';
