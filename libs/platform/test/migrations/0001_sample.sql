CREATE TABLE sample (id serial PRIMARY KEY, note text NOT NULL);
