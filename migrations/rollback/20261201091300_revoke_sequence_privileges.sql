-- Restores what the default privileges of the Supabase base gave the sequence.
grant all on sequence public.consent_history_id_seq to anon, authenticated, service_role;
