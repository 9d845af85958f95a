import { createInterface } from 'node:readline/promises'
import type { PresentedCertificate } from './server-certificate'
import { forgetServer, openRemoteBackOffice } from './remote-backoffice'

/**
 * Headless client mode (`npm start -- --server https://pc-accueil:5181`):
 * confirms the fingerprint in the terminal the first time, then serves that
 * server's back-office on http://127.0.0.1:<port> for this computer's browser.
 * `--fingerprint AA:BB:…` confirms without a question (deployment scripts):
 * it must equal the certificate presented.
 */
function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

async function askInTerminal(origin: string, c: PresentedCertificate): Promise<boolean> {
  console.log(`Première connexion à ${origin}.`)
  console.log(`  Certificat : ${c.subject}, valable jusqu’au ${c.validTo.slice(0, 10)}`)
  console.log(`  Empreinte SHA-256 : ${c.fingerprint}`)
  console.log('Comparez-la avec celle affichée sur le serveur (Paramètres › Postes et tablettes).')
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false })
  try {
    const answer = await rl.question('Les deux empreintes sont-elles identiques ? Tapez « oui » pour continuer : ')
    return answer.trim().toLowerCase() === 'oui'
  } finally {
    rl.close()
  }
}

export async function runHeadlessClient(args: string[], dataDir: string): Promise<void> {
  const forget = option(args, '--forget-server')
  if (forget) {
    console.log(forgetServer(forget, dataDir) ? `Empreinte de ${forget} oubliée : elle sera demandée à la prochaine connexion.` : `Aucune empreinte enregistrée pour ${forget}.`)
    return
  }
  const server = option(args, '--server')!
  const expected = option(args, '--fingerprint')
  const remote = await openRemoteBackOffice(server, {
    dataDir,
    confirm: async (origin, c) => {
      if (expected === undefined) return askInTerminal(origin, c)
      if (expected.toUpperCase() === c.fingerprint) return true
      console.error(`L’empreinte présentée (${c.fingerprint}) n’est pas celle indiquée (${expected}).`)
      return false
    },
    onRefused: (message) => console.error(message),
    proxyPort: process.env.RIBAMBELLE_STAFF_PORT ? Number(process.env.RIBAMBELLE_STAFF_PORT) : 0
  })
  console.log(`Ribambelle — back-office du serveur ${remote.origin}`)
  console.log(`  Empreinte confirmée : ${remote.fingerprint}`)
  console.log(`  Back-office : ${remote.url}`)
  console.log('READY')
  const stop = async () => {
    await remote.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
