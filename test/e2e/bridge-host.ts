/**
 * The main process of the desktop app, minus Electron's binary, for
 * bridge.spec.ts: the demo core and the real IPC adapter (src-main/electron/ipc.ts)
 * on the fake electron of the vitest tests. The spec's pages reach it through
 * `window.ribambelle` (addInitScript + exposeBinding) and this loopback
 * endpoint, which stands for Electron's IPC pipe: one page is one window
 * (its own webContents id), and bytes travel as bytes (structured clone).
 * There is no staff HTTP API here: a renderer falling back to HTTP would fail.
 *
 *   node --import tsx test/e2e/bridge-host.ts --clock 2026-11-23T09:00:00+01:00
 *
 * Run with tsx (not Playwright's own transform, whose decorators TypeORM cannot use).
 */
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clockOption } from '../../src-main/core/clock-option'
import { openAppCore } from '../../src-main/core/startup'
import { registerIpc, safeFileName } from '../../src-main/electron/ipc'
import { fakeElectron, ipcShellOf, type FakeWindow } from '../helpers/fake-electron'

interface IpcMessage {
  window: number
  channel: 'ribambelle:call' | 'ribambelle:save-file'
  args: unknown[]
  /** For save-file: the bytes, base64 (the pipe is JSON; Electron's is structured clone). */
  bytes?: string
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-bridge-'))
  const saveDir = join(dir, 'enregistrements')
  const { core } = await openAppCore(join(dir, 'data'), true, 'Ribambelle (test du pont IPC)', clockOption(process.argv, process.env, true))
  const fake = fakeElectron()
  registerIpc(core, ipcShellOf(fake))
  const windows = new Map<number, FakeWindow>()
  let saved = 0

  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', async () => {
      try {
        const m = JSON.parse(body) as IpcMessage
        if (!windows.has(m.window)) windows.set(m.window, fake.openWindow())
        const win = windows.get(m.window)!
        let args = m.args
        let savedTo: string | null = null
        if (m.channel === 'ribambelle:save-file') {
          // The user picks a file in the dialog: here, the suggested name in a folder of ours.
          savedTo = join(saveDir, `${++saved}-${safeFileName(String(m.args[0]))}`)
          fake.state.saveAs = savedTo
          args = [m.args[0], m.bytes === undefined ? m.args[1] : new Uint8Array(Buffer.from(m.bytes, 'base64'))]
        }
        const result = await fake.invoke(win, m.channel, ...args)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ result, savedTo, dialog: fake.calls.saveDialogs.at(-1) ?? null }))
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(String((e as Error)?.stack ?? e))
      }
    })
  })
  mkdirSync(saveDir, { recursive: true })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  console.log(`IPC http://127.0.0.1:${port}`)
  console.log(`SAVE ${saveDir}`)
  console.log(`NOW ${core.clock.now().toISOString()}`)
  console.log('READY')
  const stop = async () => {
    server.close()
    await core.close()
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
