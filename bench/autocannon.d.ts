/** The part of autocannon's API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string
      setupRequest?: (req: Request, context: Record<string, unknown>) => Request
    }
    interface Options {
      url: string
      connections?: number
      amount?: number
      duration?: number
      timeout?: number
      pipelining?: number
      requests?: Request[]
    }
    interface Histogram {
      average: number
      mean: number
      p50: number
      p97_5: number
      p99: number
      max: number
    }
    interface Result {
      requests: Histogram
      latency: Histogram
      throughput: Histogram
      errors: number
      timeouts: number
      non2xx: number
      '2xx': number
      duration: number
    }
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>
  export default autocannon
}
