import { readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'

/**
 * Statically lists every audit action and entity code src-main can write, so
 * a unit test can demand a French label for each. Uses the TypeScript
 * checker rather than regexes: codes are often built (`booking-${line.action}`,
 * `document-${status}`, a helper's `entity` parameter), and the checker
 * resolves those from literal union types or from the helper's call sites.
 */

const ROOT = resolve(__dirname, '../..')
const SRC = join(ROOT, 'src-main')

/**
 * The writers of audit rows, and where action/entity sit in their arguments:
 * an object literal, positional arguments, or a list of object literals
 * (`auditRows(db, actor, at, lines.map((l) => ({ action: …, entity: … })))`).
 */
const WRITERS: Record<
  string,
  { file: string; kind: 'object'; arg: number } | { file: string; kind: 'positional'; action: number; entity: number } | { file: string; kind: 'list'; arg: number }
> = {
  audit: { file: 'src-main/audit/audit.ts', kind: 'object', arg: 3 },
  auditRow: { file: 'src-main/bookings/sql.ts', kind: 'positional', action: 3, entity: 4 },
  auditRows: { file: 'src-main/bookings/sql.ts', kind: 'list', arg: 3 }
}

/** The object literals a list argument is made of: `[{…}, {…}]` or `xs.map((x) => ({…}))` (expression or return). */
function objectLiteralsOf(e: ts.Expression): ts.ObjectLiteralExpression[] | null {
  while (ts.isParenthesizedExpression(e)) e = e.expression
  if (ts.isArrayLiteralExpression(e)) {
    const out = e.elements.map((x) => (ts.isObjectLiteralExpression(x) ? x : null))
    return out.every((x) => x) ? (out as ts.ObjectLiteralExpression[]) : null
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    const fn = e.arguments[0]
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return null
    if (!ts.isBlock(fn.body)) return objectLiteralsOf(fn.body)
    const returns: ts.Expression[] = []
    const visit = (n: ts.Node) => {
      if (ts.isReturnStatement(n) && n.expression) returns.push(n.expression)
      else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit)
    }
    ts.forEachChild(fn.body, visit)
    const out = returns.map((r) => objectLiteralsOf(r))
    return out.length && out.every((x) => x) ? out.flatMap((x) => x!) : null
  }
  if (ts.isObjectLiteralExpression(e)) return [e]
  return null
}

export interface AuditCodeUse {
  code: string
  where: string
}

export interface AuditCodeScan {
  actions: AuditCodeUse[]
  entities: AuditCodeUse[]
  /** Expressions the scanner could not reduce to a finite set of strings. */
  unresolved: string[]
  /** Audit writer calls found (a sanity figure: zero means the scanner is broken). */
  calls: number
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...sourceFiles(p))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

