import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import 'reflect-metadata'
import { getMetadataArgsStorage } from 'typeorm'
import { describe, expect, test } from 'vitest'
import { entities } from '../../src-main/core/entities'
import { Counter } from '../../src-main/db/counter'

const root = join(__dirname, '..', '..')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('entity registration', () => {
  test('every @Entity class of a capability is in its list (core/entities.ts), once', () => {
    const declared = getMetadataArgsStorage()
      .tables.map((t) => t.target)
      .filter((t): t is Function => typeof t === 'function' && t !== Counter)
    expect(declared.length).toBeGreaterThan(60)
    const missing = declared.filter((t) => !entities.includes(t)).map((t) => t.name)
    expect(missing).toEqual([])
    expect(new Set(entities).size).toBe(entities.length)
  })

  test('the storage layer (db/) imports no capability (core/ is not one)', () => {
    // Released migrations are never edited: 0003 seeds the shipped school holidays with the calendar's reader.
    const released = ['src-main/db/migrations/0003-activities-calendar.ts → ../../calendar/holiday-csv']
    const upward = files(join(root, 'src-main', 'db'))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => `${relative(root, f)} → ${m[1]}`))
      .filter((imp) => !/ → \.\.\/core\//.test(imp) && !released.includes(imp))
    expect(upward).toEqual([])
  })
})
