export { GaskitSettings } from './settings.component.ts';
