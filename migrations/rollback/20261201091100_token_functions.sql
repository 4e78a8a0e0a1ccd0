drop function if exists public.mint_tokens(uuid, text, numeric, uuid, text);
drop function if exists public.transfer_tokens(uuid, uuid, text, numeric, uuid, text);
drop function if exists private.mint_tokens(uuid, text, numeric, uuid, text);
drop function if exists private.transfer_tokens(uuid, uuid, text, numeric, uuid, text);
drop function if exists private.credit_balance(uuid, text, numeric);
drop function if exists private.debit_balance(uuid, text, numeric);
drop function if exists private.replay_or_refuse(uuid, public.token_transaction_kind, text, uuid, uuid, numeric, text);
drop function if exists private.check_token_amount(text, numeric, boolean);
