-- Back to the check constraint and btrim's notion of blank. Every record stored meanwhile passes the
-- old rule (the new one is stricter), so the constraint validates.
drop trigger if exists user_consent_check_terms on public.user_consent;
drop function if exists private.check_consent_terms();

create or replace function private.terms_are_valid(p_terms text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_terms is not null
    and pg_catalog.array_ndims(p_terms) = 1
    and pg_catalog.cardinality(p_terms) between 1 and 100
    and pg_catalog.array_position(p_terms, null) is null
    and not exists (
      select from pg_catalog.unnest(p_terms) as t(term)
      where pg_catalog.btrim(t.term) = '' or pg_catalog.char_length(t.term) > 10000
    )
$$;
comment on function private.terms_are_valid(text[]) is
  'The rule for consent terms: 1 to 100 non-blank strings of at most 10000 characters. Used by a check constraint and by record_consent.';
drop function if exists private.term_is_blank(text);

alter table public.user_consent drop constraint if exists user_consent_terms_valid;
alter table public.user_consent add constraint user_consent_terms_valid check (private.terms_are_valid(terms));

update private.error_codes
  set hint = 'terms must be 1 to 100 non-blank strings of at most 10000 characters'
  where name = 'invalid_terms';