export function scanAuditCodes(): AuditCodeScan {
  // Only our own sources: library types (typeorm, fastify…) are not needed to
  // read a code, and skipping them keeps the scan to a few seconds.
  const files = [...sourceFiles(SRC), ...sourceFiles(join(ROOT, 'src-shared'))]
  const program = ts.createProgram(files, {
    noResolve: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    baseUrl: ROOT,
    paths: { '@shared/*': ['src-shared/*'] }
  })
  const checker = program.getTypeChecker()
  const ours = program.getSourceFiles().filter((f) => f.fileName.startsWith(SRC + '/') || f.fileName.startsWith(SRC.replace(/\\/g, '/') + '/'))

  const where = (n: ts.Node) => {
    const sf = n.getSourceFile()
    return `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`
  }

  const resolveAlias = (s: ts.Symbol | undefined) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s)

  /** Which writer a call targets, judged by where the callee is declared (not by its local name). */
  function writerOf(call: ts.CallExpression): (typeof WRITERS)[string] | null {
    const sym = resolveAlias(checker.getSymbolAtLocation(call.expression))
    const decl = sym?.declarations?.[0]
    if (!sym || !decl) return null
    const w = WRITERS[sym.name]
    return w && relative(ROOT, decl.getSourceFile().fileName).replace(/\\/g, '/') === w.file ? w : null
  }

  // Every call expression, grouped by the callee's symbol, to resolve a helper's parameter from its call sites.
  const callsBySymbol = new Map<ts.Symbol, ts.CallExpression[]>()
  const writerCalls: ts.CallExpression[] = []
  for (const sf of ours) {
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n)) {
        const sym = resolveAlias(checker.getSymbolAtLocation(n.expression))
        if (sym) callsBySymbol.set(sym, [...(callsBySymbol.get(sym) ?? []), n])
        if (writerOf(n)) writerCalls.push(n)
      }
      ts.forEachChild(n, visit)
    }
    visit(sf)
  }

  const unresolved: string[] = []

  /** Literal strings a type stands for, or null when it is wider (string, any). */
  function literalsOfType(t: ts.Type): string[] | null {
    const parts = t.isUnion() ? t.types : [t]
    const out: string[] = []
    for (const p of parts) {
      if (p.isStringLiteral()) out.push(p.value)
      else return null
    }
    return out.length ? out : null
  }

  /** The finite set of strings `e` may evaluate to, or null. */
  function values(e: ts.Expression, depth = 0): string[] | null {
    if (depth > 8) return null
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text]
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return values(e.expression, depth + 1)
    if (ts.isConditionalExpression(e)) {
      const a = values(e.whenTrue, depth + 1)
      const b = values(e.whenFalse, depth + 1)
      return a && b ? [...a, ...b] : null
    }
    if (ts.isTemplateExpression(e)) {
      let acc = [e.head.text]
      for (const span of e.templateSpans) {
        const v = values(span.expression, depth + 1)
        if (!v) return null
        acc = acc.flatMap((prefix) => v.map((x) => prefix + x + span.literal.text))
      }
      return acc
    }
    // A literal union type (a BookingAction, a `'service' | 'theme'` parameter…) enumerates itself.
    const fromType = literalsOfType(checker.getTypeAtLocation(e))
    if (fromType) return fromType
    if (ts.isIdentifier(e)) return identifierValues(e, depth)
    return null
  }

  function identifierValues(id: ts.Identifier, depth: number): string[] | null {
    const parent = id.parent
    const sym = ts.isShorthandPropertyAssignment(parent) && parent.name === id ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(id)
    const decl = sym?.valueDeclaration
    if (!decl) return null
    if (ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return values(decl.initializer, depth + 1)
    if (ts.isParameter(decl)) {
      // A helper's parameter (saveRow's `entity`, setStatus's `action`): the union of what its callers pass.
      const fn = decl.parent
      const index = fn.parameters.indexOf(decl)
      // `function save(…)` or `const save = (…) => …`
      const nameNode = ts.isFunctionDeclaration(fn) ? fn.name : ts.isVariableDeclaration(fn.parent) ? fn.parent.name : undefined
      const fnSym = nameNode ? checker.getSymbolAtLocation(nameNode) : null
      const calls = fnSym ? (callsBySymbol.get(fnSym) ?? []) : []
      if (!calls.length) return null
      const out: string[] = []
      for (const c of calls) {
        const arg = c.arguments[index]
        const v = arg ? values(arg, depth + 1) : null
        if (!v) {
          unresolved.push(`${where(arg ?? c)} (argument ${index + 1} of ${nameNode?.getText()})`)
          return []
        }
        out.push(...v)
      }
      return out
    }
    return null
  }

  const actions: AuditCodeUse[] = []
  const entities: AuditCodeUse[] = []
  const collect = (e: ts.Expression | undefined, into: AuditCodeUse[], at: ts.Node, what: string) => {
    const v = e ? values(e) : null
    if (!v) {
      unresolved.push(`${where(e ?? at)} (${what}: ${e ? e.getText() : 'absent'})`)
      return
    }
    for (const code of v) into.push({ code, where: where(e ?? at) })
  }

  for (const call of writerCalls) {
    const w = writerOf(call)!
    if (w.kind === 'positional') {
      collect(call.arguments[w.action], actions, call, 'action')
      collect(call.arguments[w.entity], entities, call, 'entity')
      continue
    }
    const arg = call.arguments[w.arg]
    const literals = !arg ? null : w.kind === 'list' ? objectLiteralsOf(arg) : ts.isObjectLiteralExpression(arg) ? [arg] : null
    if (!literals) {
      unresolved.push(`${where(arg ?? call)} (audit input is not ${w.kind === 'list' ? 'a list of object literals' : 'an object literal'})`)
      continue
    }
    for (const lit of literals) {
      const prop = (name: string): ts.Expression | undefined => {
        for (const p of lit.properties) {
          if (!p.name || p.name.getText() !== name) continue
          if (ts.isPropertyAssignment(p)) return p.initializer
          if (ts.isShorthandPropertyAssignment(p)) return p.name
        }
        return undefined
      }
      collect(prop('action'), actions, call, 'action')
      collect(prop('entity'), entities, call, 'entity')
    }
  }

  return { actions, entities, unresolved, calls: writerCalls.length }
}

/**
 * Source files that write audit rows some other way than the two writers
 * (raw INSERT, AuditEntry insert/save): the scan would miss their codes.
 */
export function otherAuditWriters(): string[] {
  const allowed = new Set(Object.values(WRITERS).map((w) => w.file))
  return sourceFiles(SRC)
    .map((f) => relative(ROOT, f).replace(/\\/g, '/'))
    .filter((f) => !allowed.has(f))
    .filter((f) => {
      const text = ts.sys.readFile(join(ROOT, f)) ?? ''
      return /INSERT\s+(OR\s+\w+\s+)?INTO\s+audit_entry/i.test(text) || /insertMany\([^)]*['"`]audit_entry['"`]/.test(text) || /\.(insert|save)\(\s*AuditEntry\b/.test(text) || /\.getRepository\(\s*AuditEntry\s*\)/.test(text)
    })
}
