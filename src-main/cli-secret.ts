/**
 * Reads a secret line for the CLI: on a terminal, keystrokes are not echoed;
 * otherwise (a pipe, a test) the first line of stdin is the secret.
 */
export function readSecret(prompt: string): Promise<string> {
  const input = process.stdin
  if (!input.isTTY) {
    return new Promise((resolve, reject) => {
      let data = ''
      input.setEncoding('utf8')
      input.on('data', (chunk: string) => {
        data += chunk
        const nl = data.indexOf('\n')
        if (nl >= 0) {
          input.pause()
          resolve(data.slice(0, nl).replace(/\r$/, ''))
        }
      })
      input.on('end', () => resolve(data.replace(/\r?\n$/, '')))
      input.on('error', reject)
    })
  }
  process.stdout.write(prompt)
  return new Promise((resolve) => {
    let secret = ''
    input.setRawMode(true)
    input.setEncoding('utf8')
    input.resume()
    const done = (value: string | null) => {
      input.setRawMode(false)
      input.pause()
      input.off('data', onData)
      process.stdout.write('\n')
      if (value === null) process.exit(130)
      resolve(value)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(secret)
        if (ch === '\u0003') return done(null) // Ctrl+C
        if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1)
        else if (ch >= ' ') secret += ch
      }
    }
    input.on('data', onData)
  })
}
