import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A loopback TCP proxy in front of PostgreSQL that records, per connection, the statements the client
 * sent in each flight: a flight is everything the client sends before the server next answers. It
 * reads the SQL text of simple queries ('Q') and of Parse messages ('P') off the real wire.
 */
export class FlightRecorder {
  private server!: Server
  private readonly sockets = new Set<Socket>()
  /** One list of flights per connection, each flight the statements it carried, in order. */
  readonly connections: string[][][] = []
  port = 0

  constructor(private readonly upstream: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const server = createConnection(this.upstream)
      this.sockets.add(client).add(server)
      const flights: string[][] = []
      this.connections.push(flights)
      let answered = true
      let pending = Buffer.alloc(0)
      let startedUp = false
      client.on('data', (chunk) => {
        if (answered) flights.push([])
        answered = false
        pending = Buffer.concat([pending, chunk])
        // The startup message has no type byte: its first four bytes are its length.
        if (!startedUp && pending.length >= 4) {
          const length = pending.readInt32BE(0)
          if (pending.length < length) return void server.write(chunk)
          pending = pending.subarray(length)
          startedUp = true
        }
        while (pending.length >= 5) {
          const length = pending.readInt32BE(1)
          if (pending.length < 1 + length) break
          const type = String.fromCharCode(pending[0]!)
          const body = pending.subarray(5, 1 + length)
          if (type === 'Q') flights.at(-1)!.push(cstring(body, 0))
          if (type === 'P') flights.at(-1)!.push(cstring(body, body.indexOf(0) + 1))
          pending = pending.subarray(1 + length)
        }
        server.write(chunk)
      })
      server.on('data', (chunk) => {
        answered = true
        client.write(chunk)
      })
      const close = () => {
        client.destroy()
        server.destroy()
      }
      client.on('close', close).on('error', close)
      server.on('close', close).on('error', close)
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.port = (this.server.address() as { port: number }).port
    return this
  }

  /** The flights that carried statements, of every connection, from now on. */
  reset(): void {
    for (const flights of this.connections) flights.length = 0
  }

  /** Every connection's flights that carried at least one statement. */
  flights(): string[][] {
    return this.connections.flatMap((c) => c.filter((f) => f.length > 0))
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

function cstring(body: Buffer, from: number): string {
  return body.toString('utf8', from, body.indexOf(0, from))
}
