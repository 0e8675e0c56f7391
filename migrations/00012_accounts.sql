-- +goose Up
-- Accounts: an initial password an admin chose must be replaced at first
-- sign-in.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Sign-in throttling: an attempt is recorded (as pending) before its
-- password is checked, so parallel attempts cannot all pass the count;
-- attempts refused for throttling are kept for audit but never counted.
-- client is the address throttling counts by: an IPv4 address, or the /64
-- prefix of an IPv6 address.
ALTER TABLE login_attempts ADD COLUMN outcome text,
    ADD COLUMN client text;
UPDATE login_attempts SET outcome = CASE WHEN success THEN 'success' ELSE 'failure' END, client = ip;
ALTER TABLE login_attempts ALTER COLUMN outcome SET NOT NULL,
    ALTER COLUMN client SET NOT NULL,
    ADD CONSTRAINT login_attempts_outcome_check CHECK (outcome IN ('pending', 'success', 'failure', 'throttled')),
    DROP COLUMN success;
CREATE INDEX login_attempts_client_idx ON login_attempts (client, created_at DESC);

-- Browsers an account has signed in from (a random token in a cookie,
-- stored hashed): their attempts on that account are throttled on their
-- own, so failures elsewhere never keep the holder out of a known browser.
CREATE TABLE login_devices (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_devices_user_idx ON login_devices (user_id);
-- No foreign key: the ledger outlives the devices it mentions.
ALTER TABLE login_attempts ADD COLUMN device_id bigint;
CREATE INDEX login_attempts_device_idx ON login_attempts (device_id, created_at DESC) WHERE device_id IS NOT NULL;

-- +goose Down
DROP INDEX login_attempts_device_idx;
ALTER TABLE login_attempts DROP COLUMN device_id;
DROP TABLE login_devices;
DROP INDEX login_attempts_client_idx;
-- The old code counts every unsuccessful row as a failure: refused
-- attempts were never failures.
DELETE FROM login_attempts WHERE outcome = 'throttled';
ALTER TABLE login_attempts ADD COLUMN success boolean;
UPDATE login_attempts SET success = (outcome = 'success');
ALTER TABLE login_attempts ALTER COLUMN success SET NOT NULL,
    DROP COLUMN outcome,
    DROP COLUMN client;
ALTER TABLE users DROP COLUMN must_change_password;
