export { GaskitRegister } from './register.component.ts';
export { GaskitCaptcha } from './captcha.component.ts';
