import { initialState, Task, TaskStatus } from '@lit/task';
import { html } from 'lit';
import { toGaskitError, type GaskitError } from '../../sdk/errors.ts';
import type { TenantClient } from '../../sdk/tenant-client.ts';
import type { ClientHost } from './context.ts';
import { renderError } from './errors.ts';
import type { LocalizeController } from './localize.ts';
import { SessionController } from './session.ts';

export interface ClientTaskHost extends ClientHost {
  readonly localize: LocalizeController;
}

export interface ClientTaskOptions<A extends readonly unknown[], R> {
  /** The SDK call. Pass `signal` on: a newer run aborts the previous one. */
  task: (client: TenantClient, args: A, signal: AbortSignal) => Promise<R>;
  /** Arguments read on each update; the task re-runs when they or the client change. */
  args?: () => A;
  /** `false` for calls started by the user (form submits) with `run()`. Default `true`. */
  autoRun?: boolean;
  /**
   * `true` for calls that need the person signed in: the task re-runs whenever the page's session
   * changes (sign-in through a `gaskit-login` beside it, sign-out anywhere), so the data follows the
   * session without a reload.
   */
  session?: boolean;
}

export interface ClientTaskRenderers<R> {
  complete: (value: R) => unknown;
  initial?: () => unknown;
  /** Default: a polite "loading" status. */
  pending?: () => unknown;
  /** Default: the translated, announced error (`errors:<code>`). */
  error?: (error: GaskitError) => unknown;
}

/**
 * Loading and error state of an SDK call, on top of @lit/task. The host's
 * client is passed in; automatic runs wait until the host has one. Errors
 * are always GaskitErrors.
 */
export class ClientTask<A extends readonly unknown[], R> {
  private readonly host: ClientTaskHost;
  private readonly session?: SessionController;
  private readonly task: Task<[TenantClient | undefined, number, ...A], R>;

  constructor(host: ClientTaskHost, { task, args, autoRun = true, session = false }: ClientTaskOptions<A, R>) {
    this.host = host;
    if (session) this.session = new SessionController(host);
    this.task = new Task<[TenantClient | undefined, number, ...A], R>(host, {
      task: ([client, , ...rest], { signal }) => (client ? task(client, rest as unknown as A, signal) : initialState),
      args: () => [host.resolvedClient, this.sessionChanges, ...(args?.() ?? ([] as unknown as A))],
      autoRun,
    });
  }

  private get sessionChanges(): number {
    return this.session?.changes ?? 0;
  }

  get status(): TaskStatus {
    return this.task.status;
  }

  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  get value(): R | undefined {
    return this.task.value;
  }

  get error(): GaskitError | undefined {
    return this.task.status === TaskStatus.ERROR ? toGaskitError(this.task.error) : undefined;
  }

  /**
   * Starts the call with the current client. Resolves with the result of the
   * latest run, rejects with its GaskitError (also rendered by `render`).
   */
  run(...args: A): Promise<R> {
    const client = this.host.resolvedClient;
    if (!client) {
      return Promise.reject(
        new Error(
          `<${this.host.localName}>: no Gaskit client; set the tenant attribute or the client property, or provide clientContext`,
        ),
      );
    }
    void this.task.run([client, this.sessionChanges, ...args]);
    return this.task.taskComplete.catch((error: unknown) => {
      throw toGaskitError(error);
    });
  }

  render({ complete, initial, pending, error }: ClientTaskRenderers<R>): unknown {
    const { localize } = this.host;
    return this.task.render({
      initial,
      complete,
      pending: pending ?? (() => html`<p part="status" class="status" role="status">${localize.t('common:loading')}</p>`),
      error: (e) => (error ? error(toGaskitError(e)) : renderError(localize, e)),
    });
  }
}
