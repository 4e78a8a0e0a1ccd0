import { execFileSync, spawnSync } from 'node:child_process'
import { userInfo } from 'node:os'

/**
 * Finds `command`, installing Debian's `pkg` first when it is missing and this runs as root (as CI
 * does). Elsewhere it says what to install rather than guessing at sudo.
 */
export function ensureCommand(command: string, pkg: string): string {
  const found = () => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim()
  let path = found()
  if (path) return path
  if (userInfo().uid !== 0) {
    throw new Error(`${command} is not installed: run \`sudo apt-get install -y ${pkg}\` and try again.`)
  }
  execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], {
    stdio: 'inherit',
  })
  path = found()
  if (!path) throw new Error(`installing ${pkg} did not provide ${command}`)
  return path
}
