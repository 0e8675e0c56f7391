package parley

import "time"

// Sign-in throttling: after a few failures, each further attempt on an
// account (or from a client address) must wait a delay that doubles with
// every failure, up to a ceiling. Attempts refused while waiting are not
// failures: they never lengthen the wait, so the account holder, who knows
// the password, gets in once it has passed however often others try.
const (
	// AccountLoginWindow bounds how far back an account's failures count;
	// a successful sign-in clears them.
	AccountLoginWindow = 24 * time.Hour
	// ClientLoginWindow is how far back a client address's failures count
	// (on every account: one address trying many accounts).
	ClientLoginWindow = time.Hour

	freeAccountFailures = 5
	freeClientFailures  = 20
	firstLoginDelay     = time.Minute
	maxLoginDelay       = 15 * time.Minute
)

// LoginFailures is what throttling counts of earlier attempts: failed
// attempts (and attempts whose password is still being checked) and when
// the newest of them was made.
type LoginFailures struct {
	Count int
	Last  time.Time
}

// LoginWait returns how long after now the next sign-in attempt must wait,
// given the failures counted for its account and for its client address:
// 0 when it may be checked now.
func LoginWait(now time.Time, account, client LoginFailures) time.Duration {
	return max(account.wait(now, freeAccountFailures), client.wait(now, freeClientFailures), 0)
}

func (f LoginFailures) wait(now time.Time, free int) time.Duration {
	if f.Count < free {
		return 0
	}
	delay := maxLoginDelay
	if n := f.Count - free; n < 10 {
		delay = min(firstLoginDelay<<n, maxLoginDelay)
	}
	return f.Last.Add(delay).Sub(now)
}
