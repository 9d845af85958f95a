/**
 * The environment the app's process is started with (scripts/start.mjs; bench/invoicing-run.ts starts its server the
 * same way). On Linux, glibc gives each thread that allocates its own malloc arena, up to 8 per core, and keeps what
 * they freed: the invoicing run's computation thread, the backup's integrity check, V8's and libuv's helpers. At
 * 3,000 families two arenas left the server 55–70 MB smaller at ready, at the run's peak and after it (#19:
 * peak RSS under 500 MB at 20,000 families). Other systems ignore the variable; a value already set wins.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function appEnv(env) {
  return { MALLOC_ARENA_MAX: '2', ...env }
}
