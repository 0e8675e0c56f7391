package store_test

import (
	"context"
	"errors"
	"parley"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreateUserThenGetByEmailIgnoringCase(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	created, err := s.CreateUser(ctx, " Olena.Editor@Example.org ", "$2a$10$hash", "admin")
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	want := parley.User{ID: created.ID, Email: "Olena.Editor@Example.org", PasswordHash: "$2a$10$hash", Role: "admin"}
	if diff := cmp.Diff(want, created, cmpopts.IgnoreFields(parley.User{}, "CreatedAt")); diff != "" {
		t.Errorf("CreateUser result mismatch (-want +got):\n%s", diff)
	}
	if created.CreatedAt.IsZero() {
		t.Errorf("CreatedAt is zero, want the creation time")
	}
	for _, email := range []string{"Olena.Editor@Example.org", "olena.editor@example.org", "OLENA.EDITOR@EXAMPLE.ORG "} {
		got, err := s.GetUserByEmail(ctx, email)
		if err != nil {
			t.Errorf("GetUserByEmail(%q): %v", email, err)
			continue
		}
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("GetUserByEmail(%q) mismatch (-want +got):\n%s", email, diff)
		}
	}
	if _, err := s.GetUserByEmail(ctx, "someone.else@example.org"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetUserByEmail(unknown) err = %v, want ErrNotFound", err)
	}
}

func TestCreateUserRejectsEmailTakenInAnotherCase(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "editor@example.org", "hash", "editor"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "Editor@Example.ORG", "other", "admin"); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("CreateUser(same email, other case) err = %v, want ErrConflict", err)
	}
	got, err := s.GetUserByEmail(ctx, "editor@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "editor@example.org" || got.Role != "editor" {
		t.Errorf("user after conflict = %+v, want the first one unchanged", got)
	}
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		email, hash, role string
		fields            []string
	}{
		{"empty email", "", "hash", "editor", []string{"email"}},
		{"no at sign", "editor.example.org", "hash", "editor", []string{"email"}},
		{"nothing before at", "@example.org", "hash", "editor", []string{"email"}},
		{"nothing after at", "editor@", "hash", "editor", []string{"email"}},
		{"space inside", "ed itor@example.org", "hash", "editor", []string{"email"}},
		{"two at signs", "editor@home@example.org", "hash", "editor", []string{"email"}},
		{"too long", strings.Repeat("e", 250) + "@example.org", "hash", "editor", []string{"email"}},
		{"unknown role", "editor@example.org", "hash", "owner", []string{"role"}},
		{"empty role", "editor@example.org", "hash", "", []string{"role"}},
		{"no password", "editor@example.org", "", "editor", []string{"password"}},
		{"all wrong", "nobody", "", "root", []string{"email", "password", "role"}},
	}
	// Nothing is written by a rejected input, so the cases share a database.
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, tt.email, tt.hash, parley.Role(tt.role))
			if diff := cmp.Diff(tt.fields, validationFields(t, err), sortStrings); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := s.GetUserByEmail(ctx, "editor@example.org"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetUserByEmail after rejected inputs err = %v, want ErrNotFound", err)
	}
}
