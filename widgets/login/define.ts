import { GaskitLogin } from './login.component.ts';

GaskitLogin.define('gaskit-login');

export * from './index.ts';
