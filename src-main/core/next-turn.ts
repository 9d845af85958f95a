/**
 * One turn of the event loop: awaiting a promise alone never lets the timers and sockets (the portal) run, so a
 * long job (a city's run, export or e-mailing) awaits this between two steps for the requests to be served.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
