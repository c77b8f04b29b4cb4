import { expect } from 'chai';
import { demoFaqEntries, seedDemoFaq } from '../../server/feedback/demo.ts';
import { flowFaq } from '../../server/feedback/faq-flows.ts';
import { translator } from '../../server/i18n/index.ts';
import type { TenantDoc } from '../../server/tenants/model.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { api } from '../helpers/server.ts';

const answer = (entries: { key: string; answer: string }[], key: string) => entries.find((e) => e.key === key)!.answer;

describe('feedback: questions and answers on each supplier’s own flows and rules', () => {
  let tenants: Record<string, TenantDoc>;

  before(async () => {
    tenants = Object.fromEntries(
      await Promise.all(['sever-gaz', 'yug-gaz', 'vostok-gaz'].map(async (slug) => [slug, await getTenantBySlug(slug)])),
    );
    await seedDemoFaq();
  });

  it('tells Северогаз about the email link and its password of 5 to 10 Latin letters and digits', () => {
    const ru = demoFaqEntries(tenants['sever-gaz']!, 'ru');
    expect(answer(ru, 'register')).to.equal(
      'Нажмите «Регистрация», укажите адрес электронной почты и пароль (от 5 до 10 латинских букв и цифр) и подтвердите регистрацию по ссылке из письма. Ссылка действует 72 ч.',
    );
    expect(answer(ru, 'password')).to.contain('ссылка для восстановления придёт на почту').and.not.contain('SMS');
    expect(answer(ru, 'readings')).to.contain('с 15 по 25 число месяца').and.contain('учитываются в следующем месяце');
  });

  it('tells Южгаз about an email or phone login and the activation code, and a reset by SMS', () => {
    const ru = demoFaqEntries(tenants['yug-gaz']!, 'ru');
    expect(answer(ru, 'register'))
      .to.contain('адрес электронной почты или номер мобильного телефона')
      .and.contain('кодом активации')
      .and.not.contain('ссылке');
    expect(answer(ru, 'password')).to.contain('код придёт в SMS');
    expect(answer(ru, 'readings')).to.contain('с 20 по 26 число месяца').and.contain('не принимаются');
  });

  it('tells Востокгаз about the emailed code, consent and the temporary password, under its own policy', () => {
    const ru = demoFaqEntries(tenants['vostok-gaz']!, 'ru');
    expect(answer(ru, 'register'))
      .to.contain('выберите тип абонента')
      .and.contain('временный пароль')
      .and.contain('от 8 до 64 символов без пробелов, хотя бы одна буква и одна цифра')
      .and.not.contain('от 5 до 10');
    expect(answer(ru, 'readings')).to.contain('в любой день месяца');
    const en = demoFaqEntries(tenants['vostok-gaz']!, 'en');
    expect(answer(en, 'register')).to.contain('temporary password').and.contain('8 to 64 characters');
  });

  it('serves each supplier its own answers, with no placeholder left', async () => {
    const answers = new Set<string>();
    for (const slug of ['sever-gaz', 'yug-gaz', 'vostok-gaz']) {
      for (const lng of ['ru', 'en']) {
        const res = await api(`/api/v1/t/${slug}/faq?limit=20`, { headers: { 'Accept-Language': lng } });
        expect(res.status).to.equal(200);
        const items = res.body.items as { key: string; answer: string }[];
        expect(items.map((e) => e.key)).to.include.members(['register', 'password', 'readings']);
        for (const e of items) expect(e.answer, `${slug} ${lng} ${e.key}`).to.not.match(/\{\{|faqFlows/);
        answers.add(answer(items, 'register'));
      }
    }
    expect(answers.size).to.equal(6);
  });

  it('names an unfamiliar password rule by its lengths', () => {
    const config = {
      registration: {
        ...tenants['sever-gaz']!.registration,
        password: { minLength: 12, maxLength: 40, pattern: '.+', ruleKey: 'house' },
      },
      readings: tenants['sever-gaz']!.readings,
    };
    expect(answer(flowFaq(config, translator('ru')), 'register')).to.contain('(от 12 до 40 символов)');
  });
});
