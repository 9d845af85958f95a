// Source runs (vitest, tsx benchmarks): the worker thread has no TypeScript loader of its own, so it registers
// tsx with the main-process settings (the @shared alias) before loading compute-worker.ts. The built app loads
// out/main/compute-worker.js instead (electron.vite.config.ts).
const { join } = require('node:path')
process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', '..', '..', 'tsconfig.node.json')
require('tsx/cjs/api').register()
require(join(__dirname, 'compute-worker.ts'))
