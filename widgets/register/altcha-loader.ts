/**
 * Loaded lazily by the captcha field: the ALTCHA widget with a solver that needs no web worker.
 * altcha starts its solvers as `blob:` workers, which a host page's Content-Security-Policy
 * usually refuses (ours does: `script-src 'self'`); the solver here runs the same proof of work
 * with WebCrypto, whose PBKDF2 and SHA work happens off the page's thread anyway.
 */
import 'altcha';
import { pbkdf2, sha, solveChallenge, type Challenge } from 'altcha/lib';

interface WorkMessage {
  type: 'work';
  challenge: Challenge;
  counterStart?: number;
  counterStep?: number;
  counterMode?: 'uint32' | 'string';
  timeout?: number;
}

/** Speaks the message protocol of altcha's solver worker, solving with WebCrypto on this thread. */
class InlineSolver extends EventTarget {
  private readonly controller = new AbortController();

  postMessage(message: WorkMessage | { type: 'abort' }): void {
    if (message.type === 'abort') {
      this.controller.abort();
      return;
    }
    const deriveKey = message.challenge.parameters.algorithm.startsWith('PBKDF2/') ? pbkdf2.deriveKey : sha.deriveKey;
    solveChallenge({
      challenge: message.challenge,
      deriveKey,
      controller: this.controller,
      counterStart: message.counterStart,
      counterStep: message.counterStep,
      counterMode: message.counterMode,
      timeout: message.timeout,
    }).then(
      (solution) => this.dispatchEvent(new MessageEvent('message', { data: solution })),
      (error: unknown) => this.dispatchEvent(new MessageEvent('message', { data: { error: String(error) } })),
    );
  }

  terminate(): void {
    this.controller.abort();
  }
}

for (const algorithm of ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512', 'SHA-256', 'SHA-384', 'SHA-512']) {
  globalThis.$altcha.algorithms.set(algorithm, () => new InlineSolver() as unknown as Worker);
}
