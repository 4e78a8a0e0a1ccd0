import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** What to do to a request that matches. */
export type Fault =
  /** Forward it, let the server answer (and commit), then cut the connection: the answer is lost. */
  | { kind: 'lose-answer' }
  /** Cut the connection before forwarding: the server never sees the request. */
  | { kind: 'cut-before' }
  /** Forward it but hold the answer back this long (to make the client time out). */
  | { kind: 'delay'; ms: number }
  /** Hold it this long before forwarding it: the server runs it late, seeing whatever happened meanwhile. */
  | { kind: 'hold-back'; ms: number }
  /**
   * Answer `status` with a gateway's own page instead of PostgREST's answer, after forwarding the
   * request (`forwarded`: the server ran it, and its answer is dropped) or without.
   */
  | { kind: 'gateway-answer'; status: number; forwarded: boolean }

/** A gateway's own page in PostgREST's place: no PostgREST code, no SQLSTATE. */
const gatewayAnswer = (res: ServerResponse, status: number) =>
  res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><body><h1>${status}: the gateway could not get an answer</h1></body></html>`)

interface Planned {
  matches: (req: IncomingMessage) => boolean
  fault: Fault
  remaining: number
}

/**
 * A loopback HTTP proxy in front of the PostgREST fixture that injects real network faults into
 * chosen requests (the sockets are really cut). Counts what reached the upstream.
 */
export class FaultyProxy {
  private server!: Server
  private plans: Planned[] = []
  url = ''
  forwarded = 0

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const plan = this.plans.find((p) => p.remaining > 0 && p.matches(req))
      if (plan) plan.remaining--
      const fault = plan?.fault
      if (fault?.kind === 'cut-before') return void req.socket.destroy()
      if (fault?.kind === 'gateway-answer' && !fault.forwarded) return void req.resume().on('end', () => gatewayAnswer(res, fault.status))
      if (fault?.kind === 'hold-back') return void setTimeout(() => this.forward(req, res, undefined), fault.ms)
      this.forward(req, res, fault)
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`
    return this
  }

  private forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    const target = new URL(this.upstream)
    this.forwarded++
    const forward = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      if (fault?.kind === 'gateway-answer') {
        answer.resume()
        answer.on('end', () => gatewayAnswer(res, fault.status))
        return
      }
      if (fault?.kind === 'lose-answer') {
        answer.resume()
        answer.on('end', () => req.socket.destroy())
        return
      }
      const send = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
      if (fault?.kind === 'delay') setTimeout(send, fault.ms)
      else send()
    })
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  }

  /** Injects `fault` into the next `times` requests for which `matches` holds. */
  inject(matches: (req: IncomingMessage) => boolean, fault: Fault, times = 1): void {
    this.plans.push({ matches, fault, remaining: times })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

export const rpcTo = (fn: string) => (req: IncomingMessage) => req.method === 'POST' && req.url === `/rest/v1/rpc/${fn}`
