/**
 * The web platform the SDK runs on (browsers, Node 22, workers): the few globals it uses, as the
 * subset that the DOM and Node both provide. The SDK is type-checked against these alone
 * (sdk/tsconfig.json: no DOM, no Node types), so it cannot come to depend on either; its
 * published declarations name the same globals, which the user's DOM or Node types supply.
 */

/* eslint-disable no-var -- a global value is a `var`, so that `globalThis` has it too. */

interface AbortSignal {
  readonly aborted: boolean;
}

interface Blob {
  readonly size: number;
  readonly type: string;
}

interface File extends Blob {
  readonly name: string;
}
declare var File: { prototype: File; new (bits: Blob[], name: string): File };

interface FormData {
  append(name: string, value: string | Blob, fileName?: string): void;
}
declare var FormData: { prototype: FormData; new (): FormData };

interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  signal?: AbortSignal;
}

interface Response {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

declare function fetch(input: string, init?: RequestInit): Promise<Response>;

interface URLSearchParams {
  append(name: string, value: string): void;
  delete(name: string): void;
  toString(): string;
}
declare var URLSearchParams: { prototype: URLSearchParams; new (): URLSearchParams };

interface URL {
  hash: string;
  readonly href: string;
  readonly searchParams: URLSearchParams;
}
declare var URL: { prototype: URL; new (url: string): URL };

declare var crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

declare function setTimeout(handler: (value?: unknown) => void, timeout?: number): unknown;
