drop table if exists public.user_consent;
drop function if exists private.guard_consent_update();
drop function if exists private.terms_are_valid(text[]);
