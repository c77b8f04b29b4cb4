/**
 * The questions and answers about registration, passwords and readings, written from the
 * supplier's own configuration: its logins, its confirmation flow, its password policy and its
 * readings window. Each supplier is told its own rules, never another's.
 */
import type { Translate } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';

export interface FlowEntry {
  key: 'register' | 'password' | 'readings';
  topic: string;
  question: string;
  answer: string;
}

type FlowConfig = Pick<TenantDoc, 'registration' | 'readings'>;

/** `email`, `phone` or `emailOrPhone`: the login kinds the supplier allows. */
function loginsOf({ registration }: FlowConfig): 'email' | 'phone' | 'emailOrPhone' {
  const email = registration.logins.includes('email');
  const phone = registration.logins.includes('phone');
  return email && phone ? 'emailOrPhone' : phone ? 'phone' : 'email';
}

/** The password policy in words, e.g. "от 5 до 10 латинских букв и цифр". */
export function passwordRuleText({ registration }: FlowConfig, t: Translate): string {
  const { ruleKey, minLength: min, maxLength: max } = registration.password;
  const key = `feedback:faqFlows.rule.${ruleKey}`;
  const text = t(key, { min, max });
  return text === key || text === `faqFlows.rule.${ruleKey}` ? t('feedback:faqFlows.rule.other', { min, max }) : text;
}

function registerAnswer(config: FlowConfig, t: Translate): string {
  const { registration } = config;
  const logins = loginsOf(config);
  const rule = passwordRuleText(config, t);
  switch (registration.confirmation) {
    case 'code':
      return t('feedback:faqFlows.register.code', {
        login: t(`feedback:faqFlows.login.${logins}`),
        rule,
        where: t(`feedback:faqFlows.codeTo.${logins}`),
      });
    case 'code-temp-password':
      return t('feedback:faqFlows.register.code-temp-password', {
        personType: registration.personTypes ? t('feedback:faqFlows.register.personType') : '',
        rule,
      });
    default:
      return t('feedback:faqFlows.register.link', {
        login: t(`feedback:faqFlows.login.${logins}`),
        rule,
        hours: registration.linkTtlHours,
      });
  }
}

function readingsAnswer({ readings }: FlowConfig, t: Translate): string {
  if (readings.windowStartDay <= 1 && readings.windowEndDay >= 31) return t('feedback:faqFlows.readings.always');
  return t('feedback:faqFlows.readings.window', {
    start: readings.windowStartDay,
    end: readings.windowEndDay,
    outside: t(`feedback:faqFlows.readings.outside.${readings.outsideWindow}`),
  });
}

/** The supplier's own entries on registration, passwords and readings, in the translator's language. */
export function flowFaq(config: FlowConfig, t: Translate): FlowEntry[] {
  return [
    { key: 'register', topic: 'cabinet', question: t('feedback:faqFlows.questions.register'), answer: registerAnswer(config, t) },
    {
      key: 'password',
      topic: 'cabinet',
      question: t('feedback:faqFlows.questions.password'),
      answer: t('feedback:faqFlows.password.text', {
        rule: passwordRuleText(config, t),
        reset: t(`feedback:faqFlows.password.reset.${loginsOf(config)}`),
      }),
    },
    { key: 'readings', topic: 'meters', question: t('feedback:faqFlows.questions.readings'), answer: readingsAnswer(config, t) },
  ];
}
