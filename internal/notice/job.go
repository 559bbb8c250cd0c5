package notice

import "time"

// JobState is where an admin job stands.
type JobState string

const (
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded" // its writes are in the knowledge base
	JobFailed    JobState = "failed"    // nothing it read was kept
	JobCancelled JobState = "cancelled" // nothing it read was kept
)

// Job kinds.
const (
	JobPage = "page" // re-import one page
	JobSite = "site" // re-import a whole site
	// JobReextract reads every stored page again with the knowledge in
	// use (after rules or taxonomy changed); it has no URL.
	JobReextract = "reextract"
)

// Job is an admin re-import running in the background, or one that ran.
type Job struct {
	ID       string      `json:"id"`
	Kind     string      `json:"kind"`
	URL      string      `json:"url"`
	State    JobState    `json:"state"`
	Progress JobProgress `json:"progress"`
	// Summary is set when the job has ended; a failed or cancelled job's
	// summary says what it read, none of which was kept.
	Summary  *RunSummary `json:"summary,omitempty"`
	Error    string      `json:"error,omitempty"`
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished,omitzero"`
}

// Done reports whether the job has ended.
func (j Job) Done() bool { return j.State != JobRunning }

// JobProgress is a running job's counts.
type JobProgress struct {
	Fetched     int64   `json:"fetched"`
	NotModified int64   `json:"not_modified"`
	Queued      int64   `json:"queued"`
	Errors      int64   `json:"errors"`
	Rate        float64 `json:"pages_per_second"`
}
