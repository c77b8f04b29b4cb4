import { ClientErrorCode, GaskitError } from '../../sdk/errors.ts';

/**
 * A part of a widget kept out of its bundle and loaded on first use (a lazy chunk): `load`
 * imports it and defines its elements. The returned function starts the load once and returns
 * its promise; a failed load (the network) rejects with `network_error` and is tried again on the
 * next call.
 */
export function lazyPart(what: string, load: () => Promise<void>): () => Promise<void> {
  let loading: Promise<void> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw new GaskitError({ code: ClientErrorCode.network, message: `${what} could not be loaded`, cause: error });
    });
    return loading;
  };
}
