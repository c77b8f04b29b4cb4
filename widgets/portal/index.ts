export { GaskitPortal } from './portal.component.ts';
export { parseRoute, routePath, type Route, type View } from './router.ts';
