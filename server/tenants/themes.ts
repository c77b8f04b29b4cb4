import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from '../root.ts';

const THEMES_DIR = path.join(ROOT, 'themes');

const ThemeFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string(),
  tokens: z.record(z.string().regex(/^--gaskit-[a-z0-9-]+$/, 'token names start with --gaskit-'), z.string().regex(/^[^;{}]+$/)),
});

export interface Theme {
  name: string;
  label: string;
  /** Default tokens with the theme's own on top. */
  tokens: Record<string, string>;
}

function readThemes(): Map<string, Theme> {
  const files = readdirSync(THEMES_DIR).filter((f) => f.endsWith('.json'));
  const raw = new Map(
    files.map((f) => {
      const parsed = ThemeFile.safeParse(JSON.parse(readFileSync(path.join(THEMES_DIR, f), 'utf8')));
      if (!parsed.success) throw new Error(`themes/${f}: ${parsed.error.message}`);
      return [parsed.data.name, parsed.data] as const;
    }),
  );
  const base = raw.get('default');
  if (!base) throw new Error('themes/default.json is missing');
  return new Map([...raw].map(([name, t]) => [name, { name, label: t.label, tokens: { ...base.tokens, ...t.tokens } }]));
}

const themes = readThemes();

export function getTheme(name: string): Theme {
  return themes.get(name) ?? themes.get('default')!;
}

export function themeNames(): string[] {
  return [...themes.keys()];
}

/** Tags that carry the tokens: tenant themes are set on our elements, never on the page's :root. */
export const WIDGET_TAGS = [
  'gaskit-portal',
  'gaskit-register',
  'gaskit-login',
  'gaskit-link-account',
  'gaskit-account',
  'gaskit-charges',
  'gaskit-readings',
  'gaskit-pay',
  'gaskit-payment-history',
  'gaskit-settings',
  'gaskit-feedback',
  'gaskit-hint',
];

export function themeCss(theme: Theme): string {
  const decls = Object.entries(theme.tokens)
    .map(([k, v]) => `  ${k}: ${v};`)
    .join('\n');
  return `/* Gaskit theme "${theme.name}" */\n:where(${WIDGET_TAGS.join(', ')}) {\n${decls}\n}\n`;
}
