import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { PendingPaid } from './accounts/amount-due.ts';
import type { AccountSettings } from './accounts/module.ts';
import type { AuthSettings } from './auth/policy.ts';
import type { CaptchaSettings } from './auth/captcha.ts';
import type { Config } from './config.ts';
import type { FeedbackSettings } from './feedback/config.ts';
import type { PublicUrl } from './http/public-url.ts';
import type { NotifyRuntime } from './notify/service.ts';
import type { AttachmentLoader } from './notify/service.ts';
import type { Template } from './notify/templates.ts';
import type { SubscriberDeletedHook } from './subscribers/hooks.ts';
import type { Worker } from './workers.ts';

/**
 * Everything one app built by `bootstrap` (server/bootstrap.ts) knows: its configuration, each
 * module's settings and what the modules contribute (workers, templates, hooks, attachment
 * sources). Nothing of it lives in a module's globals, so two apps in one process (tests) each
 * keep their own.
 */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Where mailed links lead. */
  publicUrl: PublicUrl;
  /** Where operator warnings from services go (`alert`); a test may point it at its own logger. */
  alerts: { logger: Logger | undefined };
  auth: AuthSettings;
  captcha: CaptchaSettings;
  notify: NotifyRuntime;
  feedback: FeedbackSettings;
  payments: { fulfilLeaseMs: number };
  accounts: AccountSettings;
  workers: ReadonlyMap<string, Worker>;
  templates: ReadonlyMap<string, Template>;
  subscriberDeleted: readonly { name: string; run: SubscriberDeletedHook }[];
  attachmentSources: ReadonlyMap<string, AttachmentLoader>;
  /** The payments module's answer; nothing is pending in an app without one. */
  pendingPaid: PendingPaid;
}

const scope = new AsyncLocalStorage<AppContext>();

/**
 * The app the running code serves: each request, worker run and `runInApp` call runs inside one
 * (see `bootstrap`). Code outside any (an import, a test calling a service without its app) gets
 * an error rather than some other app's settings.
 */
export function appContext(): AppContext {
  const context = scope.getStore();
  if (!context) throw new Error('no app context: service code runs inside a request, a worker run or runInApp()');
  return context;
}

/** Runs `fn` (and everything it starts) as code of the app `context`. */
export function runInApp<T>(context: AppContext, fn: () => T): T {
  return scope.run(context, fn);
}

/**
 * `fn`, bound to the app of the code that binds it: for callbacks a stream's events call (body
 * parsers, multipart), where the request's app would otherwise be lost.
 */
export function inThisApp<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return AsyncResource.bind(fn);
}

/** A middleware that calls `next` from a stream's events, made to go on in the request's app. */
export function keepAppContext<Req, Res>(
  handler: (req: Req, res: Res, next: (err?: unknown) => void) => void,
): (req: Req, res: Res, next: (err?: unknown) => void) => void {
  return (req, res, next) => handler(req, res, inThisApp(next));
}
