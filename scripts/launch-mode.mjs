// How `npm start` runs: the Electron window or the same core in plain Node
// (headless). Pure, so test/unit/launch-mode.test.ts runs every combination.

/**
 * @param {{ args: string[], platform: string, env: Record<string, string | undefined>, electronBinary: string | null }} facts
 *   `electronBinary`: the path of Electron's binary when it was downloaded, else null.
 * @returns {{ mode: 'electron', binary: string } | { mode: 'headless', notice: string | null }}
 */
export function launchMode({ args, platform, env, electronBinary }) {
  if (args.includes('--headless')) return { mode: 'headless', notice: null }
  if (!electronBinary) {
    return { mode: 'headless', notice: 'Electron n’est pas installé sur ce poste (binaire absent) : Ribambelle démarre sans fenêtre, le back-office s’ouvre dans le navigateur.' }
  }
  // Only Linux runs without a display server (a server, a container, an SSH session); Windows and macOS always have one.
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'headless', notice: 'Aucun affichage graphique (ni DISPLAY ni WAYLAND_DISPLAY) : Ribambelle démarre sans fenêtre, le back-office s’ouvre dans le navigateur.' }
  }
  return { mode: 'electron', binary: electronBinary }
}
