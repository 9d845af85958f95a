// Source runs (vitest, tsx benchmarks): the worker thread has no TypeScript loader of its own, so it registers
// tsx with the main-process settings (decorators, the @shared alias) before loading pdf-worker.ts. The built app
// loads out/main/pdf-worker.js instead (electron.vite.config.ts).
const { join } = require('node:path')
process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', '..', '..', 'tsconfig.node.json')
require('tsx/cjs/api').register()
exports.render = require(join(__dirname, 'pdf-worker.ts')).render
