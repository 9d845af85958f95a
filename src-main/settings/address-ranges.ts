import { networkInterfaces } from 'node:os'
import ipaddr from 'ipaddr.js'

/**
 * The address ranges the back-office on the LAN answers (CIDR, IPv4 or IPv6).
 * Pure functions: the listener checks each connection with `addressInRanges`.
 */
export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number]

/** Prefixes shorter than these would open the back-office to most of the Internet, not to a structure's network. */
const NARROWEST_PREFIX = { ipv4: 8, ipv6: 16 }

/**
 * Reads one range as typed: « 192.168.1.0/24 », a single address (« 192.168.1.20 »), an IPv6 prefix. The result is
 * written with its network address (« 192.168.1.7/24 » becomes « 192.168.1.0/24 »), or a French reason.
 */
export function parseRange(text: string): { canonical: string; range: AddressRange } | { error: string } {
  const t = text.trim()
  let range: AddressRange
  try {
    if (t.includes('/')) range = ipaddr.parseCIDR(t)
    else {
      const a = ipaddr.parse(t)
      range = [a, a.kind() === 'ipv4' ? 32 : 128]
    }
  } catch {
    return { error: `« ${t.slice(0, 60)} » n’est pas une plage d’adresses (exemple : 192.168.1.0/24) ni une adresse.` }
  }
  const [address, bits] = range
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return parseRange(`${(address as ipaddr.IPv6).toIPv4Address().toString()}/${Math.max(0, bits - 96)}`)
  }
  if (bits < NARROWEST_PREFIX[address.kind()]) {
    return { error: `« ${t} » couvre trop d’adresses (au-delà d’un /${NARROWEST_PREFIX[address.kind()]}) : indiquez le réseau de la structure.` }
  }
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`)
  return { canonical: `${network.toString()}/${bits}`, range: [network, bits] }
}

/** Parses a list already validated (the stored setting); invalid entries, which the settings never hold, are dropped. */
export function parseRanges(texts: readonly string[]): AddressRange[] {
  return texts.flatMap((t) => {
    const r = parseRange(t)
    return 'range' in r ? [r.range] : []
  })
}

/** Whether a client address (as a socket reports it, IPv4-mapped IPv6 included) lies in one of the ranges. */
export function addressInRanges(address: string | undefined, ranges: readonly AddressRange[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false
  const a = ipaddr.process(address)
  return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits))
}

/** The subnets of this computer's network interfaces (loopback excepted): the ranges proposed by default. */
export function localSubnets(): string[] {
  const out = new Set<string>()
  for (const i of Object.values(networkInterfaces()).flat()) {
    if (!i || i.internal || !i.cidr) continue
    const r = parseRange(i.cidr)
    // IPv6 link-local addresses change with each interface and are not how desks reach one another.
    if ('canonical' in r && r.range[0].range() !== 'linkLocal') out.add(r.canonical)
  }
  return [...out]
}
