drop trigger if exists user_consent_append_history on public.user_consent;
drop function if exists private.append_consent_history();
drop table if exists public.consent_history;
drop function if exists private.refuse_mutation();
