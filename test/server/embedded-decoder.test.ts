import { expect } from 'chai';
import { ferretdbWithGaskitDecoder } from '../helpers/ferretdb-module.ts';

describe('the embedded database’s decoder of stored documents (Go, beside FerretDB’s own)', function () {
  this.timeout(300_000);

  it('decodes every one of FerretDB’s test cases, random documents and corruptions of them as FerretDB’s decoder does', async () => {
    const module = await ferretdbWithGaskitDecoder();
    try {
      const out = await module.goTest(['-run', '^TestGaskit', '-count=1', '-v']);
      expect(out).to.match(/--- PASS: TestGaskitDecoderAgrees \(/);
      expect(out).to.match(/--- PASS: TestGaskitDecoderAgreesOnRandomDocuments \(/);
      const cases = Number(/(\d+) cases/.exec(out)?.[1]);
      expect(cases).to.be.greaterThan(20);
    } finally {
      await module.remove();
    }
  });
});
