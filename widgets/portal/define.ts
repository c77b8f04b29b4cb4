import { GaskitPortal } from './portal.component.ts';

GaskitPortal.define('gaskit-portal');

export * from './index.ts';
