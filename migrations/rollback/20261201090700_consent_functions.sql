drop function if exists public.update_consent_status(uuid, text);
drop function if exists public.record_consent(uuid, text, text[]);
drop function if exists private.update_consent_status(uuid, text);
drop function if exists private.record_consent(uuid, text, text[]);
