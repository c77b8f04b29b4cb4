import type { Ctx } from '../http/context.ts';
import { offsetMs } from '../i18n/time-zones.ts';
import { enqueue, type NotifyContext } from '../notify/service.ts';
import type { Template, TemplateData } from '../notify/templates.ts';
import { dateTimeFormat } from '../i18n/formats.ts';

/**
 * The messages of the auth flows. Texts are `notify:auth.*` keys; every template that may go to
 * a phone login has an SMS text too.
 */
export const authTemplates: Record<string, Template> = {
  'auth.confirm-link': (t, d) => ({
    subject: t('notify:auth.confirmLink.subject'),
    blocks: [
      { text: t('notify:auth.confirmLink.intro', d) },
      { button: t('notify:auth.confirmLink.button'), url: String(d.link) },
      { text: t('notify:auth.confirmLink.deadline', d) },
      { note: t('notify:auth.notYou') },
    ],
  }),

  'auth.confirm-code': (t, d) => ({
    subject: t('notify:auth.confirmCode.subject'),
    blocks: [
      { text: t('notify:auth.confirmCode.intro', d) },
      { code: String(d.code) },
      { text: t('notify:auth.codeValid', d) },
      { note: t('notify:auth.notYou') },
    ],
    sms: t('notify:auth.confirmCode.sms', d),
  }),

  'auth.register-code': (t, d) => ({
    subject: t('notify:auth.registerCode.subject'),
    blocks: [
      { text: t('notify:auth.registerCode.intro', d) },
      { code: String(d.code) },
      { text: t('notify:auth.codeValid', d) },
      { note: t('notify:auth.spamHint') },
      { note: t('notify:auth.notYou') },
    ],
  }),

  'auth.temporary-password': (t, d) => ({
    subject: t('notify:auth.temporaryPassword.subject'),
    blocks: [
      { text: t('notify:auth.temporaryPassword.intro', d) },
      { code: String(d.password) },
      { text: t('notify:auth.temporaryPassword.instructions', d) },
      { note: t('notify:auth.temporaryPassword.keepSecret') },
    ],
  }),

  'auth.already-registered': (t, d) => ({
    subject: t('notify:auth.alreadyRegistered.subject'),
    blocks: [{ text: t('notify:auth.alreadyRegistered.intro', d) }, { note: t('notify:auth.notYou') }],
    sms: t('notify:auth.alreadyRegistered.sms', d),
  }),

  'auth.reset-link': (t, d) => ({
    subject: t('notify:auth.resetLink.subject'),
    blocks: [
      { text: t('notify:auth.resetLink.intro', d) },
      { button: t('notify:auth.resetLink.button'), url: String(d.link) },
      { text: t('notify:auth.linkValid', d) },
      { note: t('notify:auth.notYou') },
    ],
  }),

  'auth.reset-code': (t, d) => ({
    subject: t('notify:auth.resetCode.subject'),
    blocks: [
      { text: t('notify:auth.resetCode.intro', d) },
      { code: String(d.code) },
      { text: t('notify:auth.codeValid', d) },
      { note: t('notify:auth.notYou') },
    ],
    sms: t('notify:auth.resetCode.sms', d),
  }),

  'auth.password-changed': (t, d) => ({
    subject: t('notify:auth.passwordChanged.subject'),
    blocks: [{ text: t('notify:auth.passwordChanged.intro', d) }, { note: t('notify:auth.passwordChanged.notYou') }],
    sms: t('notify:auth.passwordChanged.sms', d),
  }),

  'auth.contact-code': (t, d) => ({
    subject: t('notify:auth.contactCode.subject'),
    blocks: [
      { text: t('notify:auth.contactCode.intro', d) },
      { code: String(d.code) },
      { text: t('notify:auth.codeValid', d) },
      { note: t('notify:auth.notYou') },
    ],
    sms: t('notify:auth.contactCode.sms', d),
  }),

  'auth.cabinet-deleted': (t, d) => ({
    subject: t('notify:auth.cabinetDeleted.subject'),
    blocks: [{ text: t('notify:auth.cabinetDeleted.intro', d) }, { note: t('notify:auth.cabinetDeleted.note') }],
    sms: t('notify:auth.cabinetDeleted.sms', d),
  }),

  'auth.contact-changed': (t, d) => ({
    subject: t(`notify:auth.contactChanged.subject_${String(d.field)}`),
    blocks: [
      { text: t(`notify:auth.contactChanged.intro_${String(d.field)}`, d) },
      { note: t('notify:auth.contactChanged.notYou') },
    ],
    sms: t(`notify:auth.contactChanged.sms_${String(d.field)}`, d),
  }),
};

/**
 * An email or phone as the notice to the old one shows it: enough for the person to recognise
 * it, not the whole of it (`i***@example.ru`, `+7 *** ***-**-67`).
 */
export function maskContact(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  return `${value.slice(0, 2)} *** ***-**-${value.slice(-2)}`;
}

/** Email for an address with `@`, SMS for a phone number. */
const MOSCOW = 'Europe/Moscow';

export function channelOf(address: string): 'email' | 'sms' {
  return address.includes('@') ? 'email' : 'sms';
}

/** Sends one of the templates above to an email address or a phone, in the person's language. */
export async function sendAuthMessage(ctx: NotifyContext, to: string, template: string, data: TemplateData = {}): Promise<void> {
  await enqueue(ctx, { kind: channelOf(to), to, template, data });
}

/**
 * A moment as the recipient reads it: the date and time on the supplier's clock (the time zone its
 * reading windows use) and that clock as people in Russia name it, against Moscow time, e.g.
 * "2 июля 2026 г. в 21:05 (МСК+7)"; never UTC or a GMT offset.
 */
export function formatDeadline(date: Date, ctx: Pick<Ctx, 'lng' | 't' | 'tenant'>): string {
  const { timeZone } = ctx.tenant.readings;
  const local = dateTimeFormat(ctx.lng, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(date);
  const minutes = Math.round((offsetMs(date, timeZone) - offsetMs(date, MOSCOW)) / 60_000);
  const hours = `${Math.floor(Math.abs(minutes) / 60)}${Math.abs(minutes) % 60 ? `:${String(Math.abs(minutes) % 60).padStart(2, '0')}` : ''}`;
  const offset = minutes === 0 ? '' : `${minutes > 0 ? '+' : '−'}${hours}`;
  return ctx.t('notify:auth.deadlineAt', { local, zone: ctx.t('notify:auth.moscowTime', { offset }) });
}
