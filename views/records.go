package views

import "parley"

// FormField is one control of a SimpleForm.
type FormField struct {
	Field
	Kind    string // text, textarea, select, checks, readonly
	Options []Option
	Checked map[string]bool
	Blank   string // select: label of the empty choice ("" for none)
	Attrs   map[string]any
}

// KV is a labelled value, for showing a record.
type KV struct {
	Label, Value string
}

// SimpleForm is the new/edit form of actors, demands, regions and sources.
type SimpleForm struct {
	Action, Heading, Submit string
	Version                 int
	Fields                  []FormField
	Errors                  map[string]string
	// Conflict is the version another editor saved meanwhile.
	Conflict        []KV
	ConflictVersion int
}

// FieldChange is one field's before and after in a revision.
type FieldChange struct {
	Field, Before, After string
}

// RevisionView is one revision with what it changed.
type RevisionView struct {
	parley.Revision
	Changes []FieldChange
}

// HistoryData is a record's history page.
type HistoryData struct {
	Kind                         parley.Kind
	Label, RecordURL, RestoreURL string // RestoreURL: set when the record is deleted
	Revisions                    []RevisionView
}

// InUseData explains why a record cannot be deleted.
type InUseData struct {
	What       string
	Statements []parley.StatementRef
	Truncated  bool
}

// ChangesData is the change log.
type ChangesData struct {
	Editor, Type string
	Editors      []Option
	Changes      []parley.Change
}

// UsersData is the admin's account list.
type UsersData struct {
	Users []parley.User
	Form  SimpleForm
	Self  int64
	// Error says why the last change to an account was refused.
	Error string
}

// SourcesData lists sources.
type SourcesData struct {
	Sources []parley.Source
}

// SourceData is one source.
type SourceData struct {
	Revisions  []RevisionView
	Source     parley.Source
	Statements []parley.Statement
}

// ImportData is the import page: the upload form, a file's problems, or
// the preview of what it creates.
type ImportData struct {
	FileName string
	Problems []string
	Report   parley.ImportReport
	Preview  bool
	Data     string // the previewed file, base64, posted back to confirm
}
