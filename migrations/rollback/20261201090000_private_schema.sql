drop schema if exists private;
