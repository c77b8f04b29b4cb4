/**
 * Generates the reference sections of the guides from the sources, so they cannot drift:
 * docs/theming.md — every `--gaskit-*` token and every widget's parts, custom properties, slots
 * and events (themes/*.json, widgets/shared/styles.ts, the components' JSDoc: the same tags
 * custom-elements.json is built from); docs/embedding.md — every widget's attributes and events;
 * docs/sdk.md — every group of the SDK client with its methods (sdk/*.ts and their JSDoc).
 *
 *   node --import tsx docs/reference.ts          rewrites the sections between the markers
 *   node --import tsx docs/reference.ts --check  exits 1 when a guide is out of date
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const START = '<!-- reference:start -->';
const END = '<!-- reference:end -->';

/** What each semantic token is for; a token used by the widgets but missing here fails the check. */
const PURPOSE: Record<string, string> = {
  '--gaskit-font': 'Font family of every widget.',
  '--gaskit-font-size': 'Base font size; headings and small print scale from it.',
  '--gaskit-font-size-small': 'Help texts, errors, secondary lines.',
  '--gaskit-line-height': 'Line height of text.',
  '--gaskit-color-text': 'Body text.',
  '--gaskit-color-text-muted': 'Secondary text (help, dates, captions).',
  '--gaskit-color-surface': 'Background of widgets, inputs and buttons.',
  '--gaskit-color-surface-alt': 'Background of secondary areas (the portal menu, table stripes).',
  '--gaskit-color-border': 'Borders of inputs, tables and blocks.',
  '--gaskit-color-primary': 'Buttons, links, the current menu item.',
  '--gaskit-color-primary-hover': 'Buttons and links under the pointer.',
  '--gaskit-color-on-primary': 'Text on primary-coloured backgrounds.',
  '--gaskit-color-danger': 'Errors, invalid fields, destructive buttons.',
  '--gaskit-color-success': 'Confirmations, paid statuses.',
  '--gaskit-color-warning': 'Warnings (deadlines, overdue meter checks).',
  '--gaskit-color-inverse': 'Background of hint bubbles.',
  '--gaskit-color-on-inverse': 'Text of hint bubbles.',
  '--gaskit-color-focus': 'Focus ring.',
  '--gaskit-focus-ring-width': 'Width of the focus ring.',
  '--gaskit-radius': 'Corner radius of inputs, buttons and blocks.',
  '--gaskit-space': 'Spacing unit; paddings and gaps are multiples of it.',
  '--gaskit-shadow': 'Shadow of floating elements (hint bubbles).',
};

interface Tagged {
  name: string;
  description: string;
}

interface Attribute {
  /** The HTML attribute; `null` for a property only (`attribute: false`). */
  attribute: string | null;
  property: string;
  description: string;
}

export interface ComponentDoc {
  tag: string;
  file: string;
  /** The class's own summary: the first paragraph of its JSDoc. */
  summary: string;
  attributes: Attribute[];
  parts: Tagged[];
  cssProperties: Tagged[];
  slots: Tagged[];
  events: Tagged[];
}

function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** `@csspart name - description` lines of the class's JSDoc. */
function tagged(jsdoc: string, tag: string): Tagged[] {
  const out: Tagged[] = [];
  for (const m of jsdoc.matchAll(new RegExp(`^\\s*\\*\\s*@${tag}\\s+(\\S*)\\s*-\\s*(.+)$`, 'gm'))) {
    out.push({ name: m[1] ?? '', description: m[2]!.trim() });
  }
  return out;
}

/** `@property(…) name` declarations with the JSDoc line above them. */
function attributes(source: string): Attribute[] {
  const out: Attribute[] = [];
  const re = /(?:\/\*\*\s*((?:(?!\*\/)[\s\S])*?)\s*\*\/\s*)?@property\(([^)]*)\)\s*(?:override\s+)?(\w+)/g;
  for (const m of source.matchAll(re)) {
    const options = m[2] ?? '';
    const property = m[3]!;
    const named = /attribute:\s*'([^']+)'/.exec(options)?.[1];
    const attribute = /attribute:\s*false/.test(options) ? null : (named ?? property.toLowerCase());
    const description = (m[1] ?? '')
      .replace(/^\s*\*\s?/gm, '')
      .replace(/\s+/g, ' ')
      .trim();
    out.push({ attribute, property, description });
  }
  return out;
}

