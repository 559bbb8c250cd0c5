package crawl

import "context"

// Sink is where a crawl's pages go. The crawler only fetches: it asks the
// sink what it knows of a URL, hands it every answer, and follows the
// links the sink returns. What a page is (a notice, a list, nothing worth
// keeping), whether it is a duplicate, and what is stored are the sink's
// decisions, and the sink may revise them as the crawl learns (Listed).
//
// A crawl calls Known, Page, Gone, Skipped and Failed from its worker
// goroutines at once; Listed and Revisits come from its scheduler.
type Sink interface {
	// Known returns the validators of url's stored page for a conditional
	// request, or ok false when the page should be fetched in full
	// (never stored, failed or gone when last fetched).
	Known(url string) (v Validators, ok bool)
	// Page takes a page that answered 200, or 304 to a conditional
	// request (Fetched.NotModified), and says what to do next. The
	// verdict holds even when err (a failed write) is not nil.
	Page(ctx context.Context, p Fetched) (Verdict, error)
	// Listed tells that a list links to url as one of its items, learned
	// after url was read; the crawler calls it once per URL whose verdict
	// asked for it (Verdict.WantsListed).
	Listed(url string) error
	// Gone records a page that answered 404 or 410.
	Gone(url string, status int) error
	// Skipped records a page that was fetched but is not worth reading
	// (not HTML).
	Skipped(url string)
	// Failed records a page that could not be fetched, for good.
	Failed(url, reason string)
	// Revisits calls visit with each stored page of host that a re-crawl
	// checks again, even where no link leads to it any more.
	Revisits(host string, visit func(Seed)) error
}

// Validators are what makes a request conditional.
type Validators struct {
	ETag, LastModified string
}

// Fetched is one page answer handed to a Sink.
type Fetched struct {
	// URL is the normalised URL the page was fetched from.
	URL          string
	Body         []byte // nil when NotModified
	ContentType  string
	Status       int
	ETag         string
	LastModified string
	// NotModified is a 304 answer to a conditional request.
	NotModified bool
	// Listed tells that a list linked to the page as one of its items
	// before it was fetched.
	Listed bool
	// Depth is how many links from a start URL led here (pagination free).
	Depth int
}

// Verdict is what a Sink made of a page, for the crawler.
type Verdict struct {
	// Links are the URLs to consider next, normalised.
	Links []Link
	// Unchanged tells that the page was as stored (a 304, or the same
	// bytes): it counts as not modified.
	Unchanged bool
	// Useful tells that the page paid off (a notice or a list), so its
	// URL pattern keeps its budget.
	Useful bool
	// WantsListed asks the crawler to call Listed if a list links to the
	// page later in the crawl: that link would change the verdict.
	WantsListed bool
}

// Link is a URL found on a page, normalised.
type Link struct {
	URL       string
	Item      bool // a list's link to one of its items
	Next      bool // pagination
	Canonical bool // the page's declared canonical URL
}

// Seed is a stored page a re-crawl queues.
type Seed struct {
	URL    string
	Depth  int
	Listed bool // a list linked to it as one of its items
}
