import { createHash, randomBytes } from 'node:crypto'

/** 256-bit random token for cookies; 128 bits is the floor the issue sets for reset links. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}
