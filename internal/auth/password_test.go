package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashThenVerify(t *testing.T) {
	long := strings.Repeat("päss", 40) // 200 bytes: nothing is truncated
	for _, pw := range []string{"correct horse", long} {
		h, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("hash %q does not record argon2id with OWASP parameters", h)
		}
		if err := VerifyPassword(h, pw); err != nil {
			t.Errorf("VerifyPassword(right password) = %v", err)
		}
		if err := VerifyPassword(h, pw[:len(pw)-1]); !errors.Is(err, ErrMismatch) {
			t.Errorf("VerifyPassword(password minus last byte) = %v, want ErrMismatch", err)
		}
	}
	a, _ := HashPassword("same password")
	b, _ := HashPassword("same password")
	if a == b {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestVerifyRejectsMalformedHash(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA"} {
		if err := VerifyPassword(h, "whatever"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("VerifyPassword(%q) = %v, want a format error", h, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"too short", "1234567", false},
		{"minimum", "k2#vq9!z", true},
		{"64 characters", strings.Repeat("x", 64), true},
		{"absurd", strings.Repeat("x", MaxPasswordLen+1), false},
		{"common: the most common of all", "password", false},
		{"common: eight digits", "12345678", false},
		{"common: any case", "PassWord1", false},
		{"common: one near the end", "evangeli", false},
		{"a passphrase", "correct horse battery staple", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPasswordPolicy(tt.pw) == ""; got != tt.ok {
				t.Errorf("CheckPasswordPolicy(%q) ok = %v, want %v", tt.pw, got, tt.ok)
			}
		})
	}
	if msg := CheckPasswordPolicy("iloveyou"); !strings.Contains(msg, "common") {
		t.Errorf("message for a common password = %q, want it to say the password is common", msg)
	}
	if n := len(commonPasswords()); n != 10000 {
		t.Errorf("common passwords = %d, want the 10,000 of the list", n)
	}
}
