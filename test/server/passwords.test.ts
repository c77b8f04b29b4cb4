import { expect } from 'chai';
import { hashPassword, passwordWork, verifyPassword } from '../../server/auth/passwords.ts';

describe('password hashing', () => {
  it('derives at most two keys at once and answers every waiting check rightly', async () => {
    const passwords = Array.from({ length: 6 }, (_, i) => `pass-${i}`);
    const hashing = passwords.map((p) => hashPassword(p));
    expect({ running: passwordWork.activeCount, waiting: passwordWork.pendingCount }).to.deep.equal({ running: 2, waiting: 4 });
    const hashes = await Promise.all(hashing);

    const checks = [
      ...hashes.map((h, i) => verifyPassword(passwords[i]!, h)),
      ...hashes.map((h, i) => verifyPassword(passwords[(i + 1) % passwords.length]!, h)),
    ];
    expect(passwordWork.activeCount).to.equal(2);
    expect(await Promise.all(checks)).to.deep.equal([...passwords.map(() => true), ...passwords.map(() => false)]);
    expect({ running: passwordWork.activeCount, waiting: passwordWork.pendingCount }).to.deep.equal({ running: 0, waiting: 0 });
  });
});
