-- +goose Up
-- (v2) Words the intake assistant looks for to recognise a demand in an
-- article ("NATO", "neutral", "non-aligned" for Ukraine's neutrality),
-- beside its title. Editors maintain them on the demand's form.
ALTER TABLE demands ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE demands DROP COLUMN keywords;
