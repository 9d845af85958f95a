/**
 * The environment the app's process is started with (scripts/start.mjs; bench/invoicing-run.ts starts its server the
 * same way). On Linux, glibc gives each thread that allocates its own malloc arena, up to 8 per core, and keeps what
 * they freed: the invoicing run's computation thread, the backup's integrity check, V8's and libuv's helpers. One
 * arena for the whole process (#19: peak RSS under 500 MB at 20,000 families), measured on a quiet machine with the
 * preview then the issue of a 20,000-family month in one process: peak 550 MB with two arenas (536 MB with glibc's
 * mmap/trim thresholds fixed as well), 405 MB with one, for 23.6 s of CPU instead of 23.0 s. Most likely the preview's
 * computation thread left its arena's memory behind, and the issue's thread grew a fresh one beside it. Other
 * systems ignore the variable; a value already set wins.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function appEnv(env) {
  return { MALLOC_ARENA_MAX: '1', ...env }
}
