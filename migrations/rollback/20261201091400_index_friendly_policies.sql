-- Back to the policies as the earlier migrations wrote them.
drop policy if exists users_select_own on public.users;
create policy users_select_own on public.users for select to authenticated using ((select auth.uid()) = id);
drop policy if exists users_update_own on public.users;
create policy users_update_own on public.users for update to authenticated using ((select auth.uid()) = id) with check ((select auth.uid()) = id);
drop policy if exists user_consent_select_own on public.user_consent;
create policy user_consent_select_own on public.user_consent for select to authenticated using ((select auth.uid()) = user_id);
drop policy if exists consent_history_select_own on public.consent_history;
create policy consent_history_select_own on public.consent_history for select to authenticated using ((select auth.uid()) = user_id);
drop policy if exists token_balances_select_own on public.token_balances;
create policy token_balances_select_own on public.token_balances for select to authenticated using ((select auth.uid()) = user_id);
drop policy if exists token_transactions_select_party on public.token_transactions;
create policy token_transactions_select_party on public.token_transactions for select to authenticated using ((select auth.uid()) = from_user_id or (select auth.uid()) = to_user_id);
