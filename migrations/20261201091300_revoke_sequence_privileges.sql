-- The identity sequence behind public.consent_history.id kept the privileges Supabase's traditional
-- default grants give every new sequence in public (anon, authenticated and service_role: usage,
-- select, update). With them any API role could setval() it (not undone by rollback) and make every
-- history insert, and so every consent, fail. Only the history trigger, running as the owner, needs
-- the sequence.

revoke all on sequence public.consent_history_id_seq from public, anon, authenticated, service_role;
