import { GaskitSettings } from './settings.component.ts';

GaskitSettings.define('gaskit-settings');

export * from './index.ts';
