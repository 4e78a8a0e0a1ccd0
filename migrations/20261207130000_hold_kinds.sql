-- The ledger's kinds of movement for two-phase transfers (issue 19): a hold reserves tokens of the
-- payer's balance, a capture posts all or part of it to the payee, a release voids it. A migration of
-- its own: a new enum value cannot be used in the transaction that adds it.
alter type public.token_transaction_kind add value if not exists 'hold';
alter type public.token_transaction_kind add value if not exists 'capture';
alter type public.token_transaction_kind add value if not exists 'release';
comment on type public.token_transaction_kind is
  'mint: new tokens to a user; transfer: between users; burn: tokens destroyed; hold: tokens of the payer reserved for the payee; capture: a hold posted to the payee; release: a hold voided.';
