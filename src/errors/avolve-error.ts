/**
 * One error hierarchy for both adapters. Every error the SDK throws is an AvolveError with a stable
 * `code` (what went wrong, for programs), a message that says what to do (for people), whether a
 * retry can succeed (`retryable`), and the original driver or HTTP error as `cause`.
 */

/** Where an error came from, for logs and for deciding what a caller can do about it. */
export interface AvolveErrorInit {
  code: string
  message: string
  retryable?: boolean
  /** The SQLSTATE, when the database raised it. */
  sqlstate?: string
  /** The HTTP status, when the error came back over HTTP (supabase-js). */
  status?: number
  details?: string
  hint?: string
  cause?: unknown
}

export class AvolveError extends Error {
  override name = 'AvolveError'
  /** Stable, machine-readable: the database's error name (`insufficient_balance`) or the SDK's own. */
  readonly code: string
  readonly retryable: boolean
  readonly sqlstate: string | undefined
  readonly status: number | undefined
  readonly details: string | undefined
  readonly hint: string | undefined

  constructor(init: AvolveErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.retryable = init.retryable ?? false
    this.sqlstate = init.sqlstate
    this.status = init.status
    this.details = init.details
    this.hint = init.hint
  }

  /** A plain object for logs and JSON responses (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, sqlstate: this.sqlstate, status: this.status, details: this.details, hint: this.hint }
  }
}

/** One problem with an input: where (`path`) and what. */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>
  message: string
  code?: string
}

/** The input was refused, by the SDK's schemas before any request (`validation_failed`) or by the database. */
export class ValidationError extends AvolveError {
  override name = 'ValidationError'
  readonly issues: readonly ValidationIssue[]
  constructor(init: AvolveErrorInit & { issues?: readonly ValidationIssue[] }) {
    super(init)
    this.issues = init.issues ?? []
  }
}

/** No user is signed in, or the token is invalid or expired: sign in (again) and retry. */
export class NotAuthenticatedError extends AvolveError {
  override name = 'NotAuthenticatedError'
}

/** The signed-in user may not do this (someone else's account, or a service-role action). */
export class PermissionDeniedError extends AvolveError {
  override name = 'PermissionDeniedError'
}

/** What the call names does not exist, or is not the caller's to see. */
export class NotFoundError extends AvolveError {
  override name = 'NotFoundError'
}

/** The sender's balance is lower than the amount. Nothing moved. */
export class InsufficientBalanceError extends AvolveError {
  override name = 'InsufficientBalanceError'
}

/** The idempotency key was used before for a different request; `fields` names what differs. */
export class IdempotencyConflictError extends AvolveError {
  override name = 'IdempotencyConflictError'
  readonly fields: readonly string[]
  constructor(init: AvolveErrorInit & { fields?: readonly string[] }) {
    super(init)
    this.fields = init.fields ?? []
  }
}

/** The consent record cannot move to that status from the one it has. */
export class InvalidTransitionError extends AvolveError {
  override name = 'InvalidTransitionError'
}

/** A write broke a rule of the schema that no SDK call can break (append-only tables, constraints). */
export class ConstraintViolationError extends AvolveError {
  override name = 'ConstraintViolationError'
}

/**
 * A failure that may pass: a lost connection, a serialization failure, a deadlock, a timeout, an
 * exhausted pool, an unreachable server. `retryable` is true. The SDK has retried already where it
 * was safe; `outcomeUnknown` is true when the request may have been applied (the connection broke
 * during commit) — retry it with the same idempotency key.
 */
export class TransientError extends AvolveError {
  override name = 'TransientError'
  readonly outcomeUnknown: boolean
  constructor(init: AvolveErrorInit & { outcomeUnknown?: boolean }) {
    super({ ...init, retryable: init.retryable ?? true })
    this.outcomeUnknown = init.outcomeUnknown ?? false
  }
}

/** An error the SDK has no meaning for. It is never reported as a validation error. */
export class UnexpectedError extends AvolveError {
  override name = 'UnexpectedError'
}
