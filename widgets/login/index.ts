export { GaskitLogin } from './login.component.ts';
