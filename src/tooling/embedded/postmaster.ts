import { spawn, type ChildProcess } from 'node:child_process'
import { chownSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EmbeddedServerError } from './errors.js'
import type { RunAs } from './os-user.js'
import type { PostgresBinaries } from './postgres-binaries.js'

/** One cluster's files and how to run it. */
export interface ClusterSpec {
  readonly binaries: PostgresBinaries
  readonly runAs: RunAs
  readonly dataDir: string
  readonly port: number
  readonly superuserPassword: string
  /** `postgres -c name=value` settings. */
  readonly settings: Readonly<Record<string, string | number>>
  /** Server output, kept for the error message of a failed start. */
  readonly onOutput: (text: string) => void
}

// English messages whatever the machine's locale: callers and tests read them.
const env = () => ({ ...process.env, LC_MESSAGES: 'C' })

/** Runs initdb for `spec.dataDir` (which must exist, owned by `spec.runAs`). */
export async function initialiseCluster(spec: ClusterSpec, passwordFile: string): Promise<void> {
  writeFileSync(passwordFile, `${spec.superuserPassword}\n`, { mode: 0o600 })
  if (spec.runAs.uid !== undefined) chownSync(passwordFile, spec.runAs.uid, spec.runAs.gid!)
  try {
    const args = [`--pgdata=${spec.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C', '--no-sync']
    const { code, output } = await runToEnd(spawnAs(spec, spec.binaries.initdb, args), spec.onOutput)
    if (code !== 0) throw new EmbeddedServerError('server_start_failed', `initdb failed (exit ${code}): ${output.slice(-2000)}`)
  } finally {
    rmSync(passwordFile, { force: true })
  }
}

/** A running postmaster. */
export interface Postmaster {
  readonly pid: number
  /** Fast shutdown (SIGINT); escalates to an immediate one if it takes longer than `graceMs`. */
  stop(graceMs?: number): Promise<void>
  /** For an exiting process, which cannot wait: immediate shutdown, no waiting. */
  stopNow(): void
}

/** Starts the server on an initialised cluster and resolves once it accepts connections. */
export async function startPostmaster(spec: ClusterSpec): Promise<Postmaster> {
  const args = ['-D', spec.dataDir, '-p', String(spec.port), ...Object.entries(spec.settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
  const child = spawnAs(spec, spec.binaries.postgres, args)
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once('close', () => {
      exited = true
      resolve()
    }),
  )
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      output = (output + text).slice(-4000)
      spec.onOutput(text)
      if (output.includes('database system is ready to accept connections')) resolve()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exit.then(() => reject(new EmbeddedServerError('server_start_failed', `the server exited during start-up: ${output.slice(-2000)}`)))
  })
  const signal = (name: NodeJS.Signals) => {
    if (!exited) child.kill(name)
  }
  return {
    pid: child.pid!,
    async stop(graceMs = 30_000) {
      signal('SIGINT')
      const late = setTimeout(() => signal('SIGQUIT'), graceMs)
      await exit
      clearTimeout(late)
    },
    stopNow: () => signal('SIGQUIT'),
  }
}

/**
 * Spawns one of the server's programs as `spec.runAs`. The 'error' event (a program that cannot be
 * run) is always listened for, and turned into a typed failure of the start.
 */
function spawnAs(spec: ClusterSpec, program: string, args: string[]): ChildProcess {
  const child = spawn(program, args, { uid: spec.runAs.uid, gid: spec.runAs.gid, env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
  child.on('error', (cause) => {
    spec.onOutput(`could not run ${program}: ${cause.message}`)
  })
  return child
}

function runToEnd(child: ChildProcess, onOutput: (text: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = ''
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      output += text
      onOutput(text)
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('error', (e) => {
      output += e.message
    })
    child.once('close', (code) => resolve({ code, output }))
  })
}

/** Where the data directory of `root` goes. */
export const dataDirOf = (root: string): string => join(root, 'data')
