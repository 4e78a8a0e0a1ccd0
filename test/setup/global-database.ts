import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { createDatabase, startDatabaseServer, withClient, type DatabaseServer } from '../../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase } from '../../src/tooling/migrations.js'

/**
 * One PostgreSQL server for the whole run, with a migrated template database that each test file
 * copies (`create database ... template`), so test files are isolated and run in parallel.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    database: { serverUrl: string; template: string; authenticatorPassword: string }
  }
}

let server: DatabaseServer | undefined

export default async function setup(project: TestProject) {
  server = await startDatabaseServer({ log: (m) => console.log(`[db] ${m}`) })
  const template = `avolve_template_${randomBytes(4).toString('hex')}`
  const authenticatorPassword = randomBytes(12).toString('hex')
  const templateUrl = await createDatabase(server, template)
  await withClient(templateUrl, async (client) => {
    await applySupabaseBase(client)
    await applyMigrations(client)
    // The login role PostgREST connects as; the SDK's tests connect as it too, never as a superuser.
    await client.query(`alter role authenticator password '${authenticatorPassword}'`)
  })
  project.provide('database', { serverUrl: server.url(), template, authenticatorPassword })
  return async () => {
    if (server && !server.embedded) {
      const { dropDatabase } = await import('../../src/tooling/embedded-server.js')
      await dropDatabase(server, template)
    }
    await server?.stop()
  }
}
