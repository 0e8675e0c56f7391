package parley

import (
	"testing"
	"time"
)

func TestLoginWaitDoublesAfterTheFreeAttempts(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	at := func(n int, ago time.Duration) LoginFailures { return LoginFailures{Count: n, Last: now.Add(-ago)} }
	tests := []struct {
		name            string
		account, client LoginFailures
		want            time.Duration
	}{
		{"no failures", LoginFailures{}, LoginFailures{}, 0},
		{"four account failures", at(4, 0), at(4, 0), 0},
		{"fifth account failure just now", at(5, 0), at(5, 0), time.Minute},
		{"fifth account failure 20 s ago", at(5, 20*time.Second), at(5, 0), 40 * time.Second},
		{"fifth account failure long ago", at(5, time.Hour), at(5, 0), 0},
		{"sixth account failure", at(6, 0), at(6, 0), 2 * time.Minute},
		{"eighth account failure", at(8, 0), at(8, 0), 8 * time.Minute},
		{"ninth: the ceiling", at(9, 0), at(9, 0), 15 * time.Minute},
		{"a thousand: still the ceiling", at(1000, 0), at(0, 0), 15 * time.Minute},
		{"nineteen client failures", at(0, 0), at(19, 0), 0},
		{"twenty client failures", at(0, 0), at(20, 0), time.Minute},
		{"the longer wait wins", at(6, 0), at(22, 0), 4 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LoginWait(now, tt.account, tt.client); got != tt.want {
				t.Errorf("LoginWait = %v, want %v", got, tt.want)
			}
		})
	}
}
