import { appContext } from '../app-context.ts';
import type { Translate } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTheme } from '../tenants/themes.ts';

/** Values a template interpolates; strings are escaped when rendered as HTML. */
export type TemplateData = Record<string, string | number>;

/** The pieces a message is made of; each renders to both HTML and plain text. */
export type Block = { text: string } | { button: string; url: string } | { code: string } | { note: string };

export interface Content {
  subject: string;
  blocks: Block[];
  /** The SMS text, for templates that may go by SMS. */
  sms?: string;
}

/** A template turns the recipient's language and the data into content; texts come from i18n (`notify:` keys). */
export type Template = (t: Translate, data: TemplateData) => Content;

/** The running app's template of that name (each module's manifest lists the templates it sends). */
export function getTemplate(name: string): Template {
  const template = appContext().templates.get(name);
  if (!template) throw new Error(`notify template ${name} is not defined`);
  return template;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function safeUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error(`refusing a ${parsed.protocol} link in a message`);
  return parsed.href;
}

const HEX = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;

/** A theme token resolved through `var(--…)` references to a hex colour (mail clients know no custom properties). */
function themeColour(tokens: Record<string, string>, name: string, fallback: string): string {
  let value = tokens[name];
  for (let depth = 0; value && depth < 5; depth++) {
    const ref = /^var\((--[a-z0-9-]+)\)$/.exec(value.trim());
    if (!ref) break;
    value = tokens[ref[1]!];
  }
  return value && HEX.test(value.trim()) ? value.trim() : fallback;
}

function paragraphHtml(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The tenant-branded layout (its name and primary colour) around a template's content, as HTML and text. */
export function renderEmail(tenant: TenantDoc, lng: string, t: Translate, content: Content): RenderedEmail {
  const tokens = getTheme(tenant.theme).tokens;
  const primary = themeColour(tokens, '--gaskit-color-primary', '#1d4ed8');
  const onPrimary = themeColour(tokens, '--gaskit-color-on-primary', '#ffffff');
  const footer = t('notify:layout.automatic');

  const htmlBlocks = content.blocks.map((b) => {
    if ('text' in b) return `<p style="margin:0 0 16px;line-height:1.5">${paragraphHtml(b.text)}</p>`;
    if ('note' in b)
      return `<p style="margin:0 0 16px;line-height:1.4;font-size:13px;color:#4b5563">${paragraphHtml(b.note)}</p>`;
    if ('code' in b) {
      return `<p style="margin:0 0 16px;font-size:26px;font-weight:bold;letter-spacing:3px;font-family:Consolas,Menlo,monospace">${escapeHtml(b.code)}</p>`;
    }
    const url = escapeHtml(safeUrl(b.url));
    return (
      `<p style="margin:0 0 8px"><a href="${url}" style="display:inline-block;padding:12px 20px;background:${primary};` +
      `color:${onPrimary};text-decoration:none;border-radius:4px;font-weight:bold">${escapeHtml(b.button)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:12px;color:#4b5563;word-break:break-all">${url}</p>`
    );
  });
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(lng)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`,
    `<title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f4f6;color:#111827;font-family:Arial,Helvetica,sans-serif">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:6px">',
    `<tr><td style="background:${primary};color:${onPrimary};padding:16px 24px;font-size:18px;font-weight:bold;border-radius:6px 6px 0 0">${escapeHtml(tenant.name)}</td></tr>`,
    `<tr><td style="padding:24px 24px 8px;font-size:15px">${htmlBlocks.join('')}</td></tr>`,
    `<tr><td style="padding:16px 24px;font-size:12px;color:#6b7280;border-top:1px solid #e5e7eb">${escapeHtml(tenant.legalName)}<br>${escapeHtml(footer)}</td></tr>`,
    '</table></td></tr></table></body></html>',
  ].join('\n');

  const textBlocks = content.blocks.map((b) => {
    if ('text' in b) return b.text;
    if ('note' in b) return b.note;
    if ('code' in b) return `    ${b.code}`;
    return `${b.button}:\n${safeUrl(b.url)}`;
  });
  const text = [tenant.name, '', ...textBlocks.flatMap((p) => [p, '']), '—', tenant.legalName, footer, ''].join('\n');
  return { subject: content.subject, text, html };
}
