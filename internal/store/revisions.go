package store

import (
	"context"
	"encoding/json"
	"parley"
)

// writeRevision appends a snapshot of a record to its history. Callers run
// it in the transaction that makes the change.
func writeRevision(ctx context.Context, q querier, by parley.Editor, k parley.Kind, id int64, version int, action string, snapshot any) error {
	data, err := json.Marshal(snapshot)
	if err != nil {
		return err
	}
	collect(ctx, k, id, data)
	var userID *int64
	if by.ID != 0 {
		userID = &by.ID
	}
	_, err = q.Exec(ctx, `
		INSERT INTO revisions (entity_type, entity_id, version, action, data, user_id, user_email)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k, id, version, action, data, userID, by.Email)
	return wrap(err, "write %s %d revision", k, id)
}

// ListRevisions returns the history of one record, newest first.
func (s *Store) ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, entity_type, entity_id, version, action, data, user_email, coalesce(approved_by, ''), created_at
		FROM revisions WHERE entity_type = $1 AND entity_id = $2
		ORDER BY id DESC`, k, id)
	if err != nil {
		return nil, wrap(err, "list %s %d revisions", k, id)
	}
	var out []parley.Revision
	for rows.Next() {
		var r parley.Revision
		if err := rows.Scan(&r.ID, &r.EntityType, &r.EntityID, &r.Version, &r.Action, &r.Data, &r.UserEmail, &r.ApprovedBy, &r.CreatedAt); err != nil {
			return nil, wrap(err, "list %s %d revisions", k, id)
		}
		out = append(out, r)
	}
	return out, wrap(rows.Err(), "list %s %d revisions", k, id)
}
