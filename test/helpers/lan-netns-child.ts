/**
 * The back-office on the LAN, run inside a network namespace by
 * test/integration/lan-netns.test.ts: opens a core on the data directory in
 * argv[2], saves the LAN settings (port 5181; the ranges in argv[3], comma
 * separated, or `default`: the subnets of this namespace's interfaces, as the
 * settings screen proposes them), opens the listener on every interface and
 * prints "READY <status as JSON>", then serves until SIGTERM.
 *
 *   ip netns exec NS node --import tsx test/helpers/lan-netns-child.ts DIR default
 */
import { SYSTEM } from '../../src-main/core/actor'
import { openCore } from '../../src-main/core/app-core'
import { StaffLanListener } from '../../src-main/server/lan-listener'
import { localSubnets } from '../../src-main/settings/address-ranges'
import { STAFF_NETWORK_KEY, updateStaffNetworkSettings } from '../../src-main/settings/staff-network'
import { settingVersion } from '../../src-main/settings/settings'

async function main() {
  const [dataDir, rangesArg] = process.argv.slice(2)
  const core = await openCore({ dataDir, log: () => {} })
  const allowedRanges = rangesArg === 'default' ? localSubnets() : rangesArg.split(',')
  await updateStaffNetworkSettings(core, SYSTEM, { enabled: true, port: 5181, allowedRanges, tlsMode: 'self-signed', certPem: '', keyPem: '', version: await core.tx.read(async (m) => settingVersion(m, STAFF_NETWORK_KEY)) })
  const lan = new StaffLanListener(core, { staticDir: null, host: '0.0.0.0' })
  await lan.apply()
  process.stdout.write(`READY ${JSON.stringify({ ...lan.status(), allowedRanges })}\n`)
  process.on('SIGTERM', () => {
    void lan.close().then(() => core.close()).then(() => process.exit(0))
  })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
