/**
 * Functions the parity cases call, created in the suite's own database copy before the stand-ins read
 * their schema cache. Each stands for a kind of function PostgREST's spec exercises; the names and
 * values are this project's own.
 */
export const paritySql = `
  create function public.parity_items(lo int, hi int) returns table(id int) language sql stable as
    $$ select g from generate_series(lo, hi) g $$;
  create function public.parity_add(a int, b int default 1) returns int language sql stable as $$ select a + b $$;
  create function public.parity_greet(name text) returns text language sql stable as $$ select 'Hi, ' || name $$;
  create function public.parity_zzz_unique_function() returns int language sql stable as $$ select 1 $$;
  create function public.parity_pick(a int) returns text language sql stable as $$ select 'int' $$;
  create function public.parity_pick(a text) returns text language sql stable as $$ select 'text' $$;
  create function public.parity_overloaded() returns int language sql stable as $$ select 0 $$;
  create function public.parity_overloaded(a int, b int) returns int language sql stable as $$ select a + b $$;
  create function public.parity_overloaded(a text, b text, c text) returns text language sql stable as $$ select a || b || c $$;
  create function public.parity_void() returns void language sql volatile as $$ select $$;
  create function public.parity_timezone() returns text language sql stable as $$ select current_setting('timezone') $$;

  create function public.parity_variadic(variadic v text[] default '{}') returns text[] language sql immutable as $$ select v $$;
  create function public.parity_greet_variadic(name text, variadic v text[]) returns text language sql immutable as
    $$ select 'Hi, ' || name $$;

  create function public.parity_raise(p_code text) returns void language plpgsql as $$
    begin raise exception using errcode = p_code, message = 'raised ' || p_code, detail = 'd', hint = 'h'; end $$;
  create function public.parity_raise_pgrst(p_message text, p_detail text default null) returns void language plpgsql as $$
    begin
      if p_detail is null then raise sqlstate 'PGRST' using message = p_message;
      else raise sqlstate 'PGRST' using message = p_message, detail = p_detail; end if;
    end $$;

  create function public.parity_status(p_status text) returns json language plpgsql volatile as $$
    begin perform set_config('response.status', p_status, true); return json_build_object('ok', false); end $$;
  create function public.parity_headers(p_headers text) returns int language plpgsql volatile as $$
    begin perform set_config('response.headers', p_headers, true); return 7; end $$;
  create function public.parity_cookies() returns void language plpgsql volatile as $$
    begin perform set_config('response.headers', '[{"Set-Cookie": "a=1; Path=/"}, {"Set-Cookie": "b=2; HttpOnly"}]', true); end $$;
  create table public.parity_log (id serial primary key, note text);
  grant insert on public.parity_log to anon;
  grant usage on sequence public.parity_log_id_seq to anon;
  create function public.parity_write_then_bad_status() returns int language plpgsql volatile as $$
    begin
      insert into public.parity_log (note) values ('written');
      perform set_config('response.status', 'not a status', true);
      return 1;
    end $$;

  do $$ declare f regprocedure; begin
    for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname like 'parity\\_%' loop
      execute format('grant execute on function %s to anon, authenticated', f);
    end loop;
  end $$;
`
