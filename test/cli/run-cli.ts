import { spawn } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { inject } from 'vitest'
import { packageRoot } from '../../src/tooling/migrations.js'

/** What a run of the CLI did. */
export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `avolve-db ARGS` for real, as a child process from the package root (`node --import tsx
 * src/cli/main.ts`), with `DATABASE_URL` removed from its environment unless `env` sets it.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; script?: string } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DATABASE_URL
  delete env.AVOLVE_DB_DEBUG
  Object.assign(env, options.env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'src/cli/main.ts', ...args], {
      cwd: packageRoot(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The test server's superuser URL for `database`, optionally with another password or port. */
export function serverUrl(database?: string, change: { password?: string; port?: number } = {}): string {
  const url = new URL(inject('database').serverUrl)
  if (database !== undefined) url.pathname = `/${database}`
  if (change.password !== undefined) url.password = change.password
  if (change.port !== undefined) url.port = String(change.port)
  return url.toString()
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = await listen(() => {})
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A TCP server that accepts connections and never says a word: a server that does not answer. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = await listen((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection)
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}
