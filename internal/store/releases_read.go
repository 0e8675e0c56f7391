package store

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"parley"
	"time"

	"github.com/jackc/pgx/v5"
)

const releaseColumns = `r.id, r.name, r.notes, coalesce(p.name, ''), r.created_at, r.created_by, r.changelog`

func scanRelease(row pgx.Row) (parley.Release, error) {
	var r parley.Release
	var log []byte
	if err := row.Scan(&r.ID, &r.Name, &r.Notes, &r.Previous, &r.CreatedAt, &r.CreatedBy, &log); err != nil {
		return r, err
	}
	if err := json.Unmarshal(log, &r.Changelog); err != nil {
		return r, fmt.Errorf("changelog of %s: %w", r.Name, err)
	}
	return r, nil
}

// ListReleases returns every release, newest first, with its files.
func (s *Store) ListReleases(ctx context.Context) ([]parley.Release, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+releaseColumns+`
		FROM releases r LEFT JOIN releases p ON p.id = r.previous_id ORDER BY r.id DESC`)
	if err != nil {
		return nil, wrap(err, "list releases")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Release, error) { return scanRelease(r) })
	if err != nil {
		return nil, wrap(err, "list releases")
	}
	files, err := s.releaseFiles(ctx, 0)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Files = files[out[i].ID]
	}
	return out, nil
}

// GetRelease returns the release called name with its files, or
// ErrNotFound.
func (s *Store) GetRelease(ctx context.Context, name string) (parley.Release, error) {
	r, err := scanRelease(s.pool.QueryRow(ctx, `SELECT `+releaseColumns+`
		FROM releases r LEFT JOIN releases p ON p.id = r.previous_id WHERE r.name = $1`, name))
	if err != nil {
		return r, wrap(err, "get release %s", name)
	}
	files, err := s.releaseFiles(ctx, r.ID)
	r.Files = files[r.ID]
	return r, err
}

// releaseFiles lists the files of release id (0: of every release), in
// the package's order.
func (s *Store) releaseFiles(ctx context.Context, id int64) (map[int64][]parley.ReleaseFile, error) {
	rows, err := s.pool.Query(ctx, `SELECT release_id, path, sha256, bytes FROM release_files
		WHERE $1 = 0 OR release_id = $1 ORDER BY release_id, position`, id)
	if err != nil {
		return nil, wrap(err, "release files")
	}
	out := map[int64][]parley.ReleaseFile{}
	var rid int64
	var f parley.ReleaseFile
	_, err = pgx.ForEachRow(rows, []any{&rid, &f.Path, &f.SHA256, &f.Bytes}, func() error {
		out[rid] = append(out[rid], f)
		return nil
	})
	return out, wrap(err, "release files")
}

// WriteReleaseFile writes the stored file path of rel to w, byte for byte
// as it was published, one chunk at a time.
func (s *Store) WriteReleaseFile(ctx context.Context, rel parley.Release, path string, w io.Writer) error {
	rc := openFile(ctx, s.pool, rel.ID, path)
	defer rc.Close()
	_, err := io.Copy(w, rc)
	return err
}

// WriteReleaseZip writes rel's package (datapackage.json and the
// resources' CSV files, in a folder named for the package) as a zip file.
// The members are the stored compressed streams, copied as they are, with
// the release's time: every download is the same bytes.
func (s *Store) WriteReleaseZip(ctx context.Context, rel parley.Release, w io.Writer) error {
	rows, err := s.pool.Query(ctx, `SELECT path, crc32, bytes, deflated_bytes FROM release_files
		WHERE release_id = $1 AND path <> 'delta.json' ORDER BY position`, rel.ID)
	if err != nil {
		return wrap(err, "release zip")
	}
	type member struct {
		path           string
		crc            int64
		size, deflated int64
	}
	var ms []member
	var m member
	if _, err := pgx.ForEachRow(rows, []any{&m.path, &m.crc, &m.size, &m.deflated}, func() error {
		ms = append(ms, m)
		return nil
	}); err != nil {
		return wrap(err, "release zip")
	}
	zw := zip.NewWriter(w)
	dir := "parley-" + rel.Name + "/"
	for _, m := range ms {
		h := &zip.FileHeader{Name: dir + m.path, Method: zip.Deflate, CRC32: uint32(m.crc),
			CompressedSize64: uint64(m.deflated), UncompressedSize64: uint64(m.size),
			Modified: rel.CreatedAt.UTC().Truncate(time.Second)}
		fw, err := zw.CreateRaw(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(fw, &chunkReader{ctx: ctx, q: s.pool, id: rel.ID, path: m.path}); err != nil {
			return err
		}
	}
	return zw.Close()
}
