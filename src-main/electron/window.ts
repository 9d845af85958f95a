/**
 * The desktop window's security settings, as pure functions main.ts applies
 * (and test/integration/electron-shell.test.ts asserts): an isolated,
 * sandboxed renderer without Node, a strict CSP, no navigation away from the
 * app and no new windows, no permission granted.
 */
import type { BrowserWindowConstructorOptions } from 'electron'

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

/** `preload` is left out for another computer's back-office (electron/remote-window.ts), which talks HTTP. */
export function mainWindowOptions(preload: string | null, title = 'Ribambelle'): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    title,
    show: false,
    webPreferences: {
      ...(preload ? { preload } : {}),
      // The renderer sees only window.ribambelle (preload.ts), never Node or ipcRenderer.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true
    }
  }
}

/** The response headers with our CSP (whatever the page says). */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => k.toLowerCase() !== 'content-security-policy'))
  return { ...kept, 'Content-Security-Policy': [CSP] }
}

interface LockableContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/** No navigation away from the app and no new windows; https links open in the system browser. */
export function lockNavigation(contents: LockableContents, openExternal: (url: string) => unknown): void {
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//i.test(url)) void openExternal(url)
    return { action: 'deny' }
  })
}

/** Camera, microphone, notifications, geolocation…: the back-office needs none. */
export const denyPermission = (_contents: unknown, _permission: string, grant: (granted: boolean) => void) => grant(false)
