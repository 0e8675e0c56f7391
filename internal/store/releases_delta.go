package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"parley"

	"github.com/jackc/pgx/v5"

	"parley/internal/export"
)

// writeDelta stores delta.json: per resource, the records added, modified
// (field by field) and deleted since the release prevID (none: every
// record is added). Both releases' CSV files are read back as two streams
// sorted by primary key and merge-joined, so no table is ever held in
// memory; the three lists are spooled to temporary files while the
// streams are read, then copied into place.
func writeDelta(ctx context.Context, tx pgx.Tx, rel parley.Release, prevID *int64, pos int) (map[string]parley.ChangeCounts, parley.ReleaseFile, error) {
	counts := map[string]parley.ChangeCounts{}
	fw := newFileWriter(ctx, tx, rel.ID, "delta.json", pos)
	out := bufio.NewWriterSize(fw, 32<<10)
	prev := any(nil)
	if rel.Previous != "" {
		prev = rel.Previous
	}
	head, _ := json.Marshal(map[string]any{"release": rel.Name, "previous": prev})
	out.Write(head[:len(head)-1]) // the object stays open for "resources"
	out.WriteString(`,"resources":{`)
	for i, res := range parley.ReleaseResources {
		if i > 0 {
			out.WriteByte(',')
		}
		c, err := deltaResource(ctx, tx, out, res, rel.ID, prevID)
		if err != nil {
			return nil, parley.ReleaseFile{}, err
		}
		counts[res.Name] = c
	}
	out.WriteString("}}\n")
	if err := out.Flush(); err != nil {
		return nil, parley.ReleaseFile{}, err
	}
	f, err := fw.Close()
	return counts, f, err
}

// spool is one list of a resource's delta, written to a temporary file.
type spool struct {
	f *os.File
	w *bufio.Writer
	n int
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "parley-delta-*")
	if err != nil {
		return nil, fmt.Errorf("store: release delta: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 32<<10)}, nil
}

func (s *spool) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.addJSON(b)
}

func (s *spool) addJSON(b []byte) error {
	if s.n > 0 {
		s.w.WriteByte(',')
	}
	s.n++
	_, err := s.w.Write(b)
	return err
}

// copyTo writes the list, as a JSON array, to w.
func (s *spool) copyTo(w *bufio.Writer) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.WriteByte('[')
	if _, err := io.Copy(w, s.f); err != nil {
		return err
	}
	return w.WriteByte(']')
}

func (s *spool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

func deltaResource(ctx context.Context, tx pgx.Tx, out *bufio.Writer, res parley.ReleaseResource, id int64, prevID *int64) (parley.ChangeCounts, error) {
	var added, modified, deleted *spool
	for _, s := range []**spool{&added, &modified, &deleted} {
		sp, err := newSpool()
		if err != nil {
			return parley.ChangeCounts{}, err
		}
		defer sp.close()
		*s = sp
	}
	next := func(r *export.RecordReader) ([]string, error) {
		if r == nil {
			return nil, nil
		}
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err == nil && len(row) != len(res.Fields) {
			err = fmt.Errorf("store: release delta: %s has a row of %d cells, want %d", res.Path(), len(row), len(res.Fields))
		}
		return row, err
	}
	// Each file is read one chunk query at a time, so both streams share
	// the transaction's connection.
	var before *export.RecordReader
	if prevID != nil {
		rc := openFile(ctx, tx, *prevID, res.Path())
		defer rc.Close()
		before = export.NewRecordReader(rc)
		if _, err := next(before); err != nil { // the header
			return parley.ChangeCounts{}, err
		}
	}
	rc := openFile(ctx, tx, id, res.Path())
	defer rc.Close()
	after := export.NewRecordReader(rc)
	if _, err := next(after); err != nil {
		return parley.ChangeCounts{}, err
	}
	b, err := next(before)
	if err != nil {
		return parley.ChangeCounts{}, err
	}
	a, err := next(after)
	if err != nil {
		return parley.ChangeCounts{}, err
	}
	var lastA, lastB []string
	var buf []byte
	for (a != nil || b != nil) && err == nil {
		// Both files are sorted by key; a key going backwards would make
		// the join silently wrong, so it stops the release instead.
		if a != nil && lastA != nil && res.CompareRows(lastA, a) >= 0 || b != nil && lastB != nil && res.CompareRows(lastB, b) >= 0 {
			return parley.ChangeCounts{}, fmt.Errorf("store: release delta: %s is not in key order", res.Path())
		}
		switch c := compareOrEnd(res, a, b); {
		case c < 0: // only after: added
			buf = res.AppendRecordJSON(buf[:0], a)
			err = added.addJSON(buf)
			lastA = a
			a, err = nextAfter(err, next, after)
		case c > 0: // only before: deleted
			buf = res.AppendRecordJSON(buf[:0], b)
			err = deleted.addJSON(buf)
			lastB = b
			b, err = nextAfter(err, next, before)
		default:
			if m := res.Diff(b, a); m != nil {
				err = modified.add(m)
			}
			lastA, lastB = a, b
			if a, err = nextAfter(err, next, after); err == nil {
				b, err = next(before)
			}
		}
	}
	if err != nil {
		return parley.ChangeCounts{}, err
	}
	name, _ := json.Marshal(res.Name)
	key, _ := json.Marshal(res.PrimaryKey)
	out.Write(name)
	out.WriteString(`:{"primaryKey":`)
	out.Write(key)
	for _, l := range []struct {
		name string
		s    *spool
	}{{"added", added}, {"modified", modified}, {"deleted", deleted}} {
		out.WriteString(`,"` + l.name + `":`)
		if err := l.s.copyTo(out); err != nil {
			return parley.ChangeCounts{}, fmt.Errorf("store: release delta: %w", err)
		}
	}
	out.WriteByte('}')
	return parley.ChangeCounts{Added: added.n, Modified: modified.n, Deleted: deleted.n}, nil
}

// compareOrEnd orders a (after) against b (before); a stream that has
// ended sorts last.
func compareOrEnd(res parley.ReleaseResource, a, b []string) int {
	switch {
	case b == nil:
		return -1
	case a == nil:
		return 1
	}
	return res.CompareRows(a, b)
}

func nextAfter(err error, next func(*export.RecordReader) ([]string, error), r *export.RecordReader) ([]string, error) {
	if err != nil {
		return nil, err
	}
	return next(r)
}
