import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BrowserWindow, dialog, session } from 'electron'
import { serverOrigin } from '../client/known-servers'
import { openRemoteBackOffice } from '../client/remote-backoffice'
import { writeFileAtomic } from '../db/durable-files'
import { denyPermission, mainWindowOptions, withCsp } from './window'

/**
 * The Electron app as a client of another computer's back-office
 * (`--server https://pc-accueil:5181`, remembered for the next starts until
 * `--local`): the fingerprint is confirmed in a dialog the first time, a
 * changed certificate stops the app with both fingerprints shown, and the
 * window loads the pinned loopback proxy (client/pinned-proxy.ts), the same
 * code as the headless client. No local database is opened.
 */
const rememberedFile = (userData: string) => join(userData, 'remote-server.json')

/** The server this app opens: `--server URL` (remembered), none after `--local`, else the one remembered. */
export function chosenServer(argv: string[], userData: string): string | null {
  const file = rememberedFile(userData)
  if (argv.includes('--local')) {
    rmSync(file, { force: true })
    return null
  }
  const i = argv.indexOf('--server')
  if (i >= 0 && argv[i + 1]) {
    const origin = serverOrigin(argv[i + 1])
    writeFileAtomic(file, JSON.stringify({ server: origin }) + '\n')
    return origin
  }
  if (!existsSync(file)) return null
  return (JSON.parse(readFileSync(file, 'utf8')) as { server: string }).server
}

export async function openRemoteWindow(server: string, userData: string): Promise<() => Promise<void>> {
  let warned = false
  const remote = await openRemoteBackOffice(server, {
    dataDir: userData,
    confirm: async (origin, c) => {
      const r = await dialog.showMessageBox({
        type: 'question',
        title: 'Première connexion à ce serveur',
        message: `Vérifiez l’empreinte du certificat de ${origin}`,
        detail:
          `Empreinte SHA-256 présentée :\n${c.fingerprint}\n\nCertificat : ${c.subject}, valable jusqu’au ${c.validTo.slice(0, 10)}.\n\n` +
          'Comparez-la, caractère par caractère, avec celle affichée sur le serveur (Paramètres › Postes et tablettes). Continuez seulement si elles sont identiques.',
        buttons: ['Annuler', 'Les empreintes sont identiques : se connecter'],
        defaultId: 0,
        cancelId: 0,
        noLink: true
      })
      return r.response === 1
    },
    onRefused: (message) => {
      if (warned) return
      warned = true
      dialog.showErrorBox('Certificat du serveur changé', message)
    }
  })
  // The same window rules as on the server's own computer: our CSP, no permission; no preload (the page talks HTTP).
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => cb({ responseHeaders: withCsp(details.responseHeaders) }))
  session.defaultSession.setPermissionRequestHandler(denyPermission)
  const win = new BrowserWindow(mainWindowOptions(null, `Ribambelle — ${remote.origin}`))
  win.once('ready-to-show', () => win.show())
  await win.loadURL(remote.url)
  return remote.close
}
