import type { ModuleManifest } from '../../server/manifest.ts';
import type { MailAttachment } from '../../server/notify/transports.ts';
import type { SubscriberDeleted } from '../../server/subscribers/hooks.ts';

/** Files the test module's emails attach (`{ source: 'test-file', id }`): tests put them here. */
export const testFiles = new Map<string, MailAttachment>();

/** Every subscriber-deleted event of the run, as a module sees it. */
export const deletedSubscribers: SubscriberDeleted[] = [];

/** A module of the tests' own, built into the test server like any other: a template, an attachment source, a hook. */
export const testModule: ModuleManifest = {
  name: 'test',
  templates: {
    'test.hello': (t, d) => ({
      subject: `${t('notify:auth.confirmLink.subject')} ${d.n}`,
      blocks: [{ text: `Hello ${d.name}` }, { button: 'Open', url: String(d.url) }, { code: String(d.code) }],
      sms: `SMS ${d.n}`,
    }),
  },
  attachmentSources: { 'test-file': async (id) => testFiles.get(id) ?? null },
  subscriberDeleted: { 'test.events': async (event) => void deletedSubscribers.push(event) },
};
