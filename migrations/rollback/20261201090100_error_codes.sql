drop function if exists private.raise_error(text, text);
drop table if exists private.error_codes;
