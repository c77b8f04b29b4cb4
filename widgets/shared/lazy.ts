import { ClientErrorCode, GaskitError } from '../../sdk/errors.ts';
import type { WidgetNamespace } from '../../sdk/types.ts';
import type { LocalizeController } from './localize.ts';

/**
 * A part of a widget kept out of its bundle and loaded on first use (a lazy chunk): `load`
 * imports it and defines its elements; `namespaces` are the texts only the part shows, which
 * load with it instead of with the widget. The returned function starts the load once and returns
 * its promise; given the host's `localize`, it also loads the part's texts in the host's language,
 * at the same time, and resolves once both are there, so the part never shows without its texts.
 * A failed load (the network) rejects with `network_error` and is tried again on the next call.
 */
export function lazyPart(
  what: string,
  load: () => Promise<void>,
  namespaces: readonly WidgetNamespace[] = [],
): (localize?: LocalizeController) => Promise<void> {
  let loading: Promise<void> | undefined;
  const failed = (error: unknown) =>
    new GaskitError({ code: ClientErrorCode.network, message: `${what} could not be loaded`, cause: error });
  return (localize) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw failed(error);
    });
    if (!localize || namespaces.length === 0) return loading;
    const texts = localize.load(namespaces).catch((error: unknown) => {
      throw failed(error);
    });
    return Promise.all([loading, texts]).then(() => undefined);
  };
}
