import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
async function main() {
  const { openCore } = await import('../src-main/core/app-core')
  const { buildPortalApp } = await import('../src-main/server/portal-app')
  const core = await openCore({ dataDir: mkdtempSync(join(tmpdir(), 'rb-probe-')), log: () => {} })
  const app = await buildPortalApp(core, { https: null })
  await app.ready()
  ;(globalThis as any).gc?.()
  await new Promise((r) => setTimeout(r, 500))
  const m = process.memoryUsage()
  const mb = (b: number) => Math.round(b / 1048576)
  console.log(`rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} ext ${mb(m.external)}`)
  const { readFileSync } = await import('node:fs')
  console.log(readFileSync('/proc/self/status', 'utf8').split('\n').filter((l) => /Threads|VmRSS|RssAnon|RssFile/.test(l)).join(' | '))
  await app.close(); await core.close()
}
main()
