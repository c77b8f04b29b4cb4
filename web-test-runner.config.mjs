import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { countsReporter } from './test/widgets/counts-reporter.mjs';

export default {
  files: ['test/widgets/**/*.test.ts'],
  nodeResolve: true,
  // One page at a time: a second, hidden page gets no animation frames (fixture() and
  // nextFrame() wait for one) and no real focus, which makes tests flaky.
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  // The compiler options themselves: esbuild takes this file as it is, without following `extends`.
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.base.json' })],
  reporters: [defaultReporter(), countsReporter({ file: process.env.GASKIT_COUNTS_FILE })],
  testFramework: { config: { timeout: 5000 } },
};
