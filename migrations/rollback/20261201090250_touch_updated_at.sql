drop function if exists private.touch_updated_at();
