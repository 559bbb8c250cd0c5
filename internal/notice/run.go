package notice

import "time"

// RunSummary is what one import, crawl or re-extraction did.
type RunSummary struct {
	Pages      int       `json:"pages"`      // pages read or fetched
	Added      int       `json:"added"`      // new notices
	Updated    int       `json:"updated"`    // notices whose content changed
	Unchanged  int       `json:"unchanged"`  // notices seen again as they were
	Withdrawn  int       `json:"withdrawn"`  // notices whose page is gone
	Duplicates int       `json:"duplicates"` // the same notice under another URL
	Skipped    int       `json:"skipped"`    // pages that are not notices (lists, other pages)
	Failed     int       `json:"failed"`     // pages that could not be fetched or read
	WeakDates  int       `json:"weak_dates"` // notices of the run dated only by their page's update date (DateFromUpdate)
	Failures   []Failure `json:"failures,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished,omitzero"`
}

// Failure is one page a run could not use, and why.
type Failure struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// MaxFailures bounds the failures a summary lists; Failed counts them all.
const MaxFailures = 200

// Fail records a failure.
func (s *RunSummary) Fail(url, reason string) {
	s.Failed++
	if len(s.Failures) < MaxFailures {
		s.Failures = append(s.Failures, Failure{URL: url, Reason: reason})
	}
}

// Add adds another summary's counts to s.
func (s *RunSummary) Add(o RunSummary) {
	s.Pages += o.Pages
	s.Added += o.Added
	s.Updated += o.Updated
	s.Unchanged += o.Unchanged
	s.Withdrawn += o.Withdrawn
	s.Duplicates += o.Duplicates
	s.Skipped += o.Skipped
	s.Failed += o.Failed
	s.WeakDates += o.WeakDates
	for _, f := range o.Failures {
		if len(s.Failures) < MaxFailures {
			s.Failures = append(s.Failures, f)
		}
	}
}