function summary(jsdoc: string): string {
  const text = jsdoc.replace(/^\s*\*\s?/gm, '').split(/\n\s*\n|\n@/)[0] ?? '';
  return text.replace(/\s+/g, ' ').trim();
}

/** Every component (`*.component.ts`) under widgets/, with its tag from `HTMLElementTagNameMap`. */
export function components(): ComponentDoc[] {
  const files = readdirSync(path.join(ROOT, 'widgets'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.component.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  return files.flatMap((file) => {
    const source = read(file);
    const tag = /HTMLElementTagNameMap\s*{\s*'(gaskit-[a-z-]+)'/.exec(source)?.[1];
    const jsdoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export class/.exec(source)?.[1] ?? '';
    if (!tag) return [];
    return [
      {
        tag,
        file,
        summary: summary(jsdoc),
        attributes: attributes(source),
        parts: tagged(jsdoc, 'csspart'),
        cssProperties: tagged(jsdoc, 'cssproperty'),
        slots: tagged(jsdoc, 'slot'),
        events: tagged(jsdoc, 'event'),
      },
    ];
  });
}

interface Theme {
  name: string;
  label: string;
  tokens: Record<string, string>;
}

export function themes(): Theme[] {
  return readdirSync(path.join(ROOT, 'themes'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(read(`themes/${f}`)) as Theme);
}

/** Semantic tokens the widgets read (widgets/shared/styles.ts) with their built-in fallbacks. */
export function semanticTokens(): { name: string; fallback: string }[] {
  const styles = read('widgets/shared/styles.ts');
  return [...styles.matchAll(/--_gk-[a-z0-9-]+:\s*var\((--gaskit-[a-z0-9-]+),\s*(.+?)\);$/gm)].map((m) => ({
    name: m[1]!,
    fallback: m[2]!.trim(),
  }));
}

/** Tokens a single widget reads besides the shared ones (e.g. `--gaskit-hint-max-width`). */
function widgetTokens(docs: ComponentDoc[], shared: Set<string>): Tagged[] {
  const seen = new Map<string, string>();
  for (const doc of docs) {
    for (const p of doc.cssProperties)
      if (!shared.has(p.name) && !seen.has(p.name)) seen.set(p.name, `\`${doc.tag}\`: ${p.description}`);
  }
  return [...seen].map(([name, description]) => ({ name, description })).sort((a, b) => a.name.localeCompare(b.name));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A component's events and when they fire. */
function eventsTable(events: { name: string; description: string }[]): string {
  return table(
    ['Event', 'When'],
    events.map((e) => [`\`${e.name}\``, e.description]),
  );
}

/** The generated Markdown between the markers. */
export function themingReference(): string {
  const docs = components();
  const all = themes();
  const base = all.find((t) => t.name === 'default');
  if (!base) throw new Error('themes/default.json is missing');
  const semantic = semanticTokens();
  const semanticNames = new Set(semantic.map((t) => t.name));
  const missing = semantic.filter((t) => !PURPOSE[t.name]).map((t) => t.name);
  if (missing.length) throw new Error(`docs/theming.ts: describe ${missing.join(', ')} in PURPOSE`);
  const raw = Object.keys(base.tokens)
    .filter((name) => !semanticNames.has(name))
    .sort();
  const out: string[] = [];

  out.push('### Semantic tokens', '', 'What the widgets read. Set these to restyle them.', '');
  out.push(
    table(
      ['Token', 'Default theme', 'Built-in fallback', 'Used for'],
      semantic.map((t) => [`\`${t.name}\``, `\`${base.tokens[t.name] ?? '—'}\``, `\`${t.fallback}\``, PURPOSE[t.name]!]),
    ),
  );
  out.push('', '### Raw tokens', '', 'The palette the semantic tokens of the default theme point at.', '');
  out.push(
    table(
      ['Token', 'Default theme'],
      raw.map((name) => [`\`${name}\``, `\`${base.tokens[name]}\``]),
    ),
  );
  out.push('', '### Widget tokens', '', 'Read by one widget only; unset, the default in the description applies.', '');
  out.push(
    table(
      ['Token', 'Widget and use'],
      widgetTokens(docs, new Set([...semanticNames, ...raw])).map((t) => [`\`${t.name}\``, t.description]),
    ),
  );
  out.push(
    '',
    '### Themes',
    '',
    'Each tenant names a theme (`tenant.theme`); a theme sets only what differs from `default`.',
    '',
  );
  out.push(
    table(
      ['Theme', 'Label', 'Tokens it sets'],
      all
        .filter((t) => t.name !== 'default')
        .map((t) => [
          `\`${t.name}\``,
          t.label,
          Object.entries(t.tokens)
            .map(([k, v]) => `\`${k}: ${v}\``)
            .join(', '),
        ]),
    ),
  );
  out.push('', '### Parts, custom properties, slots and events of each widget', '');
  for (const doc of docs) {
    out.push(`#### \`${doc.tag}\``, '', `Source: \`${doc.file}\``, '');
    out.push(
      doc.parts.length
        ? table(
            ['Part', 'Element'],
            doc.parts.map((p) => [`\`${p.name}\``, p.description]),
          )
        : 'No parts.',
    );
    if (doc.cssProperties.length) {
      out.push(
        '',
        table(
          ['Custom property', 'Use'],
          doc.cssProperties.map((p) => [`\`${p.name}\``, p.description]),
        ),
      );
    }
    if (doc.slots.length)
      out.push(
        '',
        table(
          ['Slot', 'Content'],
          doc.slots.map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description]),
        ),
      );
    if (doc.events.length) out.push('', eventsTable(doc.events));
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** The attributes every widget has (the shared base) and each widget's own, with its events. */
export function embeddingReference(): string {
  const base = attributes(read('widgets/shared/gaskit-element.ts'));
  const row = (a: Attribute) => [a.attribute ? `\`${a.attribute}\`` : '—', `\`${a.property}\``, a.description || '—'];
  const out: string[] = ['### Every widget', '', table(['Attribute', 'Property', 'Meaning'], base.map(row)), ''];
  for (const doc of components().filter((d) => d.file.split('/')[1] !== 'shared')) {
    out.push(`### \`<${doc.tag}>\``, '', doc.summary, '');
    out.push(
      doc.attributes.length ? table(['Attribute', 'Property', 'Meaning'], doc.attributes.map(row)) : 'No attributes of its own.',
    );
    if (doc.events.length) out.push('', eventsTable(doc.events));
    out.push('');
  }
  return out.join('\n').trimEnd();
}

interface Method {
  signature: string;
  description: string;
}

/** Public methods and getters of `export class <name>` in a source file, with their JSDoc. */
function methods(source: string, className: string): Method[] {
  const start = source.indexOf(`export class ${className} `);
  if (start < 0) return [];
  const lines = source.slice(start).split('\n');
  const end = lines.findIndex((line, i) => i > 0 && line === '}');
  const body = lines.slice(1, end);
  const out: Method[] = [];
  let doc: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i]!;
    if (/^ {2}\/\*\*/.test(line)) {
      doc = [];
      for (; i < body.length; i++) {
        doc.push(body[i]!);
        if (body[i]!.includes('*/')) break;
      }
      continue;
    }
    const head = /^ {2}(?:async |static )?(?:get )?([a-zA-Z]\w*)(?:<[^(]*>)?\(/.exec(line);
    if (!head || head[1] === 'constructor') {
      if (line.trim() !== '') doc = [];
      continue;
    }
    const signature: string[] = [];
    let depth = 0;
    for (; i < body.length; i++) {
      const text = body[i]!;
      signature.push(text.trim());
      for (const c of text) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      if (depth === 0 && text.trimEnd().endsWith('{')) break;
    }
    const description = doc
      .join(' ')
      .replace(/\/\*\*|\*\/|^\s*\*|\s\*\s/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    out.push({
      signature: signature
        .join(' ')
        .replace(/^async /, '')
        .replace(/\s*\{$/, '')
        .replace(/\(\s+/g, '(')
        .replace(/,?\s+\)/g, ')'),
      description,
    });
    doc = [];
  }
  return out;
}

/** The client's groups (`client.auth`, `client.readings`…) with their methods, read from sdk/. */
export function sdkReference(): string {
  const files = readdirSync(path.join(ROOT, 'sdk'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `sdk/${f}`, source: read(`sdk/${f}`) }));
  /** `client.readings` is `readingsOf(client)`, made by `groupAccessor((core) => new ReadingsApi(core))`. */
  const groups = [...read('sdk/client.ts').matchAll(/^ {2}get (\w+)\(\) \{\s*return (\w+)\(this\);/gm)].flatMap((m) => {
    const accessor = new RegExp(`export const ${m[2]} = .*new (\\w+)\\(core\\)`);
    const found = files.flatMap((f) => {
      const className = accessor.exec(f.source)?.[1];
      return className ? [{ file: f.file, source: f.source, className }] : [];
    })[0];
    return found ? [{ property: m[1]!, accessor: m[2]!, ...found }] : [];
  });
  const section = (title: string, file: string, list: Method[]) => [
    `### ${title}`,
    '',
    `Source: \`${file}\``,
    '',
    table(
      ['Member', 'Does'],
      list.map((m) => [`\`${m.signature}\``, m.description || '—']),
    ),
    '',
  ];
  const out: string[] = [];
  out.push(...section('`client` (the core)', 'sdk/core.ts', methods(read('sdk/core.ts'), 'ClientCore')));
  out.push(...section('`client` (tenant-wide)', 'sdk/tenant-client.ts', methods(read('sdk/tenant-client.ts'), 'TenantClient')));
  for (const group of groups) {
    out.push(
      ...section(
        `\`client.${group.property}\` (or \`${group.accessor}(client)\`)`,
        group.file,
        methods(group.source, group.className),
      ),
    );
  }
  out.push(...section('`client.session`', 'sdk/session.ts', methods(read('sdk/session.ts'), 'SessionStore')));
  return out.join('\n').trimEnd();
}

/** The guides whose reference sections are generated. */
export const GUIDES: { file: string; reference: () => string }[] = [
  { file: path.join(ROOT, 'docs', 'theming.md'), reference: themingReference },
  { file: path.join(ROOT, 'docs', 'embedding.md'), reference: embeddingReference },
  { file: path.join(ROOT, 'docs', 'sdk.md'), reference: sdkReference },
];

/** A guide with its reference section regenerated, formatted as the repository's Prettier config wants. */
export async function renderGuide(file: string, reference: string, current: string): Promise<string> {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path.relative(ROOT, file)} needs the ${START} and ${END} markers`);
  const doc = `${current.slice(0, start + START.length)}\n\n${reference}\n\n${current.slice(end)}`;
  const options = await prettier.resolveConfig(file);
  return prettier.format(doc, { ...options, filepath: file });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  for (const guide of GUIDES) {
    const current = readFileSync(guide.file, 'utf8');
    const next = await renderGuide(guide.file, guide.reference(), current);
    if (next === current) continue;
    const name = path.relative(ROOT, guide.file);
    if (check) {
      console.error(`${name} is out of date: run node --import tsx docs/reference.ts`);
      process.exitCode = 1;
    } else {
      writeFileSync(guide.file, next);
      console.log(`${name} updated`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
