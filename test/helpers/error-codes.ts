/**
 * The error codes the server can send, with the parameters it sends them with, found in the
 * sources (server/, contracts/ with the rules the server enforces, and sdk/) with the TypeScript compiler:
 *
 * - `new RuleViolation('code', { a, b })` and the other domain errors of server/http/errors.ts
 *   (a `RateLimitError` or `UnavailableError` always sends `seconds`; `ValidationError(fields, 'code')`);
 * - object literals `{ code: 'code', params: { a } }` (field errors, readings rules, the zod issue
 *   mapping of server/http/validate.ts);
 * - zod messages that are codes (`.regex(re, 'account_number_format')`, `.max(n, 'too_long')` with
 *   the limit server/http/validate.ts sends, `{ message: 'code' }`);
 * - the codes a shared validator's `execute` returns, with the keys of its `messageParams`.
 *
 * A code given as an expression is resolved through its type (a union of string literals, a
 * template over one), a constant's value, the literals the called function returns
 * (`checkPaymentTotal`) or, for a parameter, the arguments of every call; what none of these tell
 * is reported as unresolved, with its file and text, so that a test can name the codes such a
 * site produces.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './process.ts';

export interface CodeSite {
  code: string;
  /** Names of the parameters sent with the code at this site. */
  params: string[];
  /** `server/…/file.ts:line`. */
  where: string;
}

export interface UnresolvedSite {
  /** Path from the repository root. */
  file: string;
  /** The source text of the code expression. */
  expression: string;
  params: string[];
  where: string;
}

const ERROR_CLASSES: Record<string, { codeArg: number; paramsArg: number | null; fixedParams?: string[]; defaultCode?: string }> =
  {
    RuleViolation: { codeArg: 0, paramsArg: 1 },
    NotFoundError: { codeArg: 0, paramsArg: 1, defaultCode: 'not_found' },
    ConflictError: { codeArg: 0, paramsArg: 1 },
    AuthError: { codeArg: 0, paramsArg: 1, defaultCode: 'unauthenticated' },
    ForbiddenError: { codeArg: 0, paramsArg: 1, defaultCode: 'forbidden' },
    DomainError: { codeArg: 1, paramsArg: 2 },
    ValidationError: { codeArg: 1, paramsArg: 2, defaultCode: 'validation_failed' },
    RateLimitError: { codeArg: 1, paramsArg: null, fixedParams: ['seconds'], defaultCode: 'rate_limited' },
    UnavailableError: { codeArg: 1, paramsArg: null, fixedParams: ['seconds'], defaultCode: 'unavailable' },
  };

const ZOD_METHODS = new Set([
  'min',
  'max',
  'length',
  'regex',
  'int',
  'email',
  'url',
  'nonempty',
  'refine',
  'superRefine',
  'startsWith',
  'endsWith',
  'includes',
  'gte',
  'lte',
  'gt',
  'lt',
  'positive',
  'nonnegative',
  'multipleOf',
]);

/** The parameter server/http/validate.ts sends with a zod method's message code. */
const ZOD_LIMITS: Record<string, string[]> = {
  min: ['min'],
  gte: ['min'],
  gt: ['min'],
  nonempty: ['min'],
  positive: ['min'],
  nonnegative: ['min'],
  max: ['max'],
  lte: ['max'],
  lt: ['max'],
};

const CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'ferretdb' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every error code site of server/, contracts/ and sdk/. */
export function scanErrorCodes(): { sites: CodeSite[]; unresolved: UnresolvedSite[] } {
  const files = [
    ...sourceFiles(path.join(ROOT, 'server')),
    ...sourceFiles(path.join(ROOT, 'contracts')),
    ...sourceFiles(path.join(ROOT, 'sdk')),
  ];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    types: [],
  };
  // Codes live in our own sources: the packages' types (mongoose, stripe, express…) are read as
  // empty modules, which keeps the scan to seconds.
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) =>
    fileName.includes(`${path.sep}node_modules${path.sep}`) &&
    !fileName.includes(`${path.sep}typescript${path.sep}lib${path.sep}`)
      ? ts.createSourceFile(fileName, 'export {};', language)
      : read(fileName, language, ...rest);
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();
  const sites: CodeSite[] = [];
  const unresolved: UnresolvedSite[] = [];
  const ours = program.getSourceFiles().filter((sf) => files.includes(path.normalize(sf.fileName)));

  /** Every call in the sources, for following a parameter back to the arguments given for it. */
  const calls: ts.CallExpression[] = [];
  const gather = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, gather);
  };
  for (const sf of ours) gather(sf);
  const declarationOf = (expr: ts.Expression): ts.Declaration | undefined => {
    let symbol = ts.isShorthandPropertyAssignment(expr.parent)
      ? checker.getShorthandAssignmentValueSymbol(expr.parent)
      : checker.getSymbolAtLocation(expr);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.[0];
  };

  for (const sf of ours) {
    const file = path.relative(ROOT, sf.fileName);
    const where = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;

    /** The string values an expression can have, or null when its type does not tell. */
    const valuesOf = (expr: ts.Expression): string[] | null => {
      if (ts.isStringLiteralLike(expr)) return [expr.text];
      if (ts.isParenthesizedExpression(expr)) return valuesOf(expr.expression);
      if (ts.isConditionalExpression(expr)) {
        const a = valuesOf(expr.whenTrue);
        const b = valuesOf(expr.whenFalse);
        return a && b ? [...a, ...b] : null;
      }
      if (ts.isTemplateExpression(expr)) {
        let results = [expr.head.text];
        for (const span of expr.templateSpans) {
          const parts = valuesOf(span.expression);
          if (!parts) return null;
          results = results.flatMap((r) => parts.map((p) => r + p + span.literal.text));
        }
        return results;
      }
      const type = checker.getTypeAtLocation(expr);
      const members = type.isUnion() ? type.types : [type];
      if (members.every((t) => t.isStringLiteral())) return members.map((t) => (t as ts.StringLiteralType).value);
      if (
        ts.isBinaryExpression(expr) &&
        [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(expr.operatorToken.kind)
      ) {
        const a = valuesOf(expr.left);
        const b = valuesOf(expr.right);
        return a && b ? [...a, ...b] : null;
      }
      if (ts.isCallExpression(expr)) {
        let body = bodyOf(declarationOf(expr.expression));
        // `validator.execute(…)` on a constant object literal: that object's method.
        if (!body && ts.isPropertyAccessExpression(expr.expression)) {
          const name = expr.expression.name.text;
          const owner = declarationOf(expr.expression.expression);
          const init = owner && ts.isVariableDeclaration(owner) ? owner.initializer : undefined;
          const member =
            init && ts.isObjectLiteralExpression(init)
              ? init.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name)
              : undefined;
          body = bodyOf(member);
        }
        return body ? returnedLiterals(body) : null;
      }
      if (ts.isElementAccessExpression(expr)) {
        // A lookup in a constant table: any of its values.
        const table = declarationOf(expr.expression);
        const init = table && ts.isVariableDeclaration(table) ? table.initializer : undefined;
        if (!init || !ts.isObjectLiteralExpression(init)) return null;
        const values = init.properties.map((p) => (ts.isPropertyAssignment(p) ? valuesOf(p.initializer) : null));
        return values.every((v) => v) ? values.flatMap((v) => v!) : null;
      }
      if (!ts.isIdentifier(expr)) return null;
      const declaration = declarationOf(expr);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        return ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const ? valuesOf(declaration.initializer) : null;
      }
      // A parameter of a named function: the values given for it at every call, and its default.
      if (!declaration || !ts.isParameter(declaration) || !ts.isFunctionDeclaration(declaration.parent)) return null;
      const fn = declaration.parent;
      const index = fn.parameters.indexOf(declaration);
      const found = new Set<string>();
      for (const call of calls) {
        if (declarationOf(call.expression) !== fn) continue;
        const arg = call.arguments[index];
        const values = arg ? valuesOf(arg) : declaration.initializer ? valuesOf(declaration.initializer) : null;
        if (!values) return null;
        for (const v of values) found.add(v);
      }
      return found.size ? [...found] : null;
    };

    const keysOf = (expr: ts.Expression | undefined): string[] | null => {
      if (!expr) return [];
      if (ts.isObjectLiteralExpression(expr)) {
        return expr.properties.flatMap((p) =>
          p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : [],
        );
      }
      const type = checker.getTypeAtLocation(expr);
      if (type.getStringIndexType()) return null;
      return type.getProperties().map((p) => p.name);
    };

    /** The function whose parameter `expr` is, and the parameter's position. */
    const parameterOf = (expr: ts.Expression | undefined) => {
      const declaration = expr && ts.isIdentifier(expr) ? declarationOf(expr) : undefined;
      if (!declaration || !ts.isParameter(declaration) || !ts.isFunctionDeclaration(declaration.parent)) return undefined;
      return { fn: declaration.parent, index: declaration.parent.parameters.indexOf(declaration), declaration };
    };

    const record = (
      codeExpr: ts.Expression | undefined,
      params: string[] | null,
      node: ts.Node,
      fallback?: string,
      paramsExpr?: ts.Expression,
    ) => {
      // A helper taking the code and its parameters: each call gives one pair.
      const code = parameterOf(codeExpr);
      const given = parameterOf(paramsExpr);
      if (code && given && code.fn === given.fn) {
        for (const call of calls) {
          if (declarationOf(call.expression) !== code.fn) continue;
          const paramsArg = call.arguments[given.index] ?? given.declaration.initializer;
          const values = call.arguments[code.index] ? valuesOf(call.arguments[code.index]!) : null;
          const keys = keysOf(paramsArg);
          if (values && keys) for (const value of values) sites.push({ code: value, params: keys, where: where(call) });
          else unresolved.push({ file, expression: call.getText(sf), params: keys ?? [], where: where(call) });
        }
        return;
      }
      const codes = codeExpr ? valuesOf(codeExpr) : fallback ? [fallback] : null;
      if (codes && params) {
        for (const code of codes) sites.push({ code, params, where: where(node) });
        return;
      }
      unresolved.push({
        file,
        expression: codeExpr ? codeExpr.getText(sf) : '',
        params: params ?? [],
        where: where(node),
      });
    };

    /** String literals a function body returns (directly, through conditionals, or as an arrow's body). */
    const returnedLiterals = (body: ts.Node): string[] => {
      const out: string[] = [];
      const collect = (expr: ts.Expression) => {
        if (ts.isStringLiteralLike(expr) && CODE.test(expr.text)) out.push(expr.text);
        else if (ts.isConditionalExpression(expr)) {
          collect(expr.whenTrue);
          collect(expr.whenFalse);
        } else if (ts.isParenthesizedExpression(expr)) collect(expr.expression);
        else if (ts.isTemplateExpression(expr)) {
          const values = valuesOf(expr);
          if (values) out.push(...values);
          else unresolved.push({ file, expression: expr.getText(sf), params: [], where: where(expr) });
        }
      };
      if (!ts.isBlock(body)) {
        collect(body as ts.Expression);
        return out;
      }
      const walk = (node: ts.Node) => {
        if (ts.isReturnStatement(node) && node.expression) collect(node.expression);
        if (!ts.isFunctionLike(node)) ts.forEachChild(node, walk);
      };
      ts.forEachChild(body, walk);
      return out;
    };

    /** The body of a function, method or function-valued property or constant. */
    const bodyOf = (declaration: ts.Declaration | undefined): ts.Node | undefined => {
      if (!declaration) return undefined;
      if ((ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) && declaration.body)
        return declaration.body;
      if (ts.isPropertyAssignment(declaration) || ts.isVariableDeclaration(declaration)) return fnBody(declaration.initializer);
      return undefined;
    };

    const fnBody = (init: ts.Node | undefined): ts.Node | undefined =>
      init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isMethodDeclaration(init)) ? init.body : undefined;

    /** `new GaskitError({ code })`: the SDK's own codes (network, HTTP), not the server's. */
    const isClientError = (node: ts.Node) =>
      ts.isNewExpression(node.parent) && ts.isIdentifier(node.parent.expression) && node.parent.expression.text === 'GaskitError';

    /** `z.object({ code: z.string(), … })`: a schema describing errors, not one. */
    const isSchemaShape = (node: ts.Node) =>
      ts.isCallExpression(node.parent) &&
      ts.isPropertyAccessExpression(node.parent.expression) &&
      /^(object|strictObject|looseObject)$/.test(node.parent.expression.name.text);

    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ERROR_CLASSES[node.expression.text]) {
        const spec = ERROR_CLASSES[node.expression.text]!;
        const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
        const params = spec.fixedParams ?? (spec.paramsArg === null ? [] : keysOf(args[spec.paramsArg]));
        record(args[spec.codeArg], params, node, spec.defaultCode);
      } else if (ts.isObjectLiteralExpression(node) && !isClientError(node) && !isSchemaShape(node)) {
        const props = new Map(
          node.properties.flatMap((p) => (p.name && ts.isIdentifier(p.name) ? [[p.name.text, p] as const] : [])),
        );
        const code = props.get('code');
        const execute = props.get('execute');
        // An error takes `params` (a field error, a rule's refusal, a CSV line's error); a `{ code }`
        // of another type (a request body, an email's code block, a card's decline) is not one.
        const errorShaped = props.has('params') || Boolean(checker.getContextualType(node)?.getProperty('params'));
        if (code && errorShaped && (ts.isPropertyAssignment(code) || ts.isShorthandPropertyAssignment(code))) {
          const params = props.get('params');
          const init = ts.isPropertyAssignment(code) ? code.initializer : code.name;
          const paramsExpr = params
            ? ts.isPropertyAssignment(params)
              ? params.initializer
              : ts.isShorthandPropertyAssignment(params)
                ? params.name
                : undefined
            : undefined;
          record(init, keysOf(paramsExpr), node, undefined, paramsExpr);
        }
        if (execute) {
          const body = ts.isMethodDeclaration(execute)
            ? execute.body
            : fnBody(ts.isPropertyAssignment(execute) ? execute.initializer : undefined);
          const messageParams = props.get('messageParams');
          const paramsBody = messageParams
            ? ts.isMethodDeclaration(messageParams)
              ? messageParams.body
              : fnBody(ts.isPropertyAssignment(messageParams) ? messageParams.initializer : undefined)
            : undefined;
          let params: string[] = [];
          if (paramsBody) {
            const returned = ts.isBlock(paramsBody)
              ? paramsBody.statements.find(ts.isReturnStatement)?.expression
              : (paramsBody as ts.Expression);
            const inner = returned && ts.isParenthesizedExpression(returned) ? returned.expression : returned;
            params = keysOf(inner) ?? [];
          }
          if (body) for (const code of returnedLiterals(body)) sites.push({ code, params, where: where(execute) });
        }
      } else if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ZOD_METHODS.has(node.expression.name.text)
      ) {
        // server/http/validate.ts sends the limit a too-small or too-big value missed with the code.
        const limit = ZOD_LIMITS[node.expression.name.text] ?? [];
        for (const arg of node.arguments)
          if (ts.isStringLiteral(arg) && CODE.test(arg.text) && arg.text.includes('_')) {
            sites.push({ code: arg.text, params: limit, where: where(arg) });
          }
      } else if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === 'message' &&
        ts.isStringLiteral(node.initializer) &&
        CODE.test(node.initializer.text) &&
        node.initializer.text.includes('_')
      ) {
        sites.push({ code: node.initializer.text, params: [], where: where(node) });
      } else if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(node.left) &&
        node.left.text === 'code' &&
        ts.isStringLiteral(node.right)
      ) {
        sites.push({ code: node.right.text, params: [], where: where(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { sites, unresolved };
}
