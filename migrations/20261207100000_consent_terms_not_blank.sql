-- Consent terms that only look blank. private.terms_are_valid refused a term only when btrim() left
-- nothing of it, and btrim strips spaces alone: a term of a tab, a line break, U+00A0, U+200B, U+3000
-- or U+FEFF was stored when a caller went around the SDK (PostgREST, SQL), though the SDK refused
-- most of them. Both now say the same: a term is blank when it has no character outside Unicode's
-- White_Space and Default_Ignorable_Code_Point properties and the control characters (Cc). The SDK's
-- termsSchema writes that with \p{...} escapes, this file as the code point ranges they stand for
-- (Unicode 17); test/database/consent-terms.test.ts compares the two on every code point.
--
-- The rule moves from the check constraint user_consent_terms_valid to a BEFORE INSERT trigger. A
-- check constraint is evaluated again on every update of a row, status changes included, so a
-- stricter one would make a record stored earlier with such terms impossible to withdraw; such
-- records stay as they were recorded, being the proof of what was consented to. Terms never change
-- after insert (private.guard_consent_update refuses it), so checking them on insert covers every
-- record written from now on, by every writer, and refuses with the listed invalid_terms instead of
-- a bare check violation. Like every ordinary trigger it is skipped in a session with
-- session_replication_role = replica (data-only restores, logical replication), which only a
-- superuser or Supabase's postgres role can set.

create or replace function private.term_is_blank(p_term text)
returns boolean
language sql
immutable
strict
set search_path = ''
as $$
  -- The code points of White_Space, Default_Ignorable_Code_Point and Cc, NUL aside (text cannot hold it).
  select p_term !~ '[^\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]'
$$;
comment on function private.term_is_blank(text) is
  'Whether a consent term shows nothing: only white space, invisible (default-ignorable) or control characters. Used by private.terms_are_valid; not callable by API roles.';
revoke all on function private.term_is_blank(text) from public;

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
      where private.term_is_blank(t.term) or pg_catalog.char_length(t.term) > 10000
    )
$$;
comment on function private.terms_are_valid(text[]) is
  'The rule for consent terms: 1 to 100 strings of at most 10000 characters, none blank (private.term_is_blank). Used by record_consent and the user_consent_check_terms trigger.';
revoke all on function private.terms_are_valid(text[]) from public;

create or replace function private.check_consent_terms()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not private.terms_are_valid(new.terms) then
    perform private.raise_error('invalid_terms');
  end if;
  return new;
end
$$;
comment on function private.check_consent_terms() is
  'BEFORE INSERT trigger on user_consent: refuses terms that break private.terms_are_valid with invalid_terms. Not callable directly.';
revoke all on function private.check_consent_terms() from public;

alter table public.user_consent drop constraint if exists user_consent_terms_valid;
drop trigger if exists user_consent_check_terms on public.user_consent;
create trigger user_consent_check_terms
  before insert on public.user_consent
  for each row execute function private.check_consent_terms();

update private.error_codes
  set hint = 'terms must be 1 to 100 strings of at most 10000 characters, each with a visible character (not only white space, invisible or control characters)'
  where name = 'invalid_terms';
