drop table if exists public.consent_status_transitions;
drop type if exists public.consent_status;
drop table if exists public.consent_interaction_types;
