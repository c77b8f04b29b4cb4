import type { ModuleManifest } from '../manifest.ts';
import { feedbackIntegrationRoutes } from './integration-routes.ts';
import { feedbackTemplates } from './messages.ts';
import { feedbackRoutes, inboundRoutes } from './routes.ts';
import { dropFeedbackOfDeleted, loadFeedbackFile, orphanFilesWorker } from './service.ts';

/** Support requests: the widget's and the integration API's routes, inbound mail, attachments. */
export const feedbackModule: ModuleManifest = {
  name: 'feedback',
  routes: (mount) => ({ tenant: [feedbackRoutes(mount), feedbackIntegrationRoutes(mount)], root: [inboundRoutes(mount)] }),
  workers: [orphanFilesWorker],
  templates: feedbackTemplates,
  subscriberDeleted: { feedback: dropFeedbackOfDeleted },
  attachmentSources: { 'feedback-file': loadFeedbackFile },
};
