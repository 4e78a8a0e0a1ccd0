drop function if exists private.assert_may_act_for(uuid, text);
drop function if exists private.request_is_privileged();
drop function if exists private.request_role();
